// pii.uk_nino: UK National Insurance numbers: two prefix letters, six digits, suffix A–D ("QQ 12 34 56 C" shapes).
// Prefix letters D, F, I, Q, U, V never occur, O never second, and BG, GB, KN, NK, NT, TN, ZZ are not allocated
// (so HMRC's own sample "QQ123456C" is not reported). No check digit exists; upper case only, as issued.
import type { Detector, Finding } from "../../types";
import { hasContextBefore } from "./context";

const NINO = /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![A-Za-z0-9])/g;
const UNALLOCATED = new Set(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]);
const LABEL = /\b(?:nino|ni number|ni no|national insurance)/i;
const CONTEXT_WINDOW = 40;

export const ukNino: Detector = {
  id: "uk_nino",
  category: "pii",
  keywords: [],
  maxLength: 13,
  detect(text) {
    const out: Finding[] = [];
    NINO.lastIndex = 0;
    for (let m = NINO.exec(text); m !== null; m = NINO.exec(text)) {
      if (UNALLOCATED.has(m[1]!)) continue;
      const confidence = hasContextBefore(text, m.index, LABEL, CONTEXT_WINDOW) ? 0.95 : 0.85;
      out.push({ kind: "pii.uk_nino", category: "pii", start: m.index, end: m.index + m[0].length, confidence });
    }
    return out;
  },
};
