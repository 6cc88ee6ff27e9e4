// Keys of OpenAI-compatible APIs: OpenRouter (sk-or-v1- + 64 hex) and the bare "sk-" + 32–64 alphanumerics many
// providers issue (DeepSeek, Moonshot, …). The bare form names no vendor, but "sk-" + a long mixed run is a key.
import { tokenFamily } from "./shared";

export const openaiCompatible = tokenFamily({
  id: "openai_compatible",
  keywords: ["sk-"],
  maxLength: 73,
  formats: [
    { kind: "openrouter_api_key", source: "sk-or-v1-[a-f0-9]{64}", prefix: 9, confidence: 0.95 },
    // Generated keys mix letters and digits; "sk-" glued to a long word is a slug, not a key.
    {
      kind: "sk_api_key",
      source: "sk-[A-Za-z0-9]{32,64}",
      prefix: 3,
      confidence: 0.85,
      minEntropy: 3.2,
      accept: (body) => /[0-9]/.test(body) && /[A-Za-z]/.test(body),
    },
  ],
});
