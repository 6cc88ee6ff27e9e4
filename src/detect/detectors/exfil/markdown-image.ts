// exfil.markdown_image: an image whose URL carries data — the client fetches it unasked, so rendering it leaks the data.
//
// Decisions (tested in test/unit/detect-exfil.test.ts):
// - Covers inline images, reference-style images and HTML <img src>: every form a chat UI may render. A reference
//   definition counts as an image when an image uses its label within REF_REACH (1024 characters) of it.
// - Reported when the URL's data score (see url.ts) is at least 0.4; confidence is that score plus 0.2 (zero-click:
//   no one has to follow the link). An ordinary image (logo, CDN asset, cache-busting "?v=3") is not a finding.
// - The span is the whole element ("![alt](url)", "<img ...>"; the URL of a reference definition), so redaction
//   leaves "[REDACTED:MARKDOWN_IMAGE]", which fetches nothing.
import type { Detector, Finding } from "../../types";
import { imgUrls, MAX_IMAGE_CONTEXT, markdownUrls } from "./markdown";
import { dataScore } from "./url";

const MIN_SCORE = 0.4;
const ZERO_CLICK = 0.2;

export const markdownImage: Detector = {
  id: "markdown_image",
  category: "exfil",
  keywords: ["![", "<img"],
  // A reference-style image's definition may sit up to REF_REACH from its "![": the window must hold both.
  maxLength: MAX_IMAGE_CONTEXT,
  detect(text) {
    const out: Finding[] = [];
    for (const u of [...markdownUrls(text), ...imgUrls(text)]) {
      if (!u.image) continue;
      const score = dataScore(text.slice(u.start, u.end));
      if (score < MIN_SCORE) continue;
      out.push({
        kind: "exfil.markdown_image",
        category: "exfil",
        start: u.elementStart,
        end: u.elementEnd,
        confidence: round(Math.min(0.99, score + ZERO_CLICK)),
      });
    }
    return out;
  },
};

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
