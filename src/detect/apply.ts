// From findings to a changed text: each finding gets the policy's action; overlapping spans act as one, at the strongest action.
import { actionFor } from "../policy/resolve";
import { type Action, type Rules, STRENGTH, stronger } from "../policy/schema";
import type { Finding } from "./types";
import type { Vault } from "./vault";

export interface Decision {
  kind: string;
  action: Action;
  start: number;
  end: number;
}

export interface Applied {
  text: string;
  decisions: Decision[];
  /** The first decision whose action is block, if any. */
  blocked?: Decision;
}

/** Low-confidence findings are at most flagged, whatever the rules say. */
export function decide(findings: readonly Finding[], rules: Rules, minConfidence: number): Decision[] {
  const out: Decision[] = [];
  for (const f of findings) {
    let action = actionFor(rules, f.kind);
    if (f.confidence < minConfidence && STRENGTH[action] > STRENGTH.flag) action = "flag";
    if (action !== "allow") out.push({ kind: f.kind, action, start: f.start, end: f.end });
  }
  return out;
}

const marker = (kind: string): string => `[REDACTED:${(kind.split(".")[1] ?? kind).toUpperCase()}]`;

/** Merges overlapping changing decisions into disjoint spans at the strongest action (kind of the strongest). */
function spans(decisions: readonly Decision[]): Decision[] {
  const changing = decisions.filter((d) => STRENGTH[d.action] >= STRENGTH.tokenize).sort((a, b) => a.start - b.start);
  const out: Decision[] = [];
  for (const d of changing) {
    const last = out.at(-1);
    if (last && d.start < last.end) {
      const action = stronger(last.action, d.action);
      out[out.length - 1] = {
        kind: action === last.action ? last.kind : d.kind,
        action,
        start: last.start,
        end: Math.max(last.end, d.end),
      };
    } else {
      out.push({ ...d });
    }
  }
  return out;
}

/**
 * Applies decisions to text. With `enforce` false (shadow mode) the text is returned unchanged but the decisions
 * are still reported. A block stops nothing here: the caller refuses the call, naming `blocked`.
 */
export function applyDecisions(text: string, decisions: Decision[], vault: Vault, enforce: boolean): Applied {
  const blocked = decisions.find((d) => d.action === "block");
  if (!enforce || blocked) return { text, decisions, ...(blocked ? { blocked } : {}) };
  const parts = spans(decisions);
  if (parts.length === 0) return { text, decisions };
  let out = "";
  let at = 0;
  for (const p of parts) {
    out += text.slice(at, p.start);
    out += p.action === "tokenize" ? vault.placeholder(p.kind, text.slice(p.start, p.end)) : marker(p.kind);
    at = p.end;
  }
  return { text: out + text.slice(at), decisions };
}
