// The hot path for every model call: auth → route → ONE Meter round trip → upstream → relay → settle off the critical path.
import type { Context } from "hono";
import type { z } from "zod";
import { RingfenceError } from "../../src/errors";
import type { Actual } from "../../src/meter/types";
import type { EchoApi } from "../../src/providers/echo";
import { costUsd, estimateInputTokens, FALLBACK_MAX_OUTPUT } from "../../src/providers/pricing";
import { resolveRoute } from "../../src/providers/route";
import type { Endpoint, Route, Usage } from "../../src/providers/types";
import type { CapabilityClaims } from "../../src/tokens/claims";
import { globMatch } from "../../src/tokens/glob";
import { authenticate } from "../auth";
import type { AppEnv } from "../context";
import { readJson } from "../shared/body";
import { reserveOrThrow, settleLater } from "./meter";
import { refreshIfStale, routeSecret, routeWithCache } from "./org-config";
import { CallPolicy, effectivePolicy, FLAGS_HEADER } from "./policy";
import { relayStream, type StreamOutcome } from "./relay";
import { callUpstream, streamIdleTimeoutMs } from "./upstream";

export function assertModelAllowed(claims: CapabilityClaims, model: string): void {
  if (!claims.models.some((g) => globMatch(g, model))) throw new RingfenceError({ kind: "model_not_allowed", model });
}

export function routeFor(env: Env, claims: CapabilityClaims, model: string, config: Parameters<typeof resolveRoute>[1]): Route {
  assertModelAllowed(claims, model);
  return resolveRoute(model, config, { openaiUrl: env.UPSTREAM_OPENAI_URL, anthropicUrl: env.UPSTREAM_ANTHROPIC_URL });
}

interface Estimate {
  inputTokens: number;
  outputTokens: number;
}

function worstCase(route: Route, requestedOutput: number | undefined, bytes: number): Estimate {
  if (!route.price) {
    throw new RingfenceError({
      kind: "unknown_model",
      model: route.model,
      reason: "it has no price: set one with PUT /admin/orgs/:org/pricing/:model",
    });
  }
  return {
    inputTokens: estimateInputTokens(bytes),
    outputTokens: requestedOutput ?? route.price.maxOutput ?? FALLBACK_MAX_OUTPUT,
  };
}

/** What a stream that ended early costs: the provider's figures where it sent them, our estimate otherwise. */
function streamActual(est: Estimate, o: StreamOutcome): Usage {
  const failedBeforeOutput = o.failure !== undefined && o.outputChars === 0 && o.usage.outputTokens === undefined;
  if (failedBeforeOutput) return { inputTokens: 0, outputTokens: 0 };
  const outputTokens = o.usage.outputTokens ?? Math.min(est.outputTokens, Math.ceil(o.outputChars / 4));
  return { inputTokens: o.usage.inputTokens ?? est.inputTokens, outputTokens };
}

function toActual(route: Route, u: Usage): Actual {
  return { ...u, usd: route.price ? costUsd(route.price, u.inputTokens, u.outputTokens) : 0 };
}

const ZERO: Actual = { inputTokens: 0, outputTokens: 0, usd: 0 };

