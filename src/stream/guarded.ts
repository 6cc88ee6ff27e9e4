// Per-API stream guards: each text channel of a stream (content, tool-call arguments, per choice or block) gets a TextGuard.
import { RingfenceError } from "../errors";
import { asObject, field } from "../providers/usage";
import type { TextGuard } from "./guard";
import type { SseEvent } from "./sse";

export type GuardFactory = () => TextGuard;
export type EventTransform = (ev: SseEvent) => SseEvent[];

class Channels {
  readonly #make: GuardFactory;
  readonly #guards = new Map<string, TextGuard>();
  /** Everything sent on each channel so far, for events that repeat the full text (`.done`, `completed`). */
  readonly sent = new Map<string, string>();

  constructor(make: GuardFactory) {
    this.#make = make;
  }

  #guard(key: string): TextGuard {
    let g = this.#guards.get(key);
    if (!g) {
      g = this.#make();
      this.#guards.set(key, g);
    }
    return g;
  }

  #checked(key: string, g: TextGuard, out: string, location: string): string {
    if (g.blocked) {
      throw new RingfenceError({ kind: "policy_blocked", detection: g.blocked.kind, location, direction: "response" });
    }
    this.sent.set(key, (this.sent.get(key) ?? "") + out);
    return out;
  }

  push(key: string, delta: string, location: string): string {
    const g = this.#guard(key);
    return this.#checked(key, g, g.push(delta), location);
  }

  end(key: string, location: string): string {
    const g = this.#guards.get(key);
    if (!g) return "";
    this.#guards.delete(key);
    return this.#checked(key, g, g.end(), location);
  }

  open(prefix: string): string[] {
    return [...this.#guards.keys()].filter((k) => k.startsWith(prefix));
  }
}

type Obj = Record<string, unknown>;

/** OpenAI chat: content, refusal and tool-call arguments per choice; a choice's finish chunk carries what was held. */
export function chatStreamGuard(make: GuardFactory): EventTransform {
  const ch = new Channels(make);
  return (ev) => {
    if (ev.data === "[DONE]") return [ev];
    const json = asObject(JSON.parse(ev.data));
    const choices = field(json, "choices");
    if (!json || !Array.isArray(choices)) return [ev];
    for (const choice of choices) {
      const c = asObject(choice);
      if (!c) continue;
      const i = typeof c.index === "number" ? c.index : 0;
      const delta = asObject(c.delta) ?? {};
      for (const name of ["content", "refusal"] as const) {
        const v = delta[name];
        if (typeof v === "string") delta[name] = ch.push(`${i}/${name}`, v, `choices[${i}].delta.${name}`);
      }
      const calls = Array.isArray(delta.tool_calls) ? (delta.tool_calls as unknown[]) : [];
      for (const call of calls) {
        const fn = asObject(field(call, "function"));
        const idx = field(call, "index");
        if (fn && typeof fn.arguments === "string") {
          fn.arguments = ch.push(
            `${i}/tool/${String(idx)}`,
            fn.arguments,
            `choices[${i}].delta.tool_calls[${String(idx)}].function.arguments`,
          );
        }
      }
      if (c.finish_reason != null) {
        for (const name of ["content", "refusal"] as const) {
          const rest = ch.end(`${i}/${name}`, `choices[${i}].delta.${name}`);
          if (rest) delta[name] = (typeof delta[name] === "string" ? (delta[name] as string) : "") + rest;
        }
        for (const key of ch.open(`${i}/tool/`)) {
          const idx = Number(key.slice(`${i}/tool/`.length));
          const rest = ch.end(key, `choices[${i}].delta.tool_calls[${idx}].function.arguments`);
          if (!rest) continue;
          const existing = calls.find((x) => field(x, "index") === idx);
          const fn = asObject(field(existing, "function"));
          if (fn) fn.arguments = `${typeof fn.arguments === "string" ? fn.arguments : ""}${rest}`;
          else calls.push({ index: idx, function: { arguments: rest } });
        }
        if (calls.length) delta.tool_calls = calls;
        c.delta = delta;
      }
    }
    return [{ ...ev, data: JSON.stringify(json) }];
  };
}

