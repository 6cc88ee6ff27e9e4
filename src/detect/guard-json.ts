// Guards a whole JSON body (a request, or a non-streamed response): every content string scanned, decided and changed.
import type { Rules } from "../policy/schema";
import { standardDetectors } from ".";
import { applyDecisions, type Decision, decide } from "./apply";
import { scan } from "./scan";
import type { Detector } from "./types";
import { Vault } from "./vault";
import { rewriteStrings } from "./walk";

export interface Located extends Decision {
  /** Where in the body, e.g. "messages[2].content[0].text" (never the value). */
  path: string;
}

export interface GuardedJson {
  value: unknown;
  decisions: Located[];
  blocked?: Located;
}

export interface JsonGuardOptions {
  detectors: readonly Detector[];
  rules: Rules;
  minConfidence: number;
  enforce: boolean;
  vault: Vault;
  /** Restore tokenized placeholders after deciding (responses). */
  restore: boolean;
  /**
   * The value is data shaped by a caller or a tool (MCP arguments and results, a program's output), not an LLM wire
   * format: no key is structural, so `{"id": "<a secret>"}` is scanned like any other string.
   */
  freeForm?: boolean;
}

export function guardJson(value: unknown, o: JsonGuardOptions): GuardedJson {
  const decisions: Located[] = [];
  let blocked: Located | undefined;
  const out = rewriteStrings(
    value,
    (text, path) => {
      const found = scan(text, o.detectors);
      const decided = found.length ? decide(found, o.rules, o.minConfidence) : [];
      let next = text;
      if (decided.length) {
        const applied = applyDecisions(text, decided, o.vault, o.enforce);
        for (const d of decided) decisions.push({ ...d, path });
        if (applied.blocked && !blocked) blocked = { ...applied.blocked, path };
        next = applied.text;
      }
      return o.restore ? o.vault.restore(next) : next;
    },
    "",
    undefined,
    o.freeForm === true,
  );
  return { value: out, decisions, ...(blocked ? { blocked } : {}) };
}

/**
 * Guards data a caller, a tool or a program shaped (MCP arguments and results, code-mode output and egress): the
 * standard detectors, no structural keys, nothing tokenized to restore. Blocks only when `enforce`.
 */
export function guardData(value: unknown, rules: Rules, how: { minConfidence: number; enforce: boolean }): GuardedJson {
  return guardJson(value, {
    detectors: standardDetectors,
    rules,
    minConfidence: how.minConfidence,
    enforce: how.enforce,
    vault: new Vault(),
    restore: false,
    freeForm: true,
  });
}
