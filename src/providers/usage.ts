// Reads token usage out of each API's JSON, tolerating missing or odd fields (a provider's bug must not crash metering).

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export function field(v: unknown, key: string): unknown {
  return obj(v)?.[key];
}

/** OpenAI chat completions and embeddings: usage.prompt_tokens / completion_tokens. */
export function openaiChatUsage(json: unknown): { inputTokens: number; outputTokens: number } | undefined {
  const u = obj(field(json, "usage"));
  if (!u) return undefined;
  return { inputTokens: num(u.prompt_tokens), outputTokens: num(u.completion_tokens) };
}

/** OpenAI Responses: usage.input_tokens / output_tokens. */
export function openaiResponsesUsage(json: unknown): { inputTokens: number; outputTokens: number } | undefined {
  const u = obj(field(json, "usage"));
  if (!u) return undefined;
  return { inputTokens: num(u.input_tokens), outputTokens: num(u.output_tokens) };
}

/** Anthropic: input_tokens plus cache reads/writes (all billed as input), output_tokens. */
export function anthropicUsage(usage: unknown): { inputTokens?: number; outputTokens?: number } {
  const u = obj(usage);
  if (!u) return {};
  const out: { inputTokens?: number; outputTokens?: number } = {};
  if (u.input_tokens !== undefined) {
    out.inputTokens = num(u.input_tokens) + num(u.cache_creation_input_tokens) + num(u.cache_read_input_tokens);
  }
  if (u.output_tokens !== undefined) out.outputTokens = num(u.output_tokens);
  return out;
}

export { obj as asObject };
