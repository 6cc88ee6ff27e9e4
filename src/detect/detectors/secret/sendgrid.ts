// secret.sendgrid_api_key: "SG." + 22-character key id + "." + 43-character secret.
import { tokenFamily } from "./shared";

export const sendgrid = tokenFamily({
  id: "sendgrid",
  keywords: ["sg."],
  maxLength: 69,
  formats: [{ kind: "sendgrid_api_key", source: "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}", prefix: 3, confidence: 0.95 }],
});
