// Model globs and attenuation rules: a child token can only ever be narrower than its parent.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RingfenceError } from "../../src/errors";
import { AttenuateRequestSchema, attenuate } from "../../src/tokens/attenuate";
import type { CapabilityClaims } from "../../src/tokens/claims";
import { globCovers, globMatch } from "../../src/tokens/glob";

describe("globMatch", () => {
  it.each([
    ["gpt-4o", "gpt-4o", true],
    ["gpt-4o", "gpt-4o-mini", false],
    ["gpt-4o*", "gpt-4o-mini", true],
    ["gpt-4o*", "gpt-4o", true],
    ["*", "", true],
    ["claude-*-sonnet*", "claude-3-5-sonnet-latest", true],
    ["claude-*-sonnet*", "claude-3-5-haiku", false],
    ["*-mini", "o4-mini", true],
    ["*-mini", "o4-mini-high", false],
  ])("%s matches %s: %s", (glob, value, expected) => {
    expect(globMatch(glob, value)).toBe(expected);
  });

  it("treats regex metacharacters literally", () => {
    expect(globMatch("gpt-4.1", "gpt-4.1")).toBe(true);
    expect(globMatch("gpt-4.1", "gpt-4x1")).toBe(false);
    expect(globMatch("a+b", "aab")).toBe(false);
    expect(globMatch("(x|y)", "x")).toBe(false);
    expect(globMatch("[ab]", "a")).toBe(false);
  });

  it("stays fast on hostile inputs", () => {
    // A backtracking regex for this glob is polynomial in the value's length.
    const glob = `${"*a".repeat(20)}*b`;
    expect(globMatch(glob, "a".repeat(50_000))).toBe(false);
  });

  it("agrees with a reference regex on arbitrary input", () => {
    const alphabet = fc.constantFrom("a", "b", ".", "*");
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), fc.string({ unit: alphabet, maxLength: 10 }), (glob, value) => {
        const re = new RegExp(
          `^${glob
            .split("*")
            .map((p) => p.replaceAll(".", "\\."))
            .join(".*")}$`,
          "s",
        );
        expect(globMatch(glob, value)).toBe(re.test(value));
      }),
    );
  });
});

