// Anthropic keys: API keys (sk-ant-api03-…AA, 108 characters), Admin API keys (sk-ant-admin01-…AA) and the OAuth
// access/refresh tokens of Claude subscriptions (sk-ant-oat01-, sk-ant-ort01-).
import { tokenFamily } from "./shared";

export const anthropic = tokenFamily({
  id: "anthropic",
  keywords: ["sk-ant-"],
  maxLength: 220,
  formats: [
    { kind: "anthropic_api_key", source: "sk-ant-api\\d\\d-[A-Za-z0-9_-]{93}AA", prefix: 13, confidence: 0.98 },
    { kind: "anthropic_admin_key", source: "sk-ant-admin\\d\\d-[A-Za-z0-9_-]{93}AA", prefix: 15, confidence: 0.98 },
    { kind: "anthropic_oauth_token", source: "sk-ant-o[ar]t\\d\\d-[A-Za-z0-9_-]{40,200}", prefix: 13, confidence: 0.95 },
    // A future key version keeps the "sk-ant-<name><nn>-" shape; the exact forms above are tried first.
    { kind: "anthropic_api_key", source: "sk-ant-[a-z]{3,8}\\d\\d-[A-Za-z0-9_-]{80,200}", prefix: 13, confidence: 0.9 },
  ],
});
