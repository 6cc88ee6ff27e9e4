import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeclaredTool, declarationsHeader, toolDeclarations } from "../../src/codemode/declarations";

const HOSTILE = "Lists files.\n*/ declare const pwned: number; /*\nAlso */ } }; declare const pwned2: 1; /** ";

const TOOLS: DeclaredTool[] = [
  {
    server: "github",
    tool: "search_issues",
    description: "Search issues and pull requests.",
    inputSchema: {
      type: "object",
      required: ["query"],
      properties: {
        query: { type: "string", description: "GitHub search syntax, e.g. `is:open label:bug`" },
        limit: { type: "integer", description: "max results" },
        state: { type: "string", enum: ["open", "closed"] },
        labels: { type: "array", items: { type: "string" } },
        sort: { anyOf: [{ const: "created" }, { const: "updated" }], nullable: true },
        since: { type: ["string", "null"], format: "date-time" },
        repo: {
          type: "object",
          required: ["owner", "name"],
          properties: { owner: { type: "string" }, name: { type: "string" } },
          additionalProperties: false,
        },
      },
    },
    outputSchema: {
      type: "object",
      required: ["total", "items"],
      properties: {
        total: { type: "integer" },
        items: {
          type: "array",
          items: {
            type: "object",
            required: ["number", "title"],
            properties: { number: { type: "integer" }, title: { type: "string" }, score: { type: "number" } },
          },
        },
      },
    },
  },
  {
    server: "github",
    tool: "create_issue",
    inputSchema: {
      type: "object",
      required: ["title"],
      properties: {
        title: { type: "string" },
        body: { type: "string", nullable: true },
        meta: { type: "object", additionalProperties: { type: "number" } },
        point: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], minItems: 2, items: false },
        extra: { allOf: [{ $ref: "#/definitions/Labelled" }, { type: "object", properties: { weight: { type: "number" } } }] },
      },
      definitions: { Labelled: { type: "object", required: ["label"], properties: { label: { type: "string" } } } },
    },
  },
  {
    server: "fs",
    tool: "tree",
    description: HOSTILE,
    inputSchema: {
      type: "object",
      required: ["root"],
      properties: { root: { $ref: "#/$defs/Node" }, loop: { $ref: "#/$defs/Loop" }, self: { $ref: "#" } },
      $defs: {
        Node: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } },
        },
        Loop: { $ref: "#/$defs/Loop" },
      },
    },
  },
  { server: "my-server", tool: "do-thing", description: "No input at all.", inputSchema: { type: "object" } },
  {
    server: "new",
    tool: "new",
    // Parsed, as a schema arrives: in an object literal `__proto__` would set the prototype, not name a property.
    inputSchema: JSON.parse(`{
      "type": "object",
      "required": ["with space", "new", "__proto__", "emoji😀"],
      "properties": {
        "with space": { "const": "quote \\" and \u2028 separator" },
        "new": { "type": "boolean" },
        "__proto__": { "type": "number" },
        "emoji😀": { "enum": [-1, 2.5, 1e21, true, null] },
        "constructor": { "type": "string" },
        "toString": { "type": "number" }
      }
    }`),
  },
  { server: "new", tool: "constructor", inputSchema: { type: "object", properties: {} } },
];

const USAGE = `
const found = await tools.github.search_issues({ query: "is:open", limit: 5, state: "open", labels: ["bug"], sort: null });
const total: number = found.total;
const title: string | undefined = found.items[0]?.title;
await tools.github.search_issues({ query: "x", repo: { owner: "o", name: "n" }, since: null, sort: "created" });
const created: unknown = await tools.github.create_issue({
  title: "t",
  body: null,
  meta: { a: 1 },
  point: [1, 2],
  extra: { label: "l", weight: 2 },
});
await tools.fs.tree({ root: { name: "a", children: [{ name: "b", children: [] }] }, loop: 42, self: "anything" });
await tools["my-server"]["do-thing"]();
await tools["my-server"]["do-thing"]({ any: "thing" });
await tools.new.new({ "with space": 'quote " and \\u2028 separator', new: true, __proto__: 1, "emoji😀": 1e21 });
await tools.new.constructor({});
// @ts-expect-error: an optional property named like a member of Object keeps its type when given
await tools.new.new({ "with space": 'quote " and \\u2028 separator', new: true, __proto__: 1, "emoji😀": 1e21, toString: "1" });
// @ts-expect-error: a number where a string is required
await tools.github.search_issues({ query: 1 });
// @ts-expect-error: the required query is left out
await tools.github.search_issues({ limit: 1 });
// @ts-expect-error: not one of the enum's values
await tools.github.search_issues({ query: "", state: "merged" });
// @ts-expect-error: additionalProperties: false
await tools.github.search_issues({ query: "", repo: { owner: "o", name: "n", extra: 1 } });
// @ts-expect-error: a tuple of two numbers
await tools.github.create_issue({ title: "t", point: [1] });
// @ts-expect-error: allOf requires the label of the referenced definition
await tools.github.create_issue({ title: "t", extra: { weight: 2 } });
// @ts-expect-error: a recursive $ref keeps its shape until the cycle
await tools.fs.tree({ root: { children: [] } });
// @ts-expect-error: not a tool of the server
await tools.github.delete_repo({});
// @ts-expect-error: the hostile description declared nothing
pwned;
// @ts-expect-error: nor this
pwned2;
export { total, title, created };
`;

