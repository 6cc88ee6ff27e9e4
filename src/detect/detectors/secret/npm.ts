// secret.npm_token: npm access tokens, "npm_" + 36 alphanumerics (30 random + a 6-character checksum).
import { tokenFamily } from "./shared";

export const npm = tokenFamily({
  id: "npm",
  keywords: ["npm_"],
  maxLength: 40,
  formats: [{ kind: "npm_token", source: "npm_[A-Za-z0-9]{36}", prefix: 4, confidence: 0.95 }],
});
