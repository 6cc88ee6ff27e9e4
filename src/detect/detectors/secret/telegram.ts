// secret.telegram_bot_token: "<bot id>:AA<33 characters>", also inside Bot API URLs (https://api.telegram.org/bot<id>:…).
import { tokenFamily } from "./shared";

export const telegram = tokenFamily({
  id: "telegram_bot_token",
  keywords: [":aa"],
  maxLength: 46,
  formats: [
    {
      kind: "telegram_bot_token",
      source: "\\d{8,10}:AA[A-Za-z0-9_-]{33}",
      prefix: 0,
      confidence: 0.85,
      body: (t) => t.slice(t.indexOf(":") + 3),
    },
  ],
  // A longer number is not a bot id, but letters may precede one: the Bot API puts "bot" right before it.
  before: "0-9",
});
