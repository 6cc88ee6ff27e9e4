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

/**
 * One timer per stream (not one per read, and no promise race per read): it fires when the stream has been silent
 * for `ms`, re-arming itself for the remainder whenever reads arrived in between, and calls `onExpire` once.
 */
class IdleWatch {
  #last = Date.now();
  #timer: ReturnType<typeof setTimeout> | null = null;
  expired = false;

  constructor(ms: number, onExpire: () => void) {
    const check = () => {
      const left = this.#last + ms - Date.now();
      if (left > 0) {
        this.#timer = setTimeout(check, left);
        return;
      }
      this.#timer = null;
      this.expired = true;
      onExpire();
    };
    this.#timer = setTimeout(check, ms);
  }

  touch(): void {
    this.#last = Date.now();
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

export function relayStream(
  upstream: ReadableStream<Uint8Array>,
  observer: StreamObserver,
  opts: RelayOptions,
): { body: ReadableStream<Uint8Array>; outcome: Promise<StreamOutcome> } {
  const reader = upstream.getReader();
  // A silent upstream is cancelled: the pending read then ends, and the pull below reports the time-out.
  const idle = new IdleWatch(opts.idleTimeoutMs, () => {
    reader.cancel().catch(() => {});
  });
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let settle!: (o: StreamOutcome) => void;
  const outcome = new Promise<StreamOutcome>((r) => {
    settle = r;
  });
  const finish = (extra: { failure?: Failure; cancelled?: boolean }) => {
    idle.stop();
    settle({
      usage: observer.usage(),
      outputChars: observer.outputChars(),
      cancelled: extra.cancelled ?? false,
      failure: extra.failure,
    });
  };

  /** Forwards what the events become; returns whether anything was written. */
  const forward = (controller: ReadableStreamDefaultController<Uint8Array>, events: ReturnType<SseParser["push"]>): boolean => {
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
    return out !== "";
  };

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          // Read until something can be written: a pull that enqueues nothing is not called again (WHATWG streams),
          // so an event split across network reads would otherwise stall the stream.
          for (;;) {
            const { done, value } = await reader.read();
            if (idle.expired) throw new RingfenceError({ kind: "upstream_timeout", afterMs: opts.idleTimeoutMs });
            idle.touch();
            if (done) {
              forward(controller, parser.end());
              if (!observer.complete()) {
                throw new RingfenceError({ kind: "upstream_stream_broken", message: "the provider ended the stream early" });
              }
              controller.close();
              finish({});
              return;
            }
            const wrote = forward(controller, parser.push(decoder.decode(value, { stream: true })));
            if (parser.pending > MAX_PENDING_CHARS) {
              throw new RingfenceError({ kind: "upstream_stream_broken", message: "the provider sent an over-long line" });
            }
            if (wrote) return;
          }
        } catch (err) {
          // A read cut short by the idle watch may reject ("cancelled") rather than end: the silence is the cause.
          const failure: Failure = idle.expired
            ? { kind: "upstream_timeout", afterMs: opts.idleTimeoutMs }
            : err instanceof RingfenceError
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
    },
    // Read ahead while earlier chunks are still being written to the client, instead of one chunk at a time.
    { highWaterMark: 32 },
  );
  return { body, outcome };
}