/** Responses: every `*.delta` text event is a channel; its `*.done` (and the items that repeat it) get the guarded text. */
export function responsesStreamGuard(make: GuardFactory): EventTransform {
  const ch = new Channels(make);
  let seq = 0;
  const key = (json: Obj, type: string) => {
    const base = type.slice(0, type.lastIndexOf("."));
    return `${base}|${String(json.item_id ?? "")}|${String(json.content_index ?? json.summary_index ?? "")}`;
  };
  const out = (json: Obj, ev: SseEvent): SseEvent => {
    json.sequence_number = seq++;
    return { ...ev, data: JSON.stringify(json) };
  };
  const patchItem = (item: unknown) => {
    const it = asObject(item);
    if (!it) return;
    const id = String(it.id ?? "");
    if (it.type === "function_call" && typeof it.arguments === "string") {
      const sent = ch.sent.get(`response.function_call_arguments|${id}|`);
      if (sent !== undefined) it.arguments = sent;
    }
    const content = Array.isArray(it.content) ? it.content : [];
    content.forEach((part, k) => {
      const p = asObject(part);
      if (!p) return;
      for (const [field_, base] of [
        ["text", "response.output_text"],
        ["refusal", "response.refusal"],
      ] as const) {
        const sent = ch.sent.get(`${base}|${id}|${k}`);
        if (typeof p[field_] === "string" && sent !== undefined) p[field_] = sent;
      }
    });
  };
  return (ev) => {
    const json = asObject(JSON.parse(ev.data));
    if (!json) return [ev];
    const type = typeof json.type === "string" ? json.type : (ev.event ?? "");
    const location = `output item ${String(json.item_id ?? "?")}`;
    if (type.endsWith(".delta") && typeof json.delta === "string" && !type.includes("audio")) {
      json.delta = ch.push(key(json, type), json.delta, location);
      return [out(json, ev)];
    }
    if (type.endsWith(".done") && !type.includes("audio")) {
      const events: SseEvent[] = [];
      const k = key(json, type);
      const rest = ch.end(k, location);
      if (rest) {
        const deltaType = `${type.slice(0, -".done".length)}.delta`;
        const { text: _t, arguments: _a, refusal: _r, part: _p, item: _i, ...ids } = json;
        events.push(out({ ...ids, type: deltaType, delta: rest }, { event: deltaType, data: "" }));
      }
      const sent = ch.sent.get(k);
      for (const f of ["text", "arguments", "refusal"]) if (typeof json[f] === "string" && sent !== undefined) json[f] = sent;
      if (json.part) patchItem({ id: json.item_id, content: [json.part] });
      const part = asObject(json.part);
      if (part && typeof json.content_index === "number") {
        for (const [f, base] of [
          ["text", "response.output_text"],
          ["refusal", "response.refusal"],
        ] as const) {
          const s = ch.sent.get(`${base}|${String(json.item_id)}|${json.content_index}`);
          if (typeof part[f] === "string" && s !== undefined) part[f] = s;
        }
      }
      if (json.item) patchItem(json.item);
      events.push(out(json, ev));
      return events;
    }
    const response = asObject(json.response);
    if (response && Array.isArray(response.output)) for (const item of response.output) patchItem(item);
    return [out(json, ev)];
  };
}

/** Anthropic: each content block is a channel (text, tool input JSON, thinking); its stop event is preceded by what was held. */
export function anthropicStreamGuard(make: GuardFactory): EventTransform {
  const ch = new Channels(make);
  const kinds = new Map<number, { deltaType: string; field: string }>();
  const FIELDS: Record<string, string> = { text_delta: "text", input_json_delta: "partial_json", thinking_delta: "thinking" };
  return (ev) => {
    const json = asObject(JSON.parse(ev.data));
    if (!json) return [ev];
    const index = typeof json.index === "number" ? json.index : -1;
    if (json.type === "content_block_delta") {
      const delta = asObject(json.delta);
      const f = delta && typeof delta.type === "string" ? FIELDS[delta.type] : undefined;
      if (delta && f && typeof delta[f] === "string") {
        kinds.set(index, { deltaType: delta.type as string, field: f });
        delta[f] = ch.push(`${index}`, delta[f] as string, `content[${index}]`);
        return [{ ...ev, data: JSON.stringify(json) }];
      }
      return [ev];
    }
    if (json.type === "content_block_stop") {
      const rest = ch.end(`${index}`, `content[${index}]`);
      const k = kinds.get(index);
      if (!rest || !k) return [ev];
      const flush = { type: "content_block_delta", index, delta: { type: k.deltaType, [k.field]: rest } };
      return [{ event: "content_block_delta", data: JSON.stringify(flush) }, ev];
    }
    return [ev];
  };
}
