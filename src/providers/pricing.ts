// Prices (USD per million tokens) of current OpenAI and Anthropic models, overridable per org; worst-case estimates.
import type { ModelPrice } from "../registry/config";

/** Longest matching prefix wins, so dated snapshots ("gpt-4o-2024-08-06") price like their family. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  "gpt-5": { input: 1.25, output: 10, maxOutput: 128_000 },
  "gpt-5-mini": { input: 0.25, output: 2, maxOutput: 128_000 },
  "gpt-5-nano": { input: 0.05, output: 0.4, maxOutput: 128_000 },
  "gpt-5-pro": { input: 15, output: 120, maxOutput: 272_000 },
  "gpt-4.1": { input: 2, output: 8, maxOutput: 32_768 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, maxOutput: 32_768 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4, maxOutput: 32_768 },
  "gpt-4o": { input: 2.5, output: 10, maxOutput: 16_384 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, maxOutput: 16_384 },
  "gpt-4-turbo": { input: 10, output: 30, maxOutput: 4_096 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5, maxOutput: 4_096 },
  o1: { input: 15, output: 60, maxOutput: 100_000 },
  "o1-mini": { input: 1.1, output: 4.4, maxOutput: 65_536 },
  o3: { input: 2, output: 8, maxOutput: 100_000 },
  "o3-mini": { input: 1.1, output: 4.4, maxOutput: 100_000 },
  "o3-pro": { input: 20, output: 80, maxOutput: 100_000 },
  "o4-mini": { input: 1.1, output: 4.4, maxOutput: 100_000 },
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  "text-embedding-ada-002": { input: 0.1, output: 0 },
  // Anthropic
  "claude-opus-4-5": { input: 5, output: 25, maxOutput: 64_000 },
  "claude-opus-4-1": { input: 15, output: 75, maxOutput: 32_000 },
  "claude-opus-4": { input: 15, output: 75, maxOutput: 32_000 },
  "claude-sonnet-4-5": { input: 3, output: 15, maxOutput: 64_000 },
  "claude-sonnet-4": { input: 3, output: 15, maxOutput: 64_000 },
  "claude-haiku-4-5": { input: 1, output: 5, maxOutput: 64_000 },
  "claude-3-7-sonnet": { input: 3, output: 15, maxOutput: 64_000 },
  "claude-3-5-sonnet": { input: 3, output: 15, maxOutput: 8_192 },
  "claude-3-5-haiku": { input: 0.8, output: 4, maxOutput: 8_192 },
  "claude-3-haiku": { input: 0.25, output: 1.25, maxOutput: 4_096 },
  "claude-3-opus": { input: 15, output: 75, maxOutput: 4_096 },
  // The built-in demo model costs nothing.
  echo: { input: 0, output: 0, maxOutput: 4_096 },
};

/** Without a price or a request maximum, reserve this many output tokens. */
export const FALLBACK_MAX_OUTPUT = 16_384;

const sortedDefaults = Object.keys(DEFAULT_PRICES).sort((a, b) => b.length - a.length);

function longestPrefix(model: string, keys: readonly string[]): string | undefined {
  return keys.find((k) => model === k || model.startsWith(`${k}-`) || model.startsWith(`${k}:`));
}

/** Org overrides (exact name or prefix) first, then the built-in table; null when the model has no price. */
export function priceFor(model: string, overrides: Readonly<Record<string, ModelPrice>>): ModelPrice | null {
  const own =
    overrides[model] ??
    (() => {
      const k = longestPrefix(
        model,
        Object.keys(overrides).sort((a, b) => b.length - a.length),
      );
      return k === undefined ? undefined : overrides[k];
    })();
  if (own) return own;
  const k = longestPrefix(model, sortedDefaults);
  return k === undefined ? null : (DEFAULT_PRICES[k] ?? null);
}

export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}

/**
 * An upper-bound estimate of the input tokens of a request body: BPE tokenizers average about 4 bytes a token
 * on English and code, but dense text (CJK, base64, digits) can approach 1 byte a token, so reserve at 2 bytes
 * a token plus a per-message overhead. Settlement replaces this by the provider's count.
 */
export function estimateInputTokens(serializedBytes: number): number {
  return Math.ceil(serializedBytes / 2) + 16;
}