/**
 * Schemas of every shape: plain JSON; objects of JSON Schema keywords with values of any shape; and schemas a server
 * would plausibly send, nested, with references (some cyclic) and names TypeScript must quote.
 */
const KEYWORDS = [
  "type",
  "properties",
  "required",
  "items",
  "prefixItems",
  "additionalItems",
  "additionalProperties",
  "patternProperties",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "allOf",
  "$ref",
  "$defs",
  "definitions",
  "description",
  "nullable",
  "minItems",
  "constructor",
  "__proto__",
];
const NAME = fc.oneof(
  fc.constantFrom("a", "b", "new", "x y", "toString", "constructor", "__proto__", "$", "1", ""),
  fc.string({ unit: "binary", maxLength: 6 }),
);
const TYPE_NAME = fc.constantFrom("string", "number", "integer", "boolean", "null", "array", "object", "nope");
const LITERAL = fc.oneof(fc.string({ unit: "binary", maxLength: 8 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
const REF = fc.constantFrom(
  "#",
  "#/$defs/a",
  "#/$defs/b",
  "#/definitions/a",
  "#/properties/a",
  "#/$defs/%",
  "#/$defs/a/properties/b",
  "http://x/y",
);
const { schema: SCHEMA } = fc.letrec((tie) => ({
  schema: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue({ maxDepth: 2 }),
    fc.dictionary(fc.constantFrom(...KEYWORDS), tie("value"), { maxKeys: 5 }),
    { arbitrary: tie("plausible"), weight: 4 },
  ),
  plausible: fc.oneof(
    fc.record(
      {
        type: fc.constantFrom("object", undefined),
        properties: fc.dictionary(NAME, tie("schema"), { maxKeys: 4 }),
        required: fc.array(NAME, { maxLength: 3 }),
        additionalProperties: fc.oneof(fc.boolean(), tie("schema")),
        $defs: fc.record({ a: tie("schema"), b: tie("schema") }, { requiredKeys: [] }),
        description: fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.constant("*/ declare const x: 1; /*")),
      },
      { requiredKeys: ["properties"] },
    ),
    fc.record(
      {
        type: fc.constant("array"),
        items: fc.oneof(tie("schema"), fc.array(tie("schema"), { maxLength: 3 })),
        prefixItems: fc.array(tie("schema"), { maxLength: 3 }),
        minItems: fc.integer({ min: -1, max: 4 }),
      },
      { requiredKeys: ["type"] },
    ),
    fc.record(
      { type: fc.oneof(TYPE_NAME, fc.array(TYPE_NAME, { maxLength: 3 })), nullable: fc.boolean() },
      { requiredKeys: ["type"] },
    ),
    fc.record({ enum: fc.array(LITERAL, { maxLength: 4 }) }),
    fc.record({ const: LITERAL }),
    fc.record({ anyOf: fc.array(tie("schema"), { maxLength: 3 }) }),
    fc.record({ allOf: fc.array(tie("schema"), { maxLength: 3 }) }),
    fc.record({ $ref: REF }),
  ),
  value: fc.oneof(
    { depthSize: "small" },
    TYPE_NAME,
    REF,
    LITERAL,
    fc.array(tie("schema"), { maxLength: 3 }),
    fc.dictionary(NAME, tie("schema"), { maxKeys: 3 }),
    tie("schema"),
  ),
}));
const TOOL: fc.Arbitrary<DeclaredTool> = fc.record(
  {
    server: NAME,
    tool: NAME,
    description: fc.oneof(fc.string({ unit: "binary" }), fc.constant(HOSTILE)),
    inputSchema: SCHEMA,
    outputSchema: SCHEMA,
  },
  { requiredKeys: ["server", "tool", "inputSchema"] },
);

/** One TypeScript program for every case, built once: files are modules, so each has its own `tools`. */
const files = new Map<string, string>();
let dir = "";
let diagnostics: Map<string, readonly ts.Diagnostic[]>;

function file(name: string, declaration: string, usage: string): void {
  files.set(name, `${declarationsHeader()}\n${declaration}\n${usage}\nexport {};\n`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rf-decl-"));
  file("realistic.ts", toolDeclarations(TOOLS), USAGE);
  file("wrong.ts", toolDeclarations(TOOLS), 'await tools.github.search_issues({ query: 1, state: "open" });');
  file("empty.ts", toolDeclarations([]), "const none: {} = tools;");
  fc.sample(fc.array(TOOL, { maxLength: 4 }), { numRuns: 25, seed: 7 }).forEach((tools, i) => {
    file(`sample-${i}.ts`, toolDeclarations(tools), "");
  });
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  const program = ts.createProgram(
    [...files.keys()].map((name) => join(dir, name)),
    {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts"],
      types: [],
    },
  );
  diagnostics = new Map(
    [...files.keys()].map((name) => {
      const source = program.getSourceFile(join(dir, name));
      return [name, source ? ts.getPreEmitDiagnostics(program, source) : []];
    }),
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function messages(name: string): string[] {
  return (diagnostics.get(name) ?? []).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${name}:${where ? where.line + 1 : "?"}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

describe("toolDeclarations: the TypeScript compiler agrees", () => {
  it("type-checks a realistic set of tools and the calls a model would write, and rejects the wrong ones", () => {
    expect(messages("realistic.ts")).toEqual([]);
    expect(messages("empty.ts")).toEqual([]);
  });

  it("reports a number passed where a string is required", () => {
    const found = messages("wrong.ts");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/Type 'number' is not assignable to type 'string'/);
  });

  it("type-checks what it renders for arbitrary schemas, names and descriptions", () => {
    const samples = [...files.keys()].filter((name) => name.startsWith("sample-"));
    expect(samples).toHaveLength(25);
    expect(samples.flatMap(messages)).toEqual([]);
  });
});

describe("toolDeclarations: rendering", () => {
  const text = toolDeclarations(TOOLS);

  it("sorts servers and tools, whatever the order they come in", () => {
    expect(toolDeclarations([...TOOLS].reverse())).toBe(text);
    const order = [...text.matchAll(/^ {2}(\S+): \{$/gm)].map((m) => m[1]);
    expect(order).toEqual(["fs", "github", '"my-server"', '"new"']);
    expect(text.indexOf("create_issue(")).toBeLessThan(text.indexOf("search_issues("));
  });

  it("types the result from outputSchema, and says what an untyped result is", () => {
    expect(text).toMatch(/search_issues\(input: \{[\s\S]*\}\): Promise<\{\n\s+total: number;/);
    expect(text).toMatch(/text output as a string[^\n]*\*\/\n\s+create_issue\(input: [\s\S]*?\): Promise<unknown>;/);
  });

  it("writes property descriptions as doc comments", () => {
    expect(text).toContain("/** max results */\n      limit?: number;");
  });

  it("keeps a hostile description inside its comment", () => {
    const source = ts.createSourceFile("d.ts", text, ts.ScriptTarget.Latest, true);
    expect(source.statements).toHaveLength(1);
    expect(text).toContain("*\\/ declare const pwned: number; /*");
  });

  it("caps a long description", () => {
    const long = toolDeclarations([{ server: "s", tool: "t", description: "x".repeat(50_000), inputSchema: {} }]);
    expect(long.length).toBeLessThan(1500);
    expect(long).toContain(`${"x".repeat(1000)}…`);
  });

  it("turns a cycle into unknown and keeps a huge or deep schema small", () => {
    // Each definition refers to the next one twice: expanded in full it would have 2^30 leaves.
    const defs = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [
        `d${i}`,
        { type: "object", properties: { l: { $ref: `#/$defs/d${i + 1}` }, r: { $ref: `#/$defs/d${i + 1}` } } },
      ]),
    );
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`p${i}`, { enum: [`v${i}`, i] }]));
    let deep: unknown = { type: "string" };
    for (let i = 0; i < 500; i++) deep = { type: "array", items: deep };
    const out = toolDeclarations([
      { server: "s", tool: "dag", inputSchema: { $ref: "#/$defs/d0", $defs: defs } },
      { server: "s", tool: "wide", inputSchema: { type: "object", properties: wide } },
      { server: "s", tool: "deep", inputSchema: deep },
    ]);
    expect(out.length).toBeLessThan(40_000);
    expect(out).toContain("[key: string]: unknown;");
    expect(out).toContain("unknown[][][]");
  });

  it("never throws, and always renders exactly one declaration the TypeScript parser accepts", () => {
    fc.assert(
      fc.property(fc.array(TOOL, { maxLength: 4 }), (tools) => {
        const out = `${declarationsHeader()}\n${toolDeclarations(tools)}`;
        const { diagnostics: syntax = [] } = ts.transpileModule(out, { reportDiagnostics: true });
        const source = ts.createSourceFile("d.ts", out, ts.ScriptTarget.Latest, false);
        return syntax.length === 0 && source.statements.length === 1;
      }),
      { numRuns: 150 },
    );
  });
});
