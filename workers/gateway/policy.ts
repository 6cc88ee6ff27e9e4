// The policy step of the hot path: which rules apply to this call, the request guard, and the response guards.
import { standardDetectors } from "../../src/detect";
import { type GuardedJson, guardJson, type Located } from "../../src/detect/guard-json";
import { windowFor } from "../../src/detect/scan";
import { Vault } from "../../src/detect/vault";
import { RingfenceError } from "../../src/errors";
import { compilePolicy, parseFlags, tighten } from "../../src/policy/resolve";
import type { Policy } from "../../src/policy/schema";
import type { Route, StreamObserver } from "../../src/providers/types";
import type { OrgConfig } from "../../src/registry/config";
import { TextGuard } from "../../src/stream/guard";
import { anthropicStreamGuard, chatStreamGuard, type EventTransform, responsesStreamGuard } from "../../src/stream/guarded";
import type { CapabilityClaims } from "../../src/tokens/claims";

export const FLAGS_HEADER = "x-ringfence-flags";

const WINDOW = windowFor(standardDetectors);

/** Compiled once per cached config object (a new version is a new object), not on every request. */
const compiled = new WeakMap<OrgConfig, Policy>();

/** Org preset ⊕ org override, then the token's and the request's tighten-only flags. */
export function effectivePolicy(config: OrgConfig, claims: CapabilityClaims, header: string | undefined): Policy {
  let policy = compiled.get(config);
  if (!policy) {
    policy = compilePolicy(config.preset, config.policy);
    compiled.set(config, policy);
  }
  if (claims.pol) policy = tighten(policy, parseFlags(claims.pol));
  if (header) policy = tighten(policy, parseFlags(header));
  return policy;
}

/** One call's policy state: the rules, and the vault that maps tokenized placeholders back for the client. */
export class CallPolicy {
  readonly policy: Policy;
  readonly vault = new Vault();
  readonly findings: Located[] = [];
  /** What no-train did for this call ("store=false", "zero-retention route"), for the response and the log. */
  readonly noTrain: string[] = [];

  constructor(policy: Policy) {
    this.policy = policy;
  }

  get enforce(): boolean {
    return this.policy.mode === "enforce";
  }

  /** Scans and changes a request body; refuses it when a finding's action is block (unless in shadow mode). */
  guardRequest(body: Record<string, unknown>): Record<string, unknown> {
    const g = this.#guard(body, "request");
    if (g.blocked && this.enforce) {
      throw new RingfenceError({
        kind: "policy_blocked",
        detection: g.blocked.kind,
        location: g.blocked.path,
        direction: "request",
      });
    }
    return g.value as Record<string, unknown>;
  }

  /** Scans a whole (non-streamed) response, and restores tokenized values for the client. */
  guardResponse(json: unknown): unknown {
    const g = this.#guard(json, "response");
    if (g.blocked && this.enforce) {
      throw new RingfenceError({
        kind: "policy_blocked",
        detection: g.blocked.kind,
        location: g.blocked.path,
        direction: "response",
      });
    }
    return g.value;
  }

  #guard(value: unknown, direction: "request" | "response"): GuardedJson {
    const g = guardJson(value, {
      detectors: standardDetectors,
      rules: this.policy[direction],
      minConfidence: this.policy.minConfidence,
      enforce: this.enforce,
      vault: this.vault,
      restore: direction === "response",
    });
    for (const d of g.decisions) this.findings.push({ ...d, path: `${direction}:${d.path}` });
    return g;
  }

  /** Wraps a stream observer so every text channel passes a windowed guard before it is forwarded. */
  guardStream(inner: StreamObserver, api: string): StreamObserver {
    const make = () =>
      new TextGuard({
        detectors: standardDetectors,
        rules: this.policy.response,
        minConfidence: this.policy.minConfidence,
        enforce: this.enforce,
        vault: this.vault,
        window: WINDOW,
      });
    const transform: EventTransform =
      api === "messages" ? anthropicStreamGuard(make) : api === "responses" ? responsesStreamGuard(make) : chatStreamGuard(make);
    return { ...inner, onEvent: (ev) => inner.onEvent(ev).flatMap(transform) };
  }

  /** No-train: refuse routes that would keep prompts when the policy demands zero retention. */
  checkRoute(route: Route, config: OrgConfig): void {
    if (!this.policy.noTrain.requireZeroRetention) return;
    if (route.format === "echo") {
      this.noTrain.push("zero-retention route");
      return;
    }
    const zdr =
      route.provider === "openai" || route.provider === "anthropic"
        ? config.providers[route.provider]?.zeroRetention === true
        : config.upstreams.find((u) => u.name === route.provider)?.zeroRetention === true;
    if (!zdr) {
      throw new RingfenceError({
        kind: "forbidden",
        reason: `Policy requires a zero-retention provider; '${route.provider}' is not marked zero-retention`,
      });
    }
    this.noTrain.push("zero-retention route");
  }

  /** Headers that say, without values, what the policy did. */
  headers(): Record<string, string> {
    const counts = new Map<string, number>();
    for (const f of this.findings) {
      const k = `${f.kind}=${f.action}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const h: Record<string, string> = { "x-ringfence-policy": `${this.policy.preset}; mode=${this.policy.mode}` };
    if (this.noTrain.length) h["x-ringfence-no-train"] = this.noTrain.join(", ");
    if (counts.size) h["x-ringfence-findings"] = [...counts].map(([k, n]) => (n > 1 ? `${k}x${n}` : k)).join(", ");
    return h;
  }
}
