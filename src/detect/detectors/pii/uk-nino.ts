// pii.uk_nino: UK National Insurance numbers: two prefix letters, six digits, suffix A–D ("QQ 12 34 56 C" shapes).
// Prefix letters D, F, I, Q, U, V never occur, O never second, and BG, GB, KN, NK, NT, TN, ZZ are not allocated
// (so HMRC's own sample "QQ123456C" is not reported). No check digit exists; upper case only, as issued.
import type { Detector } from "../../types";
import { type IdentifierKind, identifierDetector } from "./clusters";
import { hasContextBefore, isUpper } from "./context";

/** The shared pass tries it only where no letter or digit precedes. */
const NINO = /([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![A-Za-z0-9])/y;
const UNALLOCATED = new Set(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]);
const LABEL = /\b(?:nino|ni number|ni no|national insurance)/i;
const CONTEXT_WINDOW = 40;

export const ukNinoKind: IdentifierKind = {
  kind: "pii.uk_nino",
  maxLength: 13,
  startsWithLetters: (first, second) => isUpper(first) && isUpper(second),
  atLetters(text, p, out) {
    NINO.lastIndex = p;
    const m = NINO.exec(text);
    if (m === null) return -1;
    const end = p + m[0].length;
    if (UNALLOCATED.has(m[1]!)) return end;
    const confidence = hasContextBefore(text, p, LABEL, CONTEXT_WINDOW) ? 0.95 : 0.85;
    out.push({ kind: "pii.uk_nino", category: "pii", start: p, end, confidence });
    return end;
  },
};

export const ukNino: Detector = identifierDetector("uk_nino", [ukNinoKind]);
