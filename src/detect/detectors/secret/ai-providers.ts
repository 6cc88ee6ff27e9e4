// API keys of model providers with a vendor prefix (OpenAI, Anthropic, Hugging Face and Google have their own files):
// Groq (gsk_), xAI (xai-), Perplexity (pplx-), Replicate (r8_) and LangSmith (lsv2_pt_/lsv2_sk_).
import { tokenFamily } from "./shared";

export const aiProviders = tokenFamily({
  id: "ai_providers",
  keywords: ["gsk_", "xai-", "pplx-", "r8_", "lsv2_"],
  maxLength: 84,
  formats: [
    { kind: "groq_api_key", source: "gsk_[A-Za-z0-9]{52}", prefix: 4, confidence: 0.95 },
    { kind: "xai_api_key", source: "xai-[A-Za-z0-9]{80}", prefix: 4, confidence: 0.95 },
    { kind: "perplexity_api_key", source: "pplx-[A-Za-z0-9]{48}", prefix: 5, confidence: 0.95 },
    { kind: "replicate_api_token", source: "r8_[A-Za-z0-9]{37}", prefix: 3, confidence: 0.9 },
    { kind: "langsmith_api_key", source: "lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", prefix: 8, confidence: 0.95 },
  ],
});
