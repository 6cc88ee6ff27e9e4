import { describe, expect, it } from "vitest";
import { Vault } from "../../src/detect/vault";
import { RingfenceError } from "../../src/errors";
import type { Rules } from "../../src/policy/schema";
import { TextGuard } from "../../src/stream/guard";
import { anthropicStreamGuard, chatStreamGuard, responsesStreamGuard } from "../../src/stream/guarded";
import type { SseEvent } from "../../src/stream/sse";
import { fakeDetectors } from "../fixtures/fake-detectors";

const SECRET = "tk_0123456789abcdef";
const make =
  (rules: Rules = { "secret.*": "redact" }) =>
  () =>
    new TextGuard({ detectors: fakeDetectors, rules, minConfidence: 0.5, enforce: true, vault: new Vault(), window: 64 });

/** Cuts text into pieces of n characters, as providers stream it. */
const pieces = (text: string, n: number) =>
  Array.from({ length: Math.ceil(text.length / n) }, (_, i) => text.slice(i * n, i * n + n));

const chatChunk = (delta: Record<string, unknown>, finish: string | null = null): SseEvent => ({
  data: JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] }),
});

function run(transform: (ev: SseEvent) => SseEvent[], events: SseEvent[]) {
  return events.flatMap(transform).map((e) => ({ ...e, json: e.data === "[DONE]" ? null : JSON.parse(e.data) }));
}

describe("chat stream guard", () => {
  const text = `Your key is ${SECRET}, keep it safe.`;

  it("redacts a secret split across deltas; the finish chunk carries what was held back", () => {
    const events = [
      chatChunk({ role: "assistant", content: "" }),
      ...pieces(text, 3).map((p) => chatChunk({ content: p })),
      chatChunk({}, "stop"),
      { data: "[DONE]" },
    ];
    const out = run(chatStreamGuard(make()), events);
    const got = out.map((e) => e.json?.choices?.[0]?.delta?.content ?? "").join("");
    expect(got).toBe("Your key is [REDACTED:TEST_KEY], keep it safe.");
    expect(out.at(-2)?.json.choices[0].finish_reason).toBe("stop");
    expect(JSON.stringify(out)).not.toContain("0123456789");
  });

  it("guards tool-call arguments per call, keeping the JSON valid", () => {
    const args = JSON.stringify({ token: SECRET, city: "Paris" });
    const first = chatChunk({
      tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "f", arguments: "" } }],
    });
    const parts = pieces(args, 5).map((p) => chatChunk({ tool_calls: [{ index: 0, function: { arguments: p } }] }));
    const out = run(chatStreamGuard(make()), [first, ...parts, chatChunk({}, "tool_calls")]);
    const joined = out.map((e) => e.json?.choices?.[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? "").join("");
    expect(JSON.parse(joined)).toEqual({ token: "[REDACTED:TEST_KEY]", city: "Paris" });
  });

  it("throws policy_blocked (which the relay turns into the API's error event) on a block", () => {
    const t = chatStreamGuard(make({ "secret.*": "block" }));
    expect(() => [...pieces(text, 4).map((p) => chatChunk({ content: p })), chatChunk({}, "stop")].flatMap(t)).toThrow(
      RingfenceError,
    );
  });
});

describe("responses stream guard", () => {
  it("redacts deltas, emits what was held before .done, rewrites the repeated full texts, and renumbers events", () => {
    const text = `token ${SECRET} end`;
    let n = 100;
    const ev = (type: string, rest: Record<string, unknown>): SseEvent => ({
      event: type,
      data: JSON.stringify({ type, sequence_number: n++, ...rest }),
    });
    const item = { id: "msg_1", type: "message", content: [{ type: "output_text", text }] };
    const events = [
      ev("response.created", { response: { output: [] } }),
      ...pieces(text, 4).map((d) =>
        ev("response.output_text.delta", { item_id: "msg_1", output_index: 0, content_index: 0, delta: d }),
      ),
      ev("response.output_text.done", { item_id: "msg_1", output_index: 0, content_index: 0, text }),
      ev("response.content_part.done", {
        item_id: "msg_1",
        output_index: 0,
        content_index: 0,
        part: { type: "output_text", text },
      }),
      ev("response.output_item.done", { output_index: 0, item }),
      ev("response.completed", { response: { output: [item] } }),
    ];
    const out = run(responsesStreamGuard(make()), events);
    const expected = "token [REDACTED:TEST_KEY] end";
    expect(
      out
        .filter((e) => e.json.type === "response.output_text.delta")
        .map((e) => e.json.delta)
        .join(""),
    ).toBe(expected);
    expect(out.find((e) => e.json.type === "response.output_text.done")?.json.text).toBe(expected);
    expect(out.find((e) => e.json.type === "response.content_part.done")?.json.part.text).toBe(expected);
    expect(out.find((e) => e.json.type === "response.completed")?.json.response.output[0].content[0].text).toBe(expected);
    expect(out.map((e) => e.json.sequence_number)).toEqual(out.map((_, i) => i));
    expect(JSON.stringify(out)).not.toContain("0123456789");
  });
});

describe("anthropic stream guard", () => {
  it("redacts text deltas and flushes what was held before content_block_stop", () => {
    const text = `here: ${SECRET}`;
    const ev = (type: string, rest: Record<string, unknown>): SseEvent => ({
      event: type,
      data: JSON.stringify({ type, ...rest }),
    });
    const events = [
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ...pieces(text, 4).map((t) => ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: t } })),
      ev("content_block_stop", { index: 0 }),
      ev("message_stop", {}),
    ];
    const out = run(anthropicStreamGuard(make()), events);
    const got = out
      .filter((e) => e.json.type === "content_block_delta")
      .map((e) => e.json.delta.text)
      .join("");
    expect(got).toBe("here: [REDACTED:TEST_KEY]");
    const stopAt = out.findIndex((e) => e.json.type === "content_block_stop");
    expect(out.slice(stopAt + 1).some((e) => e.json.type === "content_block_delta")).toBe(false);
  });
});
