// secret.facebook_access_token: Meta Graph API user, page and system-user access tokens ("EAA" + app marker + a long
// alphanumeric run). Square's production tokens also start "EAAA" but are exactly 64 characters (commerce.ts).
import { tokenFamily } from "./shared";

export const facebook = tokenFamily({
  id: "facebook_access_token",
  keywords: ["eaa"],
  maxLength: 403,
  formats: [{ kind: "facebook_access_token", source: "EAA[A-Za-z0-9]{90,400}", prefix: 4, confidence: 0.85, minEntropy: 4 }],
  edge: "A-Za-z0-9_+/=\\-",
});
