// secret.slack_webhook_url: hooks.slack.com incoming-webhook, workflow and trigger URLs. The whole URL is the secret:
// anyone holding it can post to the channel.
import type { Detector, Finding } from "../../types";
import { isPlaceholder } from "./placeholders";
import { eachMatch, secretFinding } from "./shared";

const PATTERN = /(?<![A-Za-z0-9.-])(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_+/-]{20,160}/g;

export const slackWebhook: Detector = {
  id: "slack_webhook_url",
  category: "secret",
  keywords: ["hooks.slack.com"],
  maxLength: 220,
  detect(text) {
    const out: Finding[] = [];
    eachMatch(PATTERN, text, (m) => {
      const url = m[0].replace(/\/+$/, "");
      const path = url.slice(url.indexOf("hooks.slack.com/") + 16).split("/");
      // services/T…/B…/secret: at least two ids and a random last segment.
      const secret = path[path.length - 1] ?? "";
      if (path.length < 4 || secret.length < 16 || isPlaceholder(secret)) return;
      out.push(secretFinding("slack_webhook_url", m.index, m.index + url.length, 0.95));
    });
    return out;
  },
};
