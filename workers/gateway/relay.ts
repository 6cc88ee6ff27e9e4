// Relays an upstream SSE stream to the client event by event: usage observed, faults ended with the API's error event.
import { describe, type Failure, RingfenceError } from "../../src/errors";
import type { StreamObserver } from "../../src/providers/types";
import { SseParser, serializeSse } from "../../src/stream/sse";

/** A line longer than this without a line end is not SSE; refuse rather than buffer it. */
const MAX_PENDING_CHARS = 1 << 20;

export interface StreamOutcome {
  usage: { inputTokens?: number; outputTokens?: number };
  outputChars: number;
  /** Set when the stream ended on a fault (sent to the client as an error event). */
  failure?: Failure;
  /** The client went away before the end. */
  cancelled: boolean;
}

export interface RelayOptions {
  idleTimeoutMs: number;
  requestId: string;
}

function readWithIdleTimeout<T>(read: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RingfenceError({ kind: "upstream_timeout", afterMs: ms })), ms);
  });
  return Promise.race([read, idle]).finally(() => {
    if (timer !== null) clearTimeout(timer);
  });
}

export function relayStream(
  upstream: ReadableStream<Uint8Array>,
  observer: StreamObserver,
  opts: RelayOptions,
): { body: ReadableStream<Uint8Array>; outcome: Promise<StreamOutcome> } {
  const reader = upstream.getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let settle!: (o: StreamOutcome) => void;
  const outcome = new Promise<StreamOutcome>((r) => {
    settle = r;
  });
  const finish = (extra: { failure?: Failure; cancelled?: boolean }) =>
    settle({
      usage: observer.usage(),
      outputChars: observer.outputChars(),
      cancelled: extra.cancelled ?? false,
      failure: extra.failure,
    });

  const forward = (controller: ReadableStreamDefaultController<Uint8Array>, events: ReturnType<SseParser["push"]>) => {
    let out = "";
    try {
      for (const ev of events) {
        for (const f of observer.onEvent(ev)) out += serializeSse(f);
      }
    } catch (err) {
      if (err instanceof RingfenceError) throw err;
      throw new RingfenceError({ kind: "upstream_stream_broken", message: "malformed event from the provider" });
    } finally {
      // Events before a bad one still reach the client, in order, ahead of the error event.
      if (out) controller.enqueue(encoder.encode(out));
    }
  };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await readWithIdleTimeout(reader.read(), opts.idleTimeoutMs);
        if (done) {
          forward(controller, parser.end());
          if (!observer.complete()) {
            throw new RingfenceError({ kind: "upstream_stream_broken", message: "the provider ended the stream early" });
          }
          controller.close();
          finish({});
          return;
        }
        forward(controller, parser.push(decoder.decode(value, { stream: true })));
        if (parser.pending > MAX_PENDING_CHARS) {
          throw new RingfenceError({ kind: "upstream_stream_broken", message: "the provider sent an over-long line" });
        }
      } catch (err) {
        const failure: Failure =
          err instanceof RingfenceError
            ? err.failure
            : { kind: "upstream_stream_broken", message: err instanceof Error ? err.message : "connection lost" };
        reader.cancel().catch(() => {});
        controller.enqueue(encoder.encode(serializeSse(observer.errorEvent(failure, describe(failure), opts.requestId))));
        controller.close();
        finish({ failure });
      }
    },
    cancel() {
      reader.cancel().catch(() => {});
      finish({ cancelled: true });
    },
  });
  return { body, outcome };
}
