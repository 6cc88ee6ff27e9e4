// Aho–Corasick over lower-cased UTF-16 code units: one pass finds every keyword occurrence, overlapping or nested.

export interface KeywordHit {
  /** Index of the keyword in the list given to the automaton. */
  keyword: number;
  /** Offset just past the keyword's last character. */
  end: number;
}

export class KeywordAutomaton {
  /** Dense transitions, states × alphabet, each entry already multiplied by the alphabet width (a row offset). */
  readonly #next: Int32Array;
  /** By row offset: where the state's keywords start in #outList, or -1. */
  readonly #outAt: Int32Array;
  /** Keyword indices, each state's run ended by -1. */
  readonly #outList: Int32Array;
  /** Every UTF-16 code unit → alphabet class; 0 means "in no keyword". */
  readonly #cls: Uint16Array;
  readonly keywords: readonly string[];

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    const cls = new Uint16Array(65536);
    let width = 1;
    const lower = keywords.map((k) => k.toLowerCase());
    for (const k of lower) {
      for (let i = 0; i < k.length; i++) {
        const c = k.charCodeAt(i);
        if (cls[c] === 0) cls[c] = width++;
      }
    }
    // Upper-case ASCII letters share their lower-case class: matching is case-insensitive for ASCII.
    for (let c = 65; c <= 90; c++) cls[c] = cls[c + 32] ?? 0;
    const goto: Map<number, number>[] = [new Map()];
    const outs: number[][] = [[]];
    lower.forEach((k, index) => {
      let st = 0;
      for (let i = 0; i < k.length; i++) {
        const a = cls[k.charCodeAt(i)] ?? 0;
        let t = goto[st]?.get(a);
        if (t === undefined) {
          t = goto.length;
          goto.push(new Map());
          outs.push([]);
          goto[st]?.set(a, t);
        }
        st = t;
      }
      outs[st]?.push(index);
    });
    const n = goto.length;
    const next = new Int32Array(n * width);
    const fail = new Int32Array(n);
    // Breadth-first: complete the transition function (a DFA), so the scan never follows failure links.
    const queue: number[] = [];
    for (let a = 1; a < width; a++) {
      const t = goto[0]?.get(a);
      if (t !== undefined) {
        next[a] = t;
        queue.push(t);
      }
    }
    for (let q = 0; q < queue.length; q++) {
      const st = queue[q] as number;
      const f = fail[st] as number;
      outs[st] = [...new Set([...(outs[st] ?? []), ...(outs[f] ?? [])])];
      for (let a = 1; a < width; a++) {
        const t = goto[st]?.get(a);
        if (t !== undefined) {
          fail[t] = next[f * width + a] as number;
          next[st * width + a] = t;
          queue.push(t);
        } else {
          next[st * width + a] = next[f * width + a] as number;
        }
      }
    }
    const outAt = new Int32Array(n * width).fill(-1);
    const list: number[] = [];
    for (let st = 0; st < n; st++) {
      const o = outs[st];
      if (!o || o.length === 0) continue;
      outAt[st * width] = list.length;
      list.push(...o, -1);
    }
    // Entries become row offsets; a transition into a state with keywords is stored complemented (negative), so the
    // scan loop learns "a keyword ends here" from the one load it does anyway.
    for (let i = 0; i < next.length; i++) {
      const t = next[i] as number;
      next[i] = outs[t]?.length ? ~(t * width) : t * width;
    }
    this.#next = next;
    this.#outAt = outAt;
    this.#outList = Int32Array.from(list);
    this.#cls = cls;
  }

  /** Calls `hit` for every occurrence of every keyword in `text`, in order of end offset. */
  scan(text: string, hit: (keyword: number, end: number) => void): void {
    const next = this.#next;
    const outAt = this.#outAt;
    const outList = this.#outList;
    const cls = this.#cls;
    const n = text.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      s = next[s + (cls[text.charCodeAt(i)] as number)] as number;
      if (s < 0) {
        s = ~s;
        for (let j = outAt[s] as number; (outList[j] as number) >= 0; j++) hit(outList[j] as number, i + 1);
      }
    }
  }
}
