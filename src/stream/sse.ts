// Incremental server-sent-events parsing and serialising (WHATWG EventSource rules: LF, CRLF or CR line ends).

export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
  /** Reconnection time in ms (MCP servers use it with an id-only event to make clients poll). */
  retry?: number;
  /** The event had no data line at all (only id/retry), as opposed to an empty one. */
  dataless?: true;
}

/** Feeds decoded text in any chunking; yields each complete event once its blank line arrives. */
export class SseParser {
  #buffer = "";
  #event: string | undefined;
  #data: string[] = [];
  #id: string | undefined;
  #retry: number | undefined;
  /** A relay must pass on events that carry only an id or a retry (EventSource would not dispatch them). */
  readonly #keepBare: boolean;

  constructor(opts: { keepBare?: boolean } = {}) {
    this.#keepBare = opts.keepBare ?? false;
  }

  push(text: string): SseEvent[] {
    this.#buffer += text;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = this.#nextLineEnd(start);
      if (nl < 0) break;
      const line = this.#buffer.slice(start, nl);
      start = nl + (this.#buffer[nl] === "\r" && this.#buffer[nl + 1] === "\n" ? 2 : 1);
      const ev = this.#line(line);
      if (ev) out.push(ev);
    }
    this.#buffer = this.#buffer.slice(start);
    return out;
  }

  /** At end of input: a final event without its blank line is still delivered (providers sometimes omit it). */
  end(): SseEvent[] {
    const rest = this.#buffer.endsWith("\r") ? this.#buffer.slice(0, -1) : this.#buffer;
    this.#buffer = "";
    const out: SseEvent[] = [];
    if (rest.length > 0) {
      const ev = this.#line(rest);
      if (ev) out.push(ev);
    }
    const last = this.#line("");
    if (last) out.push(last);
    return out;
  }

  /** Bytes held waiting for a line end; callers cap it so a stream without line ends cannot grow memory. */
  get pending(): number {
    return this.#buffer.length;
  }

  #nextLineEnd(from: number): number {
    const b = this.#buffer;
    for (let i = from; i < b.length; i++) {
      const ch = b.charCodeAt(i);
      if (ch === 10) return i;
      if (ch === 13) return i + 1 < b.length ? i : -1; // a trailing CR may be the first half of CRLF
    }
    return -1;
  }

  #line(line: string): SseEvent | null {
    if (line === "") {
      const bare = this.#keepBare && (this.#id !== undefined || this.#retry !== undefined);
      if (this.#data.length === 0 && this.#event === undefined && !bare) return null;
      const ev: SseEvent = { data: this.#data.join("\n") };
      if (this.#event !== undefined) ev.event = this.#event;
      if (this.#id !== undefined) ev.id = this.#id;
      if (this.#retry !== undefined) ev.retry = this.#retry;
      if (this.#data.length === 0) ev.dataless = true;
      this.#event = undefined;
      this.#data = [];
      this.#retry = undefined;
      // A relay forwards ids as they come, not the EventSource's remembered last id.
      if (this.#keepBare) this.#id = undefined;
      return ev;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id") this.#id = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.#retry = Number(value);
    return null;
  }
}

export function serializeSse(ev: SseEvent): string {
  let s = "";
  if (ev.event !== undefined) s += `event: ${ev.event}\n`;
  if (ev.id !== undefined) s += `id: ${ev.id}\n`;
  if (ev.retry !== undefined) s += `retry: ${ev.retry}\n`;
  // An id- or retry-only event has no data lines; one with empty data keeps its single empty data line.
  if (!ev.dataless) for (const line of ev.data.split("\n")) s += `data: ${line}\n`;
  return `${s}\n`;
}
