// OpenAI keys: project (sk-proj-), service-account (sk-svcacct-), admin (sk-admin-) and legacy user keys
// (sk-…T3BlbkFJ…, where "T3BlbkFJ" is base64 of "OpenAI").
import { tokenFamily } from "./shared";

export const openai = tokenFamily({
  id: "openai",
  keywords: ["sk-proj-", "sk-svcacct-", "sk-admin-", "sk-none-", "t3blbkfj"],
  maxLength: 320,
  formats: [
    { kind: "openai_api_key", source: "sk-(?:proj|None)-[A-Za-z0-9_-]{40,300}", prefix: 8, confidence: 0.95 },
    { kind: "openai_service_account_key", source: "sk-svcacct-[A-Za-z0-9_-]{40,300}", prefix: 11, confidence: 0.95 },
    { kind: "openai_admin_key", source: "sk-admin-[A-Za-z0-9_-]{40,300}", prefix: 9, confidence: 0.95 },
    { kind: "openai_api_key", source: "sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}", prefix: 3, confidence: 0.97 },
  ],
});
