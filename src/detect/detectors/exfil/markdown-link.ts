// exfil.markdown_link: a link whose URL carries data — one click (or a link preview) hands the data to its host.
//
// Decisions (tested in test/unit/detect-exfil.test.ts):
// - Covers inline links and reference definitions; images are left to exfil.markdown_image.
// - Reported when the URL's data score (see url.ts) is at least 0.45, at that score: a link needs a click, so it
//   is weighed below an image. Search links ("?q=how+to+bake+bread") and docs links are not findings.
// - The span is the whole element ("[text](url)"; the URL of a reference definition).
import type { Detector, Finding } from "../../types";
import { MAX_ELEMENT, markdownUrls } from "./markdown";
import { dataScore } from "./url";

const MIN_SCORE = 0.45;

export const markdownLink: Detector = {
  id: "markdown_link",
  category: "exfil",
  keywords: ["](", "]:"],
  maxLength: MAX_ELEMENT,
  detect(text) {
    const out: Finding[] = [];
    for (const u of markdownUrls(text)) {
      if (u.image) continue;
      const score = dataScore(text.slice(u.start, u.end));
      if (score < MIN_SCORE) continue;
      out.push({
        kind: "exfil.markdown_link",
        category: "exfil",
        start: u.elementStart,
        end: u.elementEnd,
        confidence: Math.round(score * 1000) / 1000,
      });
    }
    return out;
  },
};
