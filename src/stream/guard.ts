// The stream window: scans text deltas as they come, holds back only what could still be an unfinished finding.
import { applyDecisions, type Decision, decide } from "../detect/apply";
import { scan } from "../detect/scan";
import type { Detector } from "../detect/types";
import { MAX_PLACEHOLDER_LENGTH, type Vault } from "../detect/vault";
import type { Rules } from "../policy/schema";

export interface GuardOptions {
  detectors: readonly Detector[];
  rules: Rules;
  minConfidence: number;
  enforce: boolean;
  vault: Vault;
  /** The longest span a detector can report (context included): nothing older than this can still change. */
  window: number;
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** Characters of digit groups: cards, phones, IBANs and national ids as people write them. */
const isGroupChar = (c: number): boolean =>
  isDigit(c) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 32 ||
  c === 9 ||
  c === 40 ||
  c === 41 ||
  c === 46 ||
  c === 45 ||
  c === 47 ||
  c === 43;

const ASSIGNMENT_TAIL =
  /(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|client[_-]?secret|auth(?:orization)?|bearer|credential)s?["']?[ \t]{0,4}[:=]?[ \t]{0,4}["']?[ \t]{0,4}$/i;
const MARKDOWN_TAIL = /^!?\[[^\]\n]{0,200}(?:\]\(?[^)\s]{0,2048})?$/;
const PEM_BEGIN = "-----BEGIN";
/**
 * Text already sent that is kept for detectors needing what came before a value ("password = ", a JSON key).
 * Longer values are never split by the cut (open tails and unfinished findings are held whole), so this
 * bounds context, not values.
 */
const CONTEXT = 256;

/**
 * Where held-back text starts: the earliest suffix that may be the start of a finding whose end has not arrived —
 * the word in progress, digit groups (cards, phones, IBANs), an assignment waiting for its value, a markdown link,
 * a PEM block — never before `floor`. Each check walks back from the end a bounded distance.
 */
function holdFrom(text: string, floor: number): number {
  const n = text.length;
  let cut = n;
  let i = n;
  while (i > floor && !isSpace(text.charCodeAt(i - 1))) i--;
  cut = Math.min(cut, i);
  let j = n;
  let digits = false;
  while (j > floor && n - j < 48 && isGroupChar(text.charCodeAt(j - 1))) {
    if (isDigit(text.charCodeAt(j - 1))) digits = true;
    j--;
  }
  if (digits) cut = Math.min(cut, j);
  const near = Math.max(floor, n - 64);
  const assignment = ASSIGNMENT_TAIL.exec(text.slice(near));
  if (assignment) cut = Math.min(cut, near + assignment.index);
  const bracket = text.lastIndexOf("[", n - 1);
  if (bracket >= Math.max(floor, n - 2300)) {
    const start = bracket > 0 && text[bracket - 1] === "!" ? bracket - 1 : bracket;
    if (MARKDOWN_TAIL.test(text.slice(start))) cut = Math.min(cut, start);
  }
  const pem = text.lastIndexOf(PEM_BEGIN);
  if (pem >= floor && text.indexOf("-----END", pem) < 0) cut = Math.min(cut, pem);
  return Math.max(cut, floor);
}

export class TextGuard {
  readonly #o: GuardOptions;
  /** Already emitted: kept (up to the window) as context for detectors that need what came before. */
  #behind = "";
  #pending = "";
  readonly decisions: Decision[] = [];
  blocked: Decision | undefined;

  constructor(options: GuardOptions) {
    this.#o = options;
  }

  /** Adds a delta; returns the text that is now safe to send (possibly empty). */
  push(delta: string): string {
    this.#pending += delta;
    return this.#drain(false);
  }

  /** The channel ended: everything left is decided and sent. */
  end(): string {
    return this.#drain(true);
  }

  #drain(final: boolean): string {
    if (this.blocked) return "";
    const o = this.#o;
    const offset = this.#behind.length;
    const text = this.#behind + this.#pending;
    let cut = final ? text.length : Math.max(offset, holdFrom(text, Math.max(offset, text.length - o.window)));
    // Nothing can be released yet (the delta only extends an open tail): no need to scan.
    if (cut <= offset && !final) return "";
    const findings = scan(text, o.detectors).filter((f) => f.end > offset);
    if (!final) {
      // A finding that reaches the end may still grow; one the cut would split is held whole.
      for (const f of findings)
        if (f.start < cut && (f.end >= text.length || f.end > cut)) cut = Math.max(offset, Math.min(cut, f.start));
      // Never split a placeholder being restored.
      const open = text.lastIndexOf("<", cut - 1);
      if (open >= Math.max(offset, cut - MAX_PLACEHOLDER_LENGTH)) {
        const close = text.indexOf(">", open);
        if (close < 0 || close >= cut) cut = open;
      }
    }
    const decided = decide(
      findings.filter((f) => f.start < cut),
      o.rules,
      o.minConfidence,
    ).map((d) => ({ ...d, start: Math.max(d.start, offset) - offset, end: Math.min(d.end, cut) - offset }));
    this.decisions.push(...decided);
    const out = applyDecisions(text.slice(offset, cut), decided, o.vault, o.enforce);
    if (out.blocked) {
      this.blocked = out.blocked;
      return "";
    }
    this.#behind = text.slice(Math.max(0, cut - Math.min(o.window, CONTEXT)), cut);
    this.#pending = text.slice(cut);
    return o.vault.restore(out.text);
  }
}
