// `node --experimental-strip-types bench/detect/policy.ts`: what the standard policy adds to one call, measured where it
// runs — the request guard on a 4 KB chat body and the response guard on its answer (JSON), and the stream guard on the
// first delta of an answer (its time-to-first-token cost). Everything else on the hot path is the same with or without
// policy, so these are the added latency. Prints p50/p99 in µs.
import { register } from "node:module";

register("./resolve-ts.ts", import.meta.url);

const { CallPolicy } = await import("../../workers/gateway/policy.ts");
const { compilePolicy } = await import("../../src/policy/resolve.ts");
const { openaiChat } = await import("../../src/providers/openai-chat.ts");

const policy = compilePolicy("standard");
const prose =
  "We reviewed the quarterly latency report with the platform team. The gateway kept p99 under budget, but the " +
  "retry storm on Tuesday doubled upstream cost for about an hour. Action items: tune the backoff, add a per-tenant " +
  "rate limit, and write the post-mortem. Contact the on-call lead before changing production settings. ";
const code =
  "export function retry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {\n  return fn().catch((e) => (attempts > 1 ? retry(fn, attempts - 1) : Promise.reject(e)));\n}\n";
let content = "";
while (content.length < 4096) content += content.length % 3 === 0 ? code : prose;
content = content.slice(0, 4096);
const body = {
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content },
  ],
};
const answer = {
  id: "c",
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content: prose }, finish_reason: "stop" }],
};
const firstDelta = {
  data: JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "Sure" } }] }),
};
const secondDelta = {
  data: JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: ", here" } }] }),
};

function measure(label: string, fn: () => void, n = 3000): void {
  for (let i = 0; i < 300; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn();
    t.push((performance.now() - s) * 1000);
  }
  t.sort((a, b) => a - b);
  const q = (p: number) => (t[Math.min(t.length - 1, Math.floor(p * t.length))] as number).toFixed(0);
  console.log(`| ${label} | ${q(0.5)} | ${q(0.99)} |`);
}

console.log("| step (standard preset) | p50 µs | p99 µs |\n|---|--:|--:|");
measure("request guard, 4 KB chat body", () => new CallPolicy(policy).guardRequest(body));
measure("response guard, non-streamed answer", () => new CallPolicy(policy).guardResponse(answer));
measure("request + response guards together", () => {
  const p = new CallPolicy(policy);
  p.guardRequest(body);
  p.guardResponse(answer);
});
// Time to first token: the first delta's text is released once the next one shows it was a whole word.
measure("stream guard: first two deltas (time to first token)", () => {
  const obs = new CallPolicy(policy).guardStream(
    openaiChat.observer({ model: "m", messages: [{ role: "user" }], stream: true }),
    "chat.completions",
  );
  obs.onEvent(firstDelta);
  obs.onEvent(secondDelta);
});
