import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SseParser, serializeSse } from "../../src/stream/sse";

describe("SseParser", () => {
  it("parses events with names, multi-line data and comments", () => {
    const p = new SseParser();
    const evs = p.push(': ping\nevent: message_start\ndata: {"a":1}\n\ndata: line1\ndata: line2\n\n');
    expect(evs).toEqual([{ event: "message_start", data: '{"a":1}' }, { data: "line1\nline2" }]);
  });

  it("accepts CRLF and CR line ends, including a CRLF split across chunks", () => {
    const p = new SseParser();
    expect(p.push("data: a\r")).toEqual([]);
    expect(p.push("\n\r\n")).toEqual([{ data: "a" }]);
    // A trailing CR might be half of a CRLF, so the event waits for the next character.
    expect(p.push("data: b\r\rdata: c\r\r")).toEqual([{ data: "b" }]);
    expect(p.end()).toEqual([{ data: "c" }]);
  });

  it("delivers a final event that lacks its blank line at end of input", () => {
    const p = new SseParser();
    expect(p.push("data: [DONE]")).toEqual([]);
    expect(p.end()).toEqual([{ data: "[DONE]" }]);
  });

  it("yields the same events for any chunking of the input (property)", () => {
    const event = fc.record({
      event: fc.option(fc.stringMatching(/^[a-z_.]{1,12}$/), { nil: undefined }),
      data: fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, " ")),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (events, cuts) => {
        const clean = events.map((e) => (e.event === undefined ? { data: e.data } : { event: e.event, data: e.data }));
        const text = clean.map(serializeSse).join("");
        const points = [...new Set(cuts.map((n) => n % (text.length + 1)))].sort((a, b) => a - b);
        const p = new SseParser();
        const got = [];
        let at = 0;
        for (const cut of [...points, text.length]) {
          got.push(...p.push(text.slice(at, cut)));
          at = cut;
        }
        got.push(...p.end());
        expect(got).toEqual(clean);
      }),
    );
  });
});
