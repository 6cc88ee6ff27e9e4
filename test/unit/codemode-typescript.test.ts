import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instrument } from "../../src/codemode/instrument";
import { stripTypes } from "../../src/codemode/typescript";

type Main = (tick: () => void, input: unknown) => Promise<unknown>;

/** Strips, instruments and runs a TypeScript body as the executor will, here in Node. */
async function run(source: string, input: unknown = 21): Promise<unknown> {
  const stripped = stripTypes(source);
  if (!stripped.ok) throw new Error(`strip: ${stripped.message}`);
  const program = instrument(stripped.code, ["input"]);
  if (!program.ok) throw new Error(`instrument: ${program.message}`);
  const main = new Function(`return (${program.code});`)() as Main;
  return main(() => {}, input);
}

function refusal(source: string): string {
  const out = stripTypes(source);
  if (out.ok) throw new Error(`expected a refusal, got:\n${out.code}`);
  expect(out.kind).toBe("syntax");
  return out.message;
}

describe("stripTypes: TypeScript constructs run as written", () => {
  it.each([
    ["annotations", "const n: number = input; let s: string | undefined; s = 'x'; return [n, s];", [21, "x"]],
    [
      "interfaces and type aliases",
      "interface P { x: number }\ntype Q = P & { y?: string };\nconst q: Q = { x: 1 };\nreturn q.x;",
      1,
    ],
    ["generic functions", "function first<T extends unknown[]>(xs: T): T[0] { return xs[0]; }\nreturn first([4, 5]);", 4],
    [
      "arrow generics",
      "const id = <T,>(v: T): T => v;\nconst pair = <A, B>(a: A, b: B) => [a, b] as const;\nreturn [id(3), pair(1, 'b')];",
      [3, [1, "b"]],
    ],
    [
      "generic calls",
      "const s = new Set<string>(['a']);\nconst m = new Map<string, number>();\nm.set('k', 2);\nreturn Array.from<string>(s).concat(String(m.get('k')));",
      ["a", "2"],
    ],
    [
      "as, satisfies, as const and <T> assertions",
      "const a = (input as number) + 1;\nconst b = { k: 1 } satisfies Record<string, number>;\nconst c = ['x'] as const;\nconst d = <number>input;\nreturn [a, b.k, c[0], d];",
      [22, 1, "x", 21],
    ],
    [
      "non-null assertions and definite assignment",
      "const xs: number[] | undefined = [input];\nlet z!: number;\nz = xs![0]!;\nreturn z;",
      21,
    ],
    [
      "enums",
      "enum Color { Red, Green = 5, Blue }\nenum Dir { Up = 'UP' }\nreturn [Color.Red, Color.Blue, Color[5], Dir.Up];",
      [0, 6, "Green", "UP"],
    ],
    ["const enums", "const enum K { A = 2 }\nreturn K.A * input;", 42],
    [
      "import type and export type",
      'import type { Foo } from "foo";\nimport type Bar from "bar";\nexport type { Foo };\nexport type Baz = Bar | Foo;\nexport interface I {}\nreturn 1;',
      1,
    ],
    [
      "optional chaining and ??",
      "const o: { a?: { b?: number } } = {};\nreturn [o.a?.b ?? 'none', o.a?.b?.toFixed()];",
      ["none", undefined],
    ],
    [
      "classes with typed fields and parameter properties",
      "class C<T> {\n  readonly tag: string = 'c';\n  private count?: number;\n  static made: number = 0;\n  #secret: T;\n  constructor(public value: T, protected extra = 2) { this.#secret = value; C.made++; }\n  get secret(): T { return this.#secret; }\n}\nconst c = new C<number>(input);\nreturn [c.tag, c.value, c.secret, C.made];",
      ["c", 21, 21, 1],
    ],
    [
      "abstract classes and implements",
      "interface Shape { area(): number }\nabstract class Base implements Shape { abstract area(): number; twice(): number { return this.area() * 2; } }\nclass Sq extends Base { constructor(private s: number) { super(); } override area() { return this.s ** 2; } }\nreturn new Sq(3).twice();",
      18,
    ],
    [
      "declare statements",
      'declare const host: { name: string };\ndeclare function helper(x: number): number;\ndeclare namespace NS { const v: number }\ndeclare module "m" { export const x: number }\ndeclare global { interface Window { z: 1 } }\nreturn typeof host;',
      "undefined",
    ],
    [
      "overload signatures",
      "function f(x: string): string;\nfunction f(x: number): number;\nfunction f(x: unknown) { return x; }\nreturn [f('a'), f(2)];",
      ["a", 2],
    ],
    [
      "this parameters and optional parameters",
      "function g(this: void, a?: number, ...rest: number[]): number { return (a ?? 0) + rest.length; }\nreturn g(1, 2, 3);",
      3,
    ],
    ["await and return at the top of the body", "const v: number = await Promise.resolve<number>(input);\nreturn v * 2;", 42],
    [
      "names that are TypeScript keywords elsewhere",
      "const type = 1, namespace = 2, module = 3, declare = 4;\nconst o = { namespace, module: module };\nreturn type + namespace + module + declare + o.module;",
      13,
    ],
    [
      "comparisons that look like generics",
      "const a = 1, b = 2, c = 3, d = 0;\nreturn [a < b && c > d, a < (b as number)];",
      [true, true],
    ],
  ])("%s", async (_name, source, expected) => {
    expect(await run(source)).toEqual(expected);
  });

  it("keeps every line where it was: an error thrown at line N of the source is at line N of the output", async () => {
    const source = [
      "interface Big {", // 1
      "  a: string;", // 2
      "}", // 3
      "enum E {", // 4
      "  A,", // 5
      "  B = 'b',", // 6
      "}", // 7
      "class P {", // 8
      "  constructor(", // 9
      "    public x: number,", // 10
      "  ) {}", // 11
      "}", // 12
      "type T = { deep: { deeper: string } };", // 13
      "const t: T = { deep: { deeper: 'x' } };", // 14
      "throw new Error('boom');", // 15
    ].join("\n");
    const stripped = stripTypes(source);
    if (!stripped.ok) throw new Error(stripped.message);
    expect(stripped.code.split("\n")).toHaveLength(15);
    // `new Function` puts its body from line 3 on; the stack names the line the error was thrown at.
    const fn = new Function(`${stripped.code}\n//# sourceURL=program.js`);
    let stack = "";
    try {
      fn();
    } catch (err) {
      stack = err instanceof Error ? (err.stack ?? "") : "";
    }
    const line = Number(/program\.js:(\d+):/.exec(stack)?.[1]);
    expect(line - 2).toBe(15);
  });
});

