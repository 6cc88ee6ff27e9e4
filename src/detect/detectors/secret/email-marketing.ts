// Email marketing keys besides SendGrid and Mailgun: Mailchimp (32 hex + "-us<dc>") and Brevo, formerly
// Sendinblue (xkeysib-/xsmtpsib-).
import { tokenFamily } from "./shared";

export const emailMarketing = tokenFamily({
  id: "email_marketing",
  keywords: ["-us", "xkeysib-", "xsmtpsib-"],
  maxLength: 90,
  formats: [
    {
      kind: "mailchimp_api_key",
      source: "[0-9a-f]{32}-us\\d{1,2}",
      prefix: 0,
      confidence: 0.9,
      body: (t) => t.slice(0, 32),
    },
    { kind: "brevo_api_key", source: "x(?:key|smtp)sib-[a-f0-9]{64}-[A-Za-z0-9]{16}", prefix: 8, confidence: 0.95 },
  ],
});
