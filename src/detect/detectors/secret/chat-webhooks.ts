// Chat webhook URLs besides Slack's: Discord and Microsoft Teams incoming webhooks, spanned whole (the URL is the
// credential).
import { tokenFamily } from "./shared";

const lastSegment = (url: string): string => url.slice(url.lastIndexOf("/") + 1);

export const chatWebhooks = tokenFamily({
  id: "chat_webhooks",
  keywords: ["discord", "webhook.office.com"],
  maxLength: 360,
  formats: [
    {
      kind: "discord_webhook_url",
      source: "https://(?:(?:ptb|canary)\\.)?discord(?:app)?\\.com/api/webhooks/\\d{17,20}/[A-Za-z0-9_-]{60,72}",
      prefix: 0,
      confidence: 0.95,
      body: lastSegment,
    },
    {
      kind: "teams_webhook_url",
      source:
        "https://[a-z0-9-]{1,63}\\.webhook\\.office\\.com/webhookb2/[a-f0-9-]{36}@[a-f0-9-]{36}/IncomingWebhook/[a-f0-9]{32}/[a-f0-9-]{36}(?:/[A-Za-z0-9_-]{10,80})?",
      prefix: 0,
      confidence: 0.95,
      body: (url) => url.slice(url.indexOf("/IncomingWebhook/") + 17, url.indexOf("/IncomingWebhook/") + 49),
    },
  ],
});
