// Mention or use: an attack phrase quoted in a discussion of attacks is talked about, not addressed to the model.
import type { Hit } from "./anchors";
import { countBelow, lineBreakBefore } from "./text";

const DISCUSSION =
  /\b(?:prompt[- ]injections?|injection\s+attacks?|jailbreak(?:s|ing)?\b|attackers?|adversar(?:y|ies|ial)|malicious|exploit(?:s|ed|ing)?\b|such\s+as|e\.g\.|for\s+(?:example|instance)|phrases?\s+like|strings?\s+like|known\s+as|researchers?|examples?\s+of|payloads?|red[- ]team\w*|classifiers?|guardrails?|security|vulnerab\w*|mitigat\w*|defen[cs]e\w*|detect\w*|injection\s+de\s+prompt|attaques?\b|angriff\w*|aanval\w*|ataques?\b)/i;
const REPORTED_BEFORE =
  /\b(?:to|says?|said|saying|writes?|wrote|typed?|like|tells?|told|telling|asks?|asked|asking|instructs?|instructed|instructing)\s*[:,]?\s*["“«„'‘`]?\s*$/i;
/** A documentation aside about the reader's setup ("if you use Docker, ..."), not "if you are an AI, ...". */
const CONDITIONAL =
  /\b(?:if\s+you(?:'re|\s+are)?\s+(?:using|use|run|running|on|already|have|installed|prefer|want|need|deploy|deploying)|unless\s+you|in\s+case\s+you)\b/i;

/** How far back a code fence is looked for: a fence farther away than this is not seen (locality, see engine.ts). */
const FENCE_REACH = 500;

/** Offsets of "```" fences in the last text seen, found once: a text can hold many hits. */
let fenceText: string | undefined;
let fences: number[] = [];

/** The fences in the FENCE_REACH characters before `at`. */
function fencesBefore(text: string, at: number): number {
  if (fenceText !== text) {
    fenceText = text;
    fences = [];
    for (let i = text.indexOf("```"); i !== -1; i = text.indexOf("```", i + 3)) fences.push(i);
  }
  return countBelow(fences, at) - countBelow(fences, at - FENCE_REACH);
}

/** True when `at` sits inside a quotation or a code span on its line, or inside a fenced code block opened nearby. */
function isQuoted(text: string, at: number): boolean {
  const line = lineBreakBefore(text, at, 400);
  const from = line === -1 ? Math.max(0, at - 400) : line + 1;
  let straight = 0;
  let ticks = 0;
  let curly = 0;
  for (let i = from; i < at; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) straight++;
    else if (c === 96) ticks++;
    else if (c === 0x201c || c === 0xab || c === 0x201e) curly++;
    else if ((c === 0x201d || c === 0xbb) && curly > 0) curly--;
  }
  if (straight % 2 === 1 || ticks % 2 === 1 || curly > 0) return true;
  return fencesBefore(text, at) % 2 === 1;
}

/** Context factor for a hit: 1 for use; lower for a mention (quoted, in discussion, in a conditional aside). */
export function contextFactor(text: string, hit: Hit, conditional: boolean): number {
  const at = hit.at ?? hit.start;
  const window = text.slice(Math.max(0, at - 250), Math.min(text.length, hit.end + 150));
  const discussion = DISCUSSION.test(window);
  const quoted = isQuoted(text, at);
  let factor = 1;
  if (quoted && discussion) factor = 0.4;
  else if (discussion && REPORTED_BEFORE.test(text.slice(Math.max(0, at - 40), at))) factor = 0.5;
  else if (quoted) factor = 0.8;
  else if (discussion) factor = 0.85;
  if (conditional) {
    const sentence = text.slice(Math.max(0, at - 120), hit.end);
    if (CONDITIONAL.test(sentence)) factor *= 0.5;
  }
  return factor;
}