describe("stripTypes: errors", () => {
  it("reports a syntax error at the user's line and column", () => {
    expect(refusal("const a = 1;\nconst b: = 2;")).toMatch(/\(line 2, column 9\)$/);
    expect(refusal("const ok: number = 1;\n\nreturn (ok as number;")).toMatch(/\(line 3, column \d+\)$/);
  });

  it("points an unfinished program at its last line, not past it", () => {
    expect(refusal("const a = 1;\nconst b = a +")).toMatch(/\(line 2, column 13\)$/);
  });

  it.each([
    ['import { x } from "y";', "import and export"],
    ['import x from "y";', "import and export"],
    ['import * as y from "y";', "import and export"],
    ['import "y";', "import and export"],
    // Not a type-only import: under verbatimModuleSyntax it still loads the module.
    ['import { type X } from "y";', "import and export"],
    ["export const b = 1;", "import and export"],
    ["export default a;", "import and export"],
    ["export { a };", "import and export"],
    ['export * from "y";', "import and export"],
    ["export = a;", "import and export"],
    ['import x = require("y");', "`import … = …`"],
    ["import x = Math.max;", "`import … = …`"],
    ["namespace N { export const v = 1; }", "namespaces"],
    ["module M { export const v = 1; }", "namespaces"],
  ])("refuses %s with a clear syntax error at its line", (statement, what) => {
    const message = refusal(`const a = 1;\n${statement}\nreturn a;`);
    expect(message).toContain(what);
    expect(message).toMatch(/\(line 2, column \d+\)$/);
  });

  it("refuses code that closes the function it runs in, which would otherwise run outside it", () => {
    expect(refusal("return 1;\n} globalThis.escaped = true; {")).toMatch(/unbalanced braces.*\(line 2, column 2\)$/);
  });

  it("refuses what sucrase passes through but a function body cannot hold", () => {
    expect(refusal("return import.meta.url;")).toMatch(/import\.meta.*\(line 1, column 7\)$/);
    expect(refusal("@decorate\nclass A {}")).toMatch(/\(line 1, column 0\)$/);
    expect(refusal("return <div>hi</div>;")).toMatch(/\(line 1, column \d+\)$/);
  });

  it("never throws, and what it accepts instrument() accepts", () => {
    const piece = fc.constantFrom(
      "const",
      "x",
      ":",
      "number",
      "=",
      "1",
      ";",
      "\n",
      "<",
      ">",
      "T",
      ",",
      "(",
      ")",
      "{",
      "}",
      "=>",
      "as",
      "!",
      "?",
      "import",
      "export",
      "type",
      "interface",
      "enum",
      "namespace",
      "declare",
      "module",
      "return",
      "await",
      "`",
      '"',
      "/",
      "*/",
      "/*",
      "//",
      "@",
      "#",
      "class",
      "satisfies",
      "require",
      "from",
      "[",
      "]",
      ".",
      " ",
    );
    const source = fc.oneof(
      fc.string(),
      fc.array(piece, { maxLength: 40 }).map((xs) => xs.join(" ")),
    );
    fc.assert(
      fc.property(source, (text) => {
        const out = stripTypes(text);
        if (!out.ok) return out.kind === "syntax" && out.message.length > 0;
        const program = instrument(out.code, []);
        return program.ok || program.kind === "policy";
      }),
      { numRuns: 300 },
    );
  });
});