describe("globCovers", () => {
  it.each([
    [["*"], "gpt-4o", true],
    [["*"], "*", true],
    [["gpt-*"], "gpt-4o*", true],
    [["gpt-4o*"], "gpt-*", false],
    [["gpt-4o"], "gpt-4o*", false],
    [["gpt-4o", "claude-*"], "claude-3-5-sonnet", true],
    [["a*b"], "a*b*b", true],
    [["a*b"], "a*", false],
    [[], "gpt-4o", false],
  ])("%j covers %s: %s", (parents, child, expected) => {
    expect(globCovers(parents, child)).toBe(expected);
  });

  const unit = fc.constantFrom("a", "b", "-", "*");
  const glob = fc.string({ unit, maxLength: 6 });

  it("is sound: whatever a covered child matches, some parent matches", () => {
    let covered = 0;
    fc.assert(
      fc.property(
        fc.array(glob, { minLength: 1, maxLength: 3 }),
        glob,
        fc.array(fc.string({ unit: fc.constantFrom("a", "b", "-", "x"), maxLength: 4 }), { minLength: 8, maxLength: 8 }),
        (parents, child, fills) => {
          if (!globCovers(parents, child)) return;
          covered++;
          // A concrete string the child matches: each `*` replaced by some run of characters.
          let i = 0;
          const concrete = child.replaceAll("*", () => fills[i++ % fills.length] ?? "");
          expect(globMatch(child, concrete)).toBe(true);
          expect(parents.some((p) => globMatch(p, concrete))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
    // The property is only meaningful if the generator produces covered children often enough.
    expect(covered).toBeGreaterThan(100);
  });

  it("a glob always covers itself and anything with its stars filled in", () => {
    fc.assert(
      fc.property(glob, fc.string({ unit: fc.constantFrom("a", "b", "*"), maxLength: 3 }), (g, fill) => {
        expect(globCovers([g], g)).toBe(true);
        expect(globCovers([g], g.replaceAll("*", fill))).toBe(true);
      }),
    );
  });
});

describe("attenuate", () => {
  const now = 1_800_000_000;
  const parent: CapabilityClaims = {
    iss: "ringfence",
    org: "acme",
    sub: "agent-1",
    models: ["gpt-4o*", "claude-*"],
    led: ["tok_root"],
    jti: "tok_root",
    iat: now - 60,
    exp: now + 7200,
  };

  const refusal = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      if (err instanceof RingfenceError && err.failure.kind === "attenuation_refused") return err.failure.reason;
      throw err;
    }
    throw new Error("expected attenuation to be refused");
  };

  it("defaults to the parent's scope, an hour of life, and a sub-subject", () => {
    expect(attenuate(parent, {}, now, "tok_child")).toEqual({
      iss: "ringfence",
      org: "acme",
      sub: "agent-1/child",
      models: ["gpt-4o*", "claude-*"],
      led: ["tok_root", "tok_child"],
      jti: "tok_child",
      iat: now,
      exp: now + 3600,
    });
  });

  it("never outlives the parent by default", () => {
    const shortParent = { ...parent, exp: now + 120 };
    expect(attenuate(shortParent, {}, now, "tok_child").exp).toBe(now + 120);
  });

  it("accepts narrower models, subject and ttl", () => {
    const child = attenuate(
      parent,
      { sub: "researcher", models: ["gpt-4o-mini", "claude-3-5-*"], ttlSeconds: 600 },
      now,
      "tok_c",
    );
    expect(child).toMatchObject({ sub: "researcher", models: ["gpt-4o-mini", "claude-3-5-*"], exp: now + 600 });
  });

  it("refuses a model outside the parent's globs", () => {
    expect(refusal(() => attenuate(parent, { models: ["gpt-4o-mini", "o3"] }, now, "tok_c"))).toContain("'o3'");
  });

  it("refuses a glob wider than the parent's", () => {
    expect(refusal(() => attenuate(parent, { models: ["gpt-*"] }, now, "tok_c"))).toContain("'gpt-*'");
    expect(refusal(() => attenuate(parent, { models: ["*"] }, now, "tok_c"))).toContain("'*'");
  });

  it("refuses to outlive the parent", () => {
    expect(refusal(() => attenuate(parent, { ttlSeconds: 7201 }, now, "tok_c"))).toContain("outlives");
    expect(attenuate(parent, { ttlSeconds: 7200 }, now, "tok_c").exp).toBe(parent.exp);
  });

  it("refuses to attenuate an expired parent", () => {
    expect(refusal(() => attenuate({ ...parent, exp: now }, {}, now, "tok_c"))).toContain("expired");
  });

  it("chains ledgers so spend is charged to every ancestor", () => {
    const child = attenuate(parent, {}, now, "tok_c");
    const grandchild = attenuate(child, { models: ["gpt-4o"] }, now, "tok_g");
    expect(grandchild.led).toEqual(["tok_root", "tok_c", "tok_g"]);
    expect(grandchild.org).toBe("acme");
  });

  it("request schema refuses unknown fields and non-narrowing shapes", () => {
    expect(AttenuateRequestSchema.safeParse({ model: ["gpt-4o"] }).success).toBe(false);
    expect(AttenuateRequestSchema.safeParse({ org: "other" }).success).toBe(false);
    expect(AttenuateRequestSchema.safeParse({ models: [] }).success).toBe(false);
    expect(AttenuateRequestSchema.safeParse({ ttlSeconds: 0 }).success).toBe(false);
    expect(AttenuateRequestSchema.safeParse({ limits: { rpm: 10, bogus: 1 } }).success).toBe(false);
    expect(AttenuateRequestSchema.parse({ models: ["gpt-4o"], ttlSeconds: 60, limits: { rpm: 10 } })).toEqual({
      models: ["gpt-4o"],
      ttlSeconds: 60,
      limits: { rpm: 10 },
    });
  });
});
