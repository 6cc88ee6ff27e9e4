// Hugging Face user access tokens (hf_ + 34) and organization API tokens (api_org_ + 34).
import { tokenFamily } from "./shared";

export const huggingface = tokenFamily({
  id: "huggingface",
  keywords: ["hf_", "api_org_"],
  maxLength: 42,
  formats: [
    { kind: "huggingface_token", source: "hf_[A-Za-z0-9]{34}", prefix: 3, confidence: 0.92 },
    { kind: "huggingface_org_token", source: "api_org_[A-Za-z0-9]{34}", prefix: 8, confidence: 0.92 },
  ],
});
