// Developer SaaS tokens with a vendor prefix: Linear (lin_api_), Notion (ntn_), Postman (PMAK-), Sentry
// (sntryu_/sntrys_) and Grafana (glc_/glsa_).
import { tokenFamily } from "./shared";

export const devTools = tokenFamily({
  id: "dev_tools",
  keywords: ["lin_api_", "ntn_", "pmak-", "sntryu_", "sntrys_", "glc_", "glsa_"],
  maxLength: 620,
  formats: [
    { kind: "linear_api_key", source: "lin_api_[A-Za-z0-9]{40}", prefix: 8, confidence: 0.95 },
    { kind: "notion_token", source: "ntn_[0-9]{11}[A-Za-z0-9]{35}", prefix: 15, confidence: 0.95 },
    { kind: "postman_api_key", source: "PMAK-[a-f0-9]{24}-[a-f0-9]{34}", prefix: 5, confidence: 0.95 },
    { kind: "sentry_token", source: "sntryu_[a-f0-9]{64}|sntrys_eyJ[A-Za-z0-9+/=_]{80,600}", prefix: 7, confidence: 0.95 },
    {
      kind: "grafana_token",
      source: "glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,3}",
      prefix: 5,
      confidence: 0.95,
    },
  ],
  edge: "A-Za-z0-9_+/=\\-",
});
