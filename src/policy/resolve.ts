// Resolving a policy: preset ⊕ org override ⊕ tighten-only flags (token claim, request header); then kind → action.
import { RingfenceError } from "../errors";
import { PRESETS } from "./presets";
import {
  type Action,
  ActionSchema,
  type McpPolicy,
  type McpPolicyOverride,
  type Policy,
  type PolicyOverride,
  type Preset,
  type Rules,
  stronger,
} from "./schema";

export function compilePolicy(preset: Preset, override?: PolicyOverride): Policy {
  const base = PRESETS[preset];
  if (!override) return base;
  return {
    ...base,
    mode: override.mode ?? base.mode,
    request: { ...base.request, ...override.request },
    response: { ...base.response, ...override.response },
    minConfidence: override.minConfidence ?? base.minConfidence,
    noTrain: { ...base.noTrain, ...override.noTrain },
    mcp: override.mcp ? mergeMcp(base.mcp, override.mcp) : base.mcp,
    codemode: override.codemode
      ? {
          enabled: override.codemode.enabled ?? base.codemode.enabled,
          egress: override.codemode.egress ?? base.codemode.egress,
          limits: { ...base.codemode.limits, ...override.codemode.limits },
        }
      : base.codemode,
  };
}

function mergeMcp(base: McpPolicy, o: McpPolicyOverride): McpPolicy {
  const constraints = { ...base.constraints };
  for (const [server, tools] of Object.entries(o.constraints ?? {})) constraints[server] = { ...constraints[server], ...tools };
  return {
    access: {
      default: o.access?.default ?? base.access.default,
      servers: { ...base.access.servers, ...o.access?.servers },
    },
    arguments: { ...base.arguments, ...o.arguments },
    results: { ...base.results, ...o.results },
    definitions: o.definitions ?? base.definitions,
    pinning: o.pinning ?? base.pinning,
    constraints,
    loop: { ...base.loop, ...o.loop },
  };
}

/** The action the most specific matching pattern gives: "pii.email" over "pii.*" over "*". */
export function actionFor(rules: Rules, kind: string): Action {
  const exact = rules[kind];
  if (exact) return exact;
  const dot = kind.indexOf(".");
  const family = dot > 0 ? rules[`${kind.slice(0, dot)}.*`] : undefined;
  return family ?? rules["*"] ?? "allow";
}

export interface Flags {
  request: Rules;
  response: Rules;
  noTrain: boolean;
  /** `enforce` in flags turns shadow mode off for this request (tightening); nothing can turn it on. */
  enforce: boolean;
}

export const NO_FLAGS: Flags = { request: {}, response: {}, noTrain: false, enforce: false };

/**
 * Parses the tighten-only flags syntax shared by the `x-ringfence-flags` header and the token's `pol` claim:
 * comma-separated `action:pattern` (both directions), `request:action:pattern`, `response:action:pattern`,
 * `no-train`, `enforce`. Example: `block:secret.*,response:redact:pii.*,no-train`.
 */
export function parseFlags(text: string | undefined | null): Flags {
  const flags: Flags = { request: {}, response: {}, noTrain: false, enforce: false };
  if (!text) return flags;
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (!item) continue;
    if (item === "no-train") {
      flags.noTrain = true;
      continue;
    }
    if (item === "enforce") {
      flags.enforce = true;
      continue;
    }
    const parts = item.split(":");
    const [dir, action, pattern] = parts.length === 3 ? parts : ["both", parts[0], parts[1]];
    const a = ActionSchema.safeParse(action);
    const validPattern = pattern !== undefined && /^(\*|[a-z]+\.(\*|[a-z0-9_]+))$/.test(pattern);
    if (!a.success || !validPattern || (dir !== "both" && dir !== "request" && dir !== "response")) {
      throw new RingfenceError({
        kind: "invalid_request",
        message: `Invalid policy flag '${item.slice(0, 80)}'`,
        param: "x-ringfence-flags",
      });
    }
    if (dir !== "response") flags.request[pattern] = a.data;
    if (dir !== "request") flags.response[pattern] = a.data;
  }
  return flags;
}

/** What `rules` currently give the pattern itself: an exact kind, a family ("pii.*"), or everything ("*"). */
function patternAction(rules: Rules, pattern: string): Action {
  if (pattern === "*") return rules["*"] ?? "allow";
  if (pattern.endsWith(".*")) return rules[pattern] ?? rules["*"] ?? "allow";
  return actionFor(rules, pattern);
}

const covers = (pattern: string, key: string): boolean =>
  pattern === "*" || key === pattern || (pattern.endsWith(".*") && key.startsWith(pattern.slice(0, -1)));

/** Rules after flags: no kind ever gets a weaker action; a flag on "pii.*" also lifts weaker rules such as "pii.ip_address". */
function tightenRules(rules: Rules, extra: Rules): Rules {
  const out: Rules = { ...rules };
  for (const [pattern, action] of Object.entries(extra)) {
    out[pattern] = stronger(patternAction(rules, pattern), action);
    for (const key of Object.keys(out)) {
      if (covers(pattern, key)) out[key] = stronger(out[key] ?? "allow", action);
    }
  }
  return out;
}

/** Flags tighten the MCP rules too: request flags apply to what goes out (arguments), response flags to what comes back. */
export function tighten(policy: Policy, flags: Flags): Policy {
  return {
    ...policy,
    mode: flags.enforce ? "enforce" : policy.mode,
    request: tightenRules(policy.request, flags.request),
    response: tightenRules(policy.response, flags.response),
    mcp: {
      ...policy.mcp,
      arguments: tightenRules(policy.mcp.arguments, flags.request),
      results: tightenRules(policy.mcp.results, flags.response),
    },
    noTrain: flags.noTrain ? { storeFalse: true, requireZeroRetention: true } : policy.noTrain,
  };
}
