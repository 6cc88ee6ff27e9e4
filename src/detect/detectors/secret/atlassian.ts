// Atlassian and Bitbucket credentials: Bitbucket app passwords (ATBB…), Atlassian API tokens (ATATT3…) and
// Bitbucket repository/workspace access tokens (ATCTT3…).
import { tokenFamily } from "./shared";

export const atlassian = tokenFamily({
  id: "atlassian",
  keywords: ["atbb", "atatt3", "atctt3"],
  maxLength: 256,
  formats: [
    { kind: "bitbucket_app_password", source: "ATBB[A-Za-z0-9]{24,48}", prefix: 4, confidence: 0.9 },
    // A base64url payload, "=", then an 8-hex checksum: about 192 characters in all.
    { kind: "atlassian_api_token", source: "ATATT3[A-Za-z0-9_=-]{150,250}", prefix: 6, confidence: 0.95 },
    { kind: "bitbucket_access_token", source: "ATCTT3[A-Za-z0-9_=-]{150,250}", prefix: 6, confidence: 0.95 },
  ],
  edge: "A-Za-z0-9_=\\-",
});
