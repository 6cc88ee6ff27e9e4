import { describe, expect, it } from "vitest";
import { instrument, TICK } from "../../src/codemode/instrument";

class Budget extends Error {}

/** Runs instrumented code in Node with a tick budget, as the executor will in the isolate. */
async function run(source: string, budget = 100_000): Promise<{ value?: unknown; error?: unknown; ticks: number }> {
  const out = instrument(source, ["input"]);
  if (!out.ok) throw new Error(`${out.kind}: ${out.message}`);
  let ticks = 0;
  const tick = () => {
    if (++ticks > budget) throw new Budget("tick budget spent");
  };
  // The test runs what the isolate will run, here in Node (the Function constructor evaluates in global scope).
  const main = new Function(`return (${out.code});`)() as (tick: () => void, input: unknown) => Promise<unknown>;
  try {
    return { value: await main(tick, 21), ticks };
  } catch (error) {
    return { error, ticks };
  }
}

describe("codemode instrumentation", () => {
  it("leaves what ordinary code computes unchanged", async () => {
    const src = `
      const xs = [];
      for (let i = 0; i < 5; i++) xs.push(i * input);
      let j = 0; while (j < 3) j++;
      do { j--; } while (j > 0);
      for (const k in { a: 1, b: 2 }) xs.push(k);
      for (const v of [7, 8]) { if (v === 8) continue; xs.push(v); }
      const sq = (n) => n * n;
      const obj = () => ({ total: xs.length });
      class C { get twice() { return input * 2; } static of(n) { return n + 1; } }
      function* gen() { let n = 0; while (n < 3) yield n++; }
      const awaited = await Promise.resolve(sq(3));
      outer: for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) { if (b === 1) continue outer; xs.push(a * 10 + b); }
      return { xs, awaited, obj: obj(), twice: new C().twice, of: C.of(1), gen: [...gen()], j };`;
    const r = await run(src);
    expect(r.error).toBeUndefined();
    expect(r.value).toEqual({
      xs: [0, 21, 42, 63, 84, "a", "b", 7, 0, 10, 20],
      awaited: 9,
      obj: { total: 11 },
      twice: 42,
      of: 2,
      gen: [0, 1, 2],
      j: 0,
    });
    expect(r.ticks).toBeGreaterThan(10);
  });

  it.each([
    ["while (true) {}", "an empty while"],
    ["for (;;);", "an empty for without a block"],
    ["do {} while (true)", "a do-while"],
    ["while (true) while (true) {}", "nested loops without braces"],
    ["function f() { return f(); } return f();", "unbounded recursion"],
    ["const f = () => f(); return f();", "unbounded recursion of an arrow with an expression body"],
    ["function* g() { while (true) yield 1; } for (const x of g()) {}", "an endless generator"],
    ["outer: while (true) { for (;;) { continue outer; } }", "labelled continue"],
    ["let s = 0; while (true) { s = await Promise.resolve(s + 1); }", "an async loop"],
    ["class A { m() { for (;;) {} } } new A().m();", "a method"],
    ["[1].map(function x() { while (1); });", "a callback"],
  ])("stops %s (%s)", async (src) => {
    const r = await run(src, 10_000);
    // Either the budget ends it, or (deep recursion) the engine's own stack limit does: it never hangs.
    expect(r.error instanceof Budget || r.error instanceof RangeError).toBe(true);
  });

  it("refuses code that names the tick function, so it cannot be replaced or shadowed", () => {
    for (const src of [`${TICK} = () => {}`, `const ${TICK} = 1`, `globalThis["x"]; ${TICK}()`]) {
      expect(instrument(src, [])).toMatchObject({ ok: false, kind: "policy" });
    }
  });

  it("reports syntax errors at the user's own line", () => {
    const r = instrument("const a = 1;\nconst = 2;", []);
    expect(r).toMatchObject({ ok: false, kind: "syntax" });
    if (!r.ok) expect(r.message).toContain("line 2");
  });

  it("refuses code that closes its own function to run at the module's top level", () => {
    for (const src of ["return 1;\n} globalThis.escaped = 42; {", "}\nfunction later() {", "} {"]) {
      expect(instrument(src, [])).toMatchObject({ ok: false, kind: "syntax" });
    }
    expect(instrument("{ return 1 }", [])).toMatchObject({ ok: true });
  });

  it("refuses import(), which would reach modules (and the binding's env) past the harness", () => {
    for (const src of ["await import('cloudflare:workers')", "const m = 'cloudflare:sockets'; return import(m)"]) {
      expect(instrument(src, [])).toMatchObject({ ok: false, kind: "policy" });
    }
  });

  it("refuses reserved names written with unicode escapes, which the engine reads as the same name", () => {
    for (const src of ["\\u005f_rf_ticks = -Infinity; while (true) {}", "let \\u{5f}_rf_x = 1", "\\u005f\\u005frf_tick()"]) {
      expect(instrument(src, []), src).toMatchObject({ ok: false, kind: "policy" });
    }
  });

  it("instruments a program at the size limit in linear time (it runs on the gateway's thread)", () => {
    // 256 KB of arrow functions: ~43 000 insertions. Splicing each into the whole string took most of a minute.
    const src = "()=>0;".repeat(43_000);
    const started = performance.now();
    const r = instrument(src, []);
    const ms = performance.now() - started;
    expect(r.ok).toBe(true);
    // One tick per arrow, and one at the entry of the wrapping function.
    if (r.ok) expect(r.code.split("__rf_tick()").length - 1).toBe(43_001);
    // Not a timing assertion on speed, a guard against the quadratic algorithm: linear is ~0.2 s here, quadratic ~45 s.
    expect(ms).toBeLessThan(10_000);
  });
});
