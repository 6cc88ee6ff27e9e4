import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { standardDetectors } from "../../src/detect";
import { KeywordAutomaton } from "../../src/detect/keywords";
import { mergeFindings, scan } from "../../src/detect/scan";
import type { Finding } from "../../src/detect/types";
import { benignCases, sensitiveCases } from "../fixtures/corpus";

describe("KeywordAutomaton", () => {
  const kws = ["discord", "discord.com/api/webhooks", "he", "she", "hers", "🔒", "sk-"];
  const ac = new KeywordAutomaton(kws);
  const hits = (text: string) => {
    const out: string[] = [];
    ac.scan(text, (k, end) => out.push(`${kws[k]}@${end}`));
    return out;
  };

  it("finds nested and overlapping keywords, case-insensitively", () => {
    expect(hits("USHERS")).toEqual(["she@4", "he@4", "hers@6"]);
    expect(hits("https://Discord.com/api/webhooks/1")).toEqual(["discord@15", "discord.com/api/webhooks@32"]);
  });

  it("handles non-ASCII keywords and text", () => {
    expect(hits("é🔒sk-")).toEqual(["🔒@3", "sk-@6"]);
  });

  it("agrees with a naive search on any text (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("s", "h", "e", "r", "S", "H", "x", "d", "i", "🔒", "-", "k"), { maxLength: 40 }),
        (chars) => {
          const text = chars.join("");
          const naive: string[] = [];
          const lower = text.toLowerCase();
          for (let end = 1; end <= lower.length; end++) {
            for (const k of kws) if (end >= k.length && lower.slice(end - k.length, end) === k) naive.push(`${k}@${end}`);
          }
          expect(hits(text).sort()).toEqual(naive.sort());
        },
      ),
    );
  });
});

describe("scan", () => {
  /** Every detector on the whole text, no keywords, no windows: what the windowed scan must reproduce. */
  const reference = (text: string): Finding[] => mergeFindings(standardDetectors.flatMap((d) => d.detect(text)));
  const key = (f: Finding) => `${f.kind}:${f.start}-${f.end}`;

  it("finds on keyword windows exactly what every detector finds on the whole text (corpus)", () => {
    for (const c of [...sensitiveCases, ...benignCases]) {
      expect(scan(c.text, standardDetectors).map(key), c.id).toEqual(reference(c.text).map(key));
    }
  });

  it("finds the same when the corpus is embedded in long unrelated text", () => {
    const filler = "The quarterly report covers latency, cost and usage across the fleet. ".repeat(200);
    for (const c of sensitiveCases.slice(0, 80)) {
      const text = `${filler}\n${c.text}\n${filler}`;
      expect(scan(text, standardDetectors).map(key), c.id).toEqual(reference(text).map(key));
    }
  });

  it("never throws, and reports a failing detector's text as unscannable", () => {
    const broken = {
      id: "broken",
      category: "secret" as const,
      keywords: [],
      maxLength: 10,
      detect: () => {
        throw new Error("bug");
      },
    };
    expect(scan("anything", [broken])).toEqual([
      { kind: "secret.detector_error", category: "secret", start: 0, end: 8, confidence: 1 },
    ]);
  });
});
