// The contract between the shared identifier pass (clusters.ts) and each PII kind it serves, and the dispatch tables
// compiled from the kinds' declarations once per kind set.
import type { Finding } from "../../types";

/** A PII kind validated inside the shared pass. Every hook must be cheap on a miss: it runs for every candidate. */
export interface IdentifierKind {
  /** The finding kind, e.g. "pii.phone". */
  readonly kind: string;
  /** Longest text (context included) a finding of this kind needs: see Detector.maxLength. */
  readonly maxLength: number;
  /**
   * Digit-led and cluster kinds: the fewest digits a value holds. The pass offers a kind no candidate with fewer
   * digits left in its cluster (digits after a letter, as in a Corsican NIR's "2A…", start a cluster of their own).
   */
  readonly minDigits?: number;
  /**
   * Digit-led kinds: whether a value can start with a digit group of `length` digits (24 stands for 24 or more)
   * whose first digit is `first` (0–9), followed by the character `next` (128 stands for any other character and the
   * end of the text). Evaluated when the kind set is first used, to build the dispatch table; never per candidate.
   */
  readonly startsWith?: (length: number, next: number, first: number) => boolean;
  /**
   * Tries a value at `p`, the first digit of a group of `length` digits. Returns where the kind's pattern match
   * ended (the next try starts there, as a global regex resumes after its match, reported or not), or -1.
   */
  readonly atDigits?: (text: string, p: number, length: number, out: Finding[]) => number;
  /**
   * Letter-led kinds: whether a value can start with the letter `first` followed by the character `second` (128 as
   * for startsWith). Evaluated when the kind set is first used; absent means any.
   */
  readonly startsWithLetters?: (first: number, second: number) => boolean;
  /** Letter-led kinds: tries a value at `p`, a letter not preceded by a letter or digit. Returns as atDigits. */
  readonly atLetters?: (text: string, p: number, out: Finding[]) => number;
  /**
   * Cluster kinds: reads the cluster [start, end), whose first digit group ends at `firstGroupEnd`, from `from` on.
   * Returns where the next read may start.
   */
  readonly inCluster?: (text: string, start: number, end: number, firstGroupEnd: number, from: number, out: Finding[]) => number;
  /**
   * Cluster kinds: whether to read a cluster that is one group of `length` digits (24: or more) – `zeroZero` if it
   * opens with "00", `opened` if "+" or "(" comes right before it, `continued` if a space, "-", "." or "/" comes
   * right after it. Evaluated when the kind set is first used; absent means always. Most clusters are such runs (ids,
   * amounts, timestamps), so this keeps them from costing a call each.
   */
  readonly readsBareRun?: (length: number, zeroZero: boolean, opened: boolean, continued: boolean) => boolean;
  /** Colon kinds: called once after the pass with the colons near clusters, ascending (may be empty). */
  readonly atColons?: (text: string, colons: readonly number[], out: Finding[]) => void;
}

/** Longest digit group the tables tell apart: longer ones count as this long. */
export const MAX_GROUP = 24;
/** Stands for every character code from 128 on, and for the end of the text. */
export const OTHER = 128;
/** A kind set shares one table entry of 32 bits: at most this many kinds (the sign bit stays clear). */
export const MAX_KINDS = 31;

export interface Compiled {
  readonly kinds: readonly IdentifierKind[];
  readonly minDigits: Int32Array;
  /** ((group length × 10 + first digit) × 129 + next character) → bit set of the digit-led kinds that may start there. */
  readonly table: Uint32Array;
  // The hooks by kind index, pulled out once so the pass reads plain function arrays rather than varied objects.
  readonly atDigits: readonly NonNullable<IdentifierKind["atDigits"]>[];
  readonly letterKinds: readonly number[];
  /** (letter index 0–51 × 129 + next character) → bit set of the letter-led kinds that may start there. */
  readonly letterTable: Uint32Array;
  readonly atLetters: readonly NonNullable<IdentifierKind["atLetters"]>[];
  readonly clusterKinds: readonly number[];
  readonly inCluster: readonly NonNullable<IdentifierKind["inCluster"]>[];
  /** (length × 8 + zeroZero × 4 + opened × 2 + continued) → bit set of the cluster kinds that read such a bare run. */
  readonly bareTable: Uint32Array;
  readonly colonKinds: readonly number[];
}

const none = () => -1;

export function compileKinds(kinds: readonly IdentifierKind[]): Compiled {
  const table = new Uint32Array((MAX_GROUP + 1) * 10 * (OTHER + 1));
  kinds.forEach((k, i) => {
    if (!k.startsWith || !k.atDigits) return;
    for (let length = 1; length <= MAX_GROUP; length++) {
      for (let first = 0; first < 10; first++) {
        const row = (length * 10 + first) * (OTHER + 1);
        for (let next = 0; next <= OTHER; next++) if (k.startsWith(length, next, first)) table[row + next]! |= 1 << i;
      }
    }
  });
  const letterTable = new Uint32Array(52 * (OTHER + 1));
  kinds.forEach((k, i) => {
    if (!k.atLetters) return;
    for (let first = 0; first < 52; first++) {
      const code = first < 26 ? 65 + first : 97 + first - 26;
      for (let next = 0; next <= OTHER; next++) {
        if (k.startsWithLetters?.(code, next) ?? true) letterTable[first * (OTHER + 1) + next]! |= 1 << i;
      }
    }
  });
  const bareTable = new Uint32Array((MAX_GROUP + 1) * 8);
  kinds.forEach((k, i) => {
    if (!k.inCluster) return;
    for (let length = 0; length <= MAX_GROUP; length++) {
      for (let flags = 0; flags < 8; flags++) {
        if (k.readsBareRun?.(length, (flags & 4) !== 0, (flags & 2) !== 0, (flags & 1) !== 0) ?? true)
          bareTable[length * 8 + flags]! |= 1 << i;
      }
    }
  });
  const where = (has: (k: IdentifierKind) => boolean) => kinds.flatMap((k, i) => (has(k) ? [i] : []));
  return {
    kinds,
    minDigits: Int32Array.from(kinds, (k) => k.minDigits ?? 0),
    table,
    atDigits: kinds.map((k) => k.atDigits ?? none),
    letterKinds: where((k) => k.atLetters !== undefined),
    letterTable,
    atLetters: kinds.map((k) => k.atLetters ?? none),
    clusterKinds: where((k) => k.inCluster !== undefined),
    inCluster: kinds.map((k) => k.inCluster ?? none),
    bareTable,
    colonKinds: where((k) => k.atColons !== undefined),
  };
}
