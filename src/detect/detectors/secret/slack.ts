// Slack tokens: bot (xoxb-), user (xoxp-), app-level (xapp-), configuration (xoxe.xoxb-/xoxe-) and legacy
// workspace / session tokens (xoxa-, xoxr-, xoxs-, xoxo-).
import { tokenFamily } from "./shared";

/** Ids in a Slack token are digits; the random part is its last segment, so placeholders are judged there. */
const lastSegment = (token: string): string => token.slice(token.lastIndexOf("-") + 1);

export const slack = tokenFamily({
  id: "slack",
  keywords: ["xoxb-", "xoxp-", "xapp-", "xoxe", "xoxa-", "xoxr-", "xoxs-", "xoxo-"],
  maxLength: 200,
  formats: [
    // Current bot tokens carry team and bot ids; legacy ones a single id.
    {
      kind: "slack_bot_token",
      source: "xoxb-[0-9]{8,14}-(?:[0-9]{8,14}-)?[A-Za-z0-9]{18,34}",
      prefix: 5,
      confidence: 0.95,
      body: lastSegment,
    },
    {
      kind: "slack_user_token",
      source: "xoxp-[0-9]{8,14}-[0-9]{8,14}-[0-9]{8,14}-[A-Za-z0-9]{28,34}",
      prefix: 5,
      confidence: 0.95,
      body: lastSegment,
    },
    {
      kind: "slack_app_token",
      source: "xapp-\\d-[A-Z0-9]{8,14}-\\d{8,14}-[A-Za-z0-9]{32,80}",
      prefix: 5,
      confidence: 0.95,
      body: lastSegment,
    },
    {
      kind: "slack_config_token",
      source: "xoxe\\.xox[bp]-\\d-[A-Za-z0-9]{140,180}|xoxe-\\d-[A-Za-z0-9]{140,160}",
      prefix: 5,
      confidence: 0.95,
      body: lastSegment,
    },
    {
      kind: "slack_legacy_token",
      source: "xox[aors]-(?:[0-9A-Za-z]{1,20}-){0,4}[0-9A-Za-z]{10,64}",
      prefix: 5,
      confidence: 0.9,
      body: lastSegment,
    },
  ],
});
