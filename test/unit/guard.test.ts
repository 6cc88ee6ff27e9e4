import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyDecisions, decide } from "../../src/detect/apply";
import { scan } from "../../src/detect/scan";
import { Vault } from "../../src/detect/vault";
import type { Rules } from "../../src/policy/schema";
import { TextGuard } from "../../src/stream/guard";

import { fakeDetectors as detectors } from "../fixtures/fake-detectors";

const rules: Rules = { "*": "flag", "secret.*": "redact", "pii.*": "tokenize" };

function guard(vault = new Vault(), r: Rules = rules) {
  return new TextGuard({ detectors, rules: r, minConfidence: 0.5, enforce: true, vault, window: 64 });
}

function streamThrough(g: TextGuard, chunks: string[]): string {
  let out = "";
  for (const c of chunks) out += g.push(c);
  return out + g.end();
}

function chunkings(text: string) {
  return fc.array(fc.nat({ max: text.length }), { maxLength: 12 }).map((cuts) => {
    const points = [...new Set(cuts)].sort((a, b) => a - b);
    const parts: string[] = [];
    let at = 0;
    for (const p of [...points, text.length]) {
      parts.push(text.slice(at, p));
      at = p;
    }
    return parts;
  });
}

const SECRET = "tk_0123456789abcdef";
const prose = fc
  .array(fc.constantFrom("hello ", "world ", "the key is ", "\n", "mail me at ", "tk_ ", "1234 ", "[link](http://x) "), {
    maxLength: 8,
  })
  .map((a) => a.join(""));

describe("TextGuard", () => {
  it("never lets a redacted value through, however the stream is cut (property)", () => {
    fc.assert(
      fc.property(prose, prose, (before, after) => {
        const text = `${before}${SECRET}${after}`;
        fc.assert(
          fc.property(chunkings(text), (chunks) => {
            const out = streamThrough(guard(), chunks);
            expect(out).not.toContain(SECRET);
            expect(out).not.toContain(SECRET.slice(3, 12));
            expect(out).toContain("[REDACTED:TEST_KEY]");
          }),
          { numRuns: 20 },
        );
      }),
      { numRuns: 40 },
    );
  });

  it("tokenize then restore returns the original text exactly, however the stream is cut (property)", () => {
    fc.assert(
      fc.property(prose, fc.constantFrom("ann.lee@example.com", "bob@corp.org"), prose, (before, address, after) => {
        const original = `${before}${address} ${after}`;
        // Request side: the provider sees a placeholder.
        const vault = new Vault();
        const req = applyDecisions(original, decide(scan(original, detectors), rules, 0.5), vault, true);
        expect(req.text).not.toContain(address);
        // Response side: the model echoes the placeholder text back in any chunking; the client gets the original.
        fc.assert(
          fc.property(chunkings(req.text), (chunks) => {
            expect(streamThrough(guard(vault, { "*": "flag" }), chunks)).toBe(original);
          }),
          { numRuns: 20 },
        );
      }),
      { numRuns: 40 },
    );
  });

  it("passes text with nothing to hide through unchanged and without holding it to the end", () => {
    const g = guard();
    const first = g.push("Hello there, how are you today? ");
    expect(first.length).toBeGreaterThan(0);
    expect(first + g.push("Fine.") + g.end()).toBe("Hello there, how are you today? Fine.");
  });

  it("stops on a block decision and emits nothing of the blocked value", () => {
    const g = guard(new Vault(), { "secret.*": "block" });
    const out = streamThrough(g, ["ok so ", "tk_0123", "456789abcdef and more"]);
    expect(out).not.toContain("tk_0123");
    expect(g.blocked?.kind).toBe("secret.test_key");
  });

  it("in shadow mode changes nothing but still records the decision", () => {
    const g = new TextGuard({ detectors, rules, minConfidence: 0.5, enforce: false, vault: new Vault(), window: 64 });
    expect(streamThrough(g, ["a ", SECRET.slice(0, 7), `${SECRET.slice(7)} b`])).toBe(`a ${SECRET} b`);
    expect(g.decisions.map((d) => d.action)).toEqual(["redact"]);
  });
});

describe("TextGuard with the standard detectors", () => {
  it("never lets a detected value through, for corpus texts cut at random (property)", async () => {
    const { standardDetectors } = await import("../../src/detect");
    const { windowFor } = await import("../../src/detect/scan");
    const { sensitiveCases } = await import("../fixtures/corpus");
    const all: Rules = { "*": "flag", "secret.*": "redact", "pii.*": "redact" };
    const cases = sensitiveCases.filter((_, i) => i % 4 === 0);
    for (const c of cases) {
      const values = scan(c.text, standardDetectors)
        .filter((f) => (f.category === "secret" || f.category === "pii") && f.confidence >= 0.5)
        .map((f) => c.text.slice(f.start, f.end))
        .filter((v) => v.length >= 6);
      if (values.length === 0) continue;
      fc.assert(
        fc.property(chunkings(c.text), (chunks) => {
          const g = new TextGuard({
            detectors: standardDetectors,
            rules: all,
            minConfidence: 0.5,
            enforce: true,
            vault: new Vault(),
            window: windowFor(standardDetectors),
          });
          const out = streamThrough(g, chunks);
          for (const v of values) expect(out, `${c.id}: ${JSON.stringify(chunks)}`).not.toContain(v);
        }),
        { numRuns: 8 },
      );
    }
  });
});