export async function handleModelCall<S extends z.ZodType>(
  c: Context<AppEnv>,
  schema: S,
  endpoint: Endpoint<z.infer<S>>,
): Promise<Response> {
  const claims = await authenticate(c);
  const body: z.infer<S> = await readJson(c, schema);
  const env = c.env;
  const requestId = c.get("requestId");
  const model = endpoint.model(body);

  let { config, route } = await routeWithCache(env, claims.org, (config) => ({
    config,
    route: routeFor(env, claims, model, config),
  }));
  if (!endpoint.serves.includes(route.format)) {
    throw new RingfenceError({
      kind: "invalid_request",
      message: `Model '${model}' is served by the ${route.format} API, not ${endpoint.name}`,
      param: "model",
    });
  }
  // Policy before the Meter: a request the policy refuses costs no reservation.
  let policy = new CallPolicy(effectivePolicy(config, claims, c.req.header(FLAGS_HEADER)));
  const guarded = policy.guardRequest(body as Record<string, unknown>);
  const bytes = Number(c.req.header("content-length")) || JSON.stringify(body).length;
  const est = worstCase(route, endpoint.maxOutput(body), bytes);
  const price = route.price ?? { input: 0, output: 0 };
  const reservation = await reserveOrThrow(env, claims, {
    requestId,
    tokens: est.inputTokens + est.outputTokens,
    usd: costUsd(price, est.inputTokens, est.outputTokens),
  });
  const org = claims.org;
  let settled = false;
  const settle = (actual: Promise<Actual>) => {
    settled = true;
    settleLater(c.executionCtx, env, org, reservation.reservationId, actual);
  };

  try {
    // The Meter's reply says whether this isolate's config is stale; re-route (and re-check) only then.
    let upstreamBody = guarded;
    const fresh = await refreshIfStale(env, org, reservation.configVersion);
    if (fresh) {
      config = fresh;
      route = routeFor(env, claims, model, fresh);
      policy = new CallPolicy(effectivePolicy(fresh, claims, c.req.header(FLAGS_HEADER)));
      upstreamBody = policy.guardRequest(body as Record<string, unknown>);
    }
    policy.checkRoute(route, config);
    const key = await routeSecret(env, org, route);
    const prepared = endpoint.prepare(upstreamBody as z.infer<S>, route);
    if (policy.policy.noTrain.storeFalse && route.provider === "openai" && endpoint.name !== "embeddings") {
      prepared.store = false;
      policy.noTrain.push("store=false");
    }
    const res = await callUpstream({
      env,
      route,
      api: endpoint.name as EchoApi,
      path: endpoint.upstreamPath,
      body: prepared,
      key,
      clientHeaders: c.req.raw.headers,
      clientSignal: c.req.raw.signal,
    });
    const headers = new Headers(reservation.headers);
    headers.set("x-request-id", requestId);
    headers.set("x-ringfence-provider", route.provider);

    if (!endpoint.stream(body)) {
      let json: unknown;
      try {
        json = await res.json();
      } catch {
        throw new RingfenceError({ kind: "upstream_stream_broken", message: "the provider's response is not valid JSON" });
      }
      const usage = endpoint.usageFromJson(json) ?? { inputTokens: est.inputTokens, outputTokens: est.outputTokens };
      settle(Promise.resolve(toActual(route, usage)));
      const answer = policy.guardResponse(json);
      for (const [k, v] of Object.entries(policy.headers())) headers.set(k, v);
      logFindings(requestId, claims, policy);
      headers.set("content-type", "application/json");
      return new Response(JSON.stringify(answer), { status: res.status, headers });
    }

    if (!res.body) throw new RingfenceError({ kind: "upstream_stream_broken", message: "the provider sent no stream" });
    const observer = policy.guardStream(endpoint.observer(body), endpoint.name);
    const { body: stream, outcome } = relayStream(res.body, observer, { idleTimeoutMs: streamIdleTimeoutMs(env), requestId });
    settle(
      outcome.then((o) => {
        logFindings(requestId, claims, policy);
        return toActual(route, streamActual(est, o));
      }),
    );
    for (const [k, v] of Object.entries(policy.headers())) headers.set(k, v);
    headers.set("content-type", "text/event-stream; charset=utf-8");
    headers.set("cache-control", "no-cache");
    return new Response(stream, { status: 200, headers });
  } catch (err) {
    // Nothing reached the client and nothing was settled: the reservation is refunded.
    if (!settled) settle(Promise.resolve(ZERO));
    throw err;
  }
}

/**
 * One structured log line per call with findings: kinds, actions and locations, never values. A clean call logs
 * nothing (its no-train measures are in the x-ringfence-no-train header): a line per call would cost more than the
 * policy itself under load.
 */
function logFindings(requestId: string, claims: CapabilityClaims, policy: CallPolicy): void {
  if (policy.findings.length === 0) return;
  console.log(
    JSON.stringify({
      event: "policy",
      requestId,
      org: claims.org,
      sub: claims.sub,
      token: claims.jti,
      mode: policy.policy.mode,
      noTrain: policy.noTrain,
      findings: policy.findings.map((f) => ({ kind: f.kind, action: f.action, at: f.path })),
    }),
  );
}
