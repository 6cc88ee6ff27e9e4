// Shared shapes of the provider layer: routes, usage, and the per-API adapter the gateway drives.
import type { Failure } from "../errors";
import type { ModelPrice, Sealed } from "../registry/config";
import type { SseEvent } from "../stream/sse";

export type UpstreamFormat = "openai" | "anthropic" | "echo";

export interface Route {
  /** "openai", "anthropic", "echo", or the name of an org's OpenAI-compatible upstream. */
  provider: string;
  format: UpstreamFormat;
  baseUrl: string;
  /** The model name sent upstream. */
  model: string;
  credential?: Sealed;
  /** AES-GCM associated data the credential was sealed with. */
  credentialContext: string;
  headers: Record<string, string>;
  /** Header that carries the key as-is; absent: `Authorization: Bearer` (OpenAI format) or `x-api-key` (Anthropic). */
  apiKeyHeader?: string;
  price: ModelPrice | null;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Watches an upstream SSE stream: which events reach the client, what usage it reported, how it ended. */
export interface StreamObserver {
  /** Returns the events to forward (the same event, a changed one, or none). May throw a RingfenceError. */
  onEvent(ev: SseEvent): SseEvent[];
  /** Usage reported so far (partial usage counts: e.g. Anthropic's input tokens at message_start). */
  usage(): Partial<Usage>;
  /** Characters of generated output seen, for estimating a broken stream's cost. */
  outputChars(): number;
  /** True once the API's terminal event has been seen. */
  complete(): boolean;
  /** A well-formed error event of this API, to end a stream that failed. */
  errorEvent(failure: Failure, message: string, requestId: string): SseEvent;
}

/** One client-facing API (chat completions, responses, embeddings, messages). */
export interface Endpoint<B> {
  name: string;
  /** Route formats able to serve it. */
  serves: readonly UpstreamFormat[];
  /** Path appended to the route's base URL. */
  upstreamPath: string;
  model(body: B): string;
  stream(body: B): boolean;
  /** Largest output the request allows, if it says. */
  maxOutput(body: B): number | undefined;
  /** The body sent upstream: model renamed, usage requested for streams, etc. */
  prepare(body: B, route: Route): Record<string, unknown>;
  usageFromJson(json: unknown): Usage | undefined;
  observer(body: B): StreamObserver;
}
