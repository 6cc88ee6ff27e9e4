// Renders the tools a token may call as a TypeScript declaration: the API a model reads before it writes code mode.
//
// Schemas and descriptions come from MCP servers, so they are untrusted: the rendering never throws, always ends
// (cyclic `$ref`s, depth and size are capped, and what is past a cap becomes `unknown`), and no text from a server
// can leave the comment or the string literal it is written into.

export interface DeclaredTool {
  server: string;
  tool: string;
  description?: string;
  inputSchema: unknown;
  outputSchema?: unknown;
}

const MAX_DEPTH = 8;
const MAX_DESCRIPTION = 1000;
/** Characters one schema's type may take (roughly: structure is counted per property); past them it is `unknown`. */
const SCHEMA_BUDGET = 10_000;

const TEXT_RESULT = "Resolves to the tool's text output as a string (or its content blocks when not all of them are text).";
const STRUCTURED_RESULT = "Resolves to the tool's structured result.";

/** A short usage note the executor puts before the declaration. */
export function declarationsHeader(): string {
  return [
    "// Your code is the body of an async function: use `await`, and `return` a JSON value as the result.",
    "// Call a tool with `await tools.<server>.<tool>(input)`; every call returns a Promise. Names that are not",
    '// identifiers take brackets: `await tools["my-server"]["do-thing"](input)`.',
    "// Output of console.log (and .info, .warn, .error) is captured and returned with the result.",
  ].join("\n");
}

/** `declare const tools: { … }` for the given tools, servers and tools sorted by name. */
export function toolDeclarations(tools: readonly DeclaredTool[]): string {
  const sorted = [...tools].sort((a, b) => compare(a.server, b.server) || compare(a.tool, b.tool));
  const lines = ["declare const tools: {"];
  let server: string | undefined;
  let tool: string | undefined;
  for (const t of sorted) {
    if (t.server !== server) {
      if (server !== undefined) lines.push("  };");
      server = t.server;
      tool = undefined;
      lines.push(...doc(`Tools of the MCP server ${JSON.stringify(t.server)}.`, "  "), `  ${key(t.server)}: {`);
    }
    // A repeated tool would read as an overload; the first one listed wins.
    if (t.tool === tool) continue;
    tool = t.tool;
    lines.push(...method(t));
  }
  if (server !== undefined) lines.push("  };");
  lines.push("};");
  return lines.join("\n");
}

function method(t: DeclaredTool): string[] {
  const structured = t.outputSchema !== undefined && t.outputSchema !== null;
  const about = [
    ...(typeof t.description === "string" && t.description.trim() ? [cap(t.description.trim()), ""] : []),
    structured ? STRUCTURED_RESULT : TEXT_RESULT,
  ].join("\n");
  const input = typeText(t.inputSchema, "    ");
  const output = structured ? typeText(t.outputSchema, "    ") : "unknown";
  const optional = inputIsOptional(t.inputSchema) ? "?" : "";
  return [...doc(about, "    "), `    ${key(t.tool)}(input${optional}: ${input}): Promise<${output}>;`];
}

/** An object schema that plainly requires nothing can be called without input (the executor sends `{}`). */
function inputIsOptional(schema: unknown): boolean {
  if (!isRecord(schema)) return schema === true || schema === undefined;
  const type = own(schema, "type");
  const required = own(schema, "required");
  const indirect = ["$ref", "anyOf", "oneOf", "allOf"].some((k) => own(schema, k) !== undefined);
  return !indirect && (type === undefined || type === "object") && !(Array.isArray(required) && required.length > 0);
}

function typeText(schema: unknown, indent: string): string {
  try {
    // The root counts as followed: `{ "$ref": "#" }` inside it is a cycle like any other.
    return render(schema, 0, { root: schema, left: SCHEMA_BUDGET, following: new Set([schema]) }, indent).text;
  } catch {
    // Nothing above throws on JSON; a hostile non-JSON value (a throwing getter, a revoked proxy) still gets a type.
    return "unknown";
  }
}

// --- JSON Schema → TypeScript type ---------------------------------------------------------------------------------

/** A type's text and how tightly it binds: 0 a union, 1 an intersection (or `-1`), 2 anything that needs no parens. */
interface Type {
  text: string;
  binds: 0 | 1 | 2;
}

interface Context {
  /** What `#…` references point into. */
  root: unknown;
  /** Budget left, in characters of text written; every schema visited also costs one. */
  left: number;
  /** The `$ref` targets being expanded: meeting one again is a cycle. */
  following: Set<unknown>;
}

/** The members of TypeScript's `Object` interface. */
const INHERITED = new Set([
  "constructor",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
]);

const UNKNOWN: Type = { text: "unknown", binds: 2 };
const NEVER: Type = { text: "never", binds: 2 };
const primitive = (text: string): Type => ({ text, binds: 2 });

function render(schema: unknown, depth: number, ctx: Context, indent: string): Type {
  if (schema === false) return NEVER;
  if (!isRecord(schema) || depth > MAX_DEPTH || ctx.left <= 0) return UNKNOWN;
  ctx.left -= 1;
  const ref = own(schema, "$ref");
  if (typeof ref === "string") return reference(ref, depth, ctx, indent);
  const parts: Type[] = [];
  const constant = own(schema, "const");
  const values = own(schema, "enum");
  if (constant !== undefined) parts.push(literals([constant], ctx));
  else if (Array.isArray(values)) parts.push(literals(values, ctx));
  else {
    const typed = byType(schema, depth, ctx, indent);
    if (typed) parts.push(typed);
  }
  for (const word of ["anyOf", "oneOf"]) {
    const members = own(schema, word);
    if (Array.isArray(members)) parts.push(union(each(members, ctx, (m) => render(m, depth + 1, ctx, indent))));
  }
  const all = own(schema, "allOf");
  // An intersection cut short by the budget is left out, which only says less.
  if (Array.isArray(all)) parts.push(...(each(all, ctx, (m) => render(m, depth + 1, ctx, indent)) ?? []));
  const type = parts.length === 0 ? UNKNOWN : intersection(parts);
  return own(schema, "nullable") === true ? union([type, primitive("null")]) : type;
}

function reference(ref: string, depth: number, ctx: Context, indent: string): Type {
  const target = resolve(ctx.root, ref);
  if (target === undefined || ctx.following.has(target)) return UNKNOWN;
  ctx.following.add(target);
  const type = render(target, depth + 1, ctx, indent);
  ctx.following.delete(target);
  return type;
}

/** A local reference (`#`, `#/$defs/X`, any JSON pointer into the root); anything else is not followed. */
function resolve(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (pointer === "") return root;
  if (!pointer.startsWith("/")) return undefined;
  let node = root;
  for (const raw of pointer.slice(1).split("/")) {
    const step = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(step)) node = node[Number(step)];
    else if (isRecord(node)) node = own(node, step);
    else return undefined;
  }
  return node;
}

/** The type from `type` (one name or several), or from `properties` / `items` when `type` is left out. */
function byType(schema: Record<string, unknown>, depth: number, ctx: Context, indent: string): Type | undefined {
  const type = own(schema, "type");
  const one = (name: unknown): Type => {
    switch (name) {
      case "string":
        return primitive("string");
      case "number":
      case "integer":
        return primitive("number");
      case "boolean":
        return primitive("boolean");
      case "null":
        return primitive("null");
      case "array":
        return array(schema, depth, ctx, indent);
      case "object":
        return object(schema, depth, ctx, indent);
      default:
        return UNKNOWN;
    }
  };
  if (typeof type === "string") return one(type);
  if (Array.isArray(type)) return union(each(type, ctx, one));
  if (["properties", "additionalProperties", "patternProperties", "required"].some((k) => own(schema, k) !== undefined)) {
    return one("object");
  }
  if (["items", "prefixItems"].some((k) => own(schema, k) !== undefined)) return one("array");
  return undefined;
}

function object(schema: Record<string, unknown>, depth: number, ctx: Context, indent: string): Type {
  const inner = `${indent}  `;
  const properties = own(schema, "properties");
  const required = own(schema, "required");
  const needed = new Set(Array.isArray(required) ? required.filter((r) => typeof r === "string") : []);
  const members: string[] = [];
  let documented = false;
  let cut = false;
  if (isRecord(properties)) {
    for (const name of Object.keys(properties)) {
      const written = key(name);
      // The line around the type is paid for here; the type pays for itself.
      const cost = inner.length + written.length + 4;
      if (ctx.left <= cost) {
        cut = true;
        break;
      }
      ctx.left -= cost;
      const property = own(properties, name);
      const about = isRecord(property) ? own(property, "description") : undefined;
      const type = render(property, depth + 1, ctx, inner);
      if (typeof about === "string" && about.trim()) {
        const lines = doc(cap(about.trim()), inner);
        ctx.left -= lines.reduce((sum, line) => sum + line.length, 0);
        members.push(...lines);
        documented = true;
      }
      const optional = !needed.has(name);
      // TypeScript gives every object literal the members of Object: `{}` has a `toString`, and is not assignable to
      // `{ toString?: string }` unless the type admits the inherited member too.
      const text = optional && INHERITED.has(name) ? `${type.text} | Object[${JSON.stringify(name)}]` : type.text;
      members.push(`${inner}${written}${optional ? "?" : ""}: ${text};`);
    }
  }
  const index = indexSignature(schema, members.length > 0, cut, depth, ctx, inner);
  if (index) members.push(`${inner}[key: string]: ${index.text};`);
  // No properties and no index signature: an object with nothing in it.
  if (members.length === 0) return primitive("{ [key: string]: never }");
  const flat = members
    .map((m) => m.trim())
    .join(" ")
    .replace(/;$/, "");
  // A small object without doc comments reads best on one line.
  if (!documented && flat.length <= 60 && !flat.includes("\n")) return primitive(`{ ${flat} }`);
  return primitive(`{\n${members.join("\n")}\n${indent}}`);
}

/**
 * Keys beyond the listed properties. With listed properties the signature says `unknown`: TypeScript requires every
 * property to fit the index type, which a schema does not promise.
 */
function indexSignature(
  schema: Record<string, unknown>,
  listed: boolean,
  cut: boolean,
  depth: number,
  ctx: Context,
  indent: string,
): Type | undefined {
  if (cut) return UNKNOWN;
  const additional = own(schema, "additionalProperties");
  const patterns = own(schema, "patternProperties");
  const patternSchemas = isRecord(patterns) ? Object.values(patterns) : [];
  const extra = [...(additional === undefined || additional === false ? [] : [additional]), ...patternSchemas];
  if (extra.length === 0) {
    // Nothing said about other keys: an object schema without properties is any object.
    return listed || additional === false ? undefined : UNKNOWN;
  }
  if (listed) return UNKNOWN;
  return union(each(extra, ctx, (s) => render(s, depth + 1, ctx, indent)));
}

function array(schema: Record<string, unknown>, depth: number, ctx: Context, indent: string): Type {
  const items = own(schema, "items");
  const prefix = own(schema, "prefixItems");
  // Draft 2020-12 lists a tuple in `prefixItems` (then `items` is the rest); older drafts in `items` (`additionalItems`).
  const tuple = Array.isArray(prefix) ? prefix : Array.isArray(items) ? items : undefined;
  if (!tuple) return primitive(`${wrap(render(items ?? true, depth + 1, ctx, indent), 2)}[]`);
  const rest = Array.isArray(prefix) ? items : own(schema, "additionalItems");
  const minItems = own(schema, "minItems");
  const least = typeof minItems === "number" ? minItems : 0;
  const rendered = each(tuple, ctx, (s) => render(s, depth + 1, ctx, indent));
  const elements = (rendered ?? []).map((t, i) => (i < least ? t.text : `${wrap(t, 2)}?`));
  // A tuple cut short by the budget ends in `...unknown[]`, which admits what was not rendered.
  if (!rendered) elements.push("...unknown[]");
  else if (rest !== false) elements.push(`...${wrap(render(rest ?? true, depth + 1, ctx, indent), 2)}[]`);
  return primitive(`[${elements.join(", ")}]`);
}

/** `enum` / `const`: literal types; a value TypeScript cannot write as a literal makes the whole set `unknown`. */
function literals(values: readonly unknown[], ctx: Context): Type {
  const types: Type[] = [];
  for (const value of values) {
    const type = literal(value, ctx);
    if (!type || ctx.left <= 0) return UNKNOWN;
    types.push(type);
  }
  return union(types);
}

function literal(value: unknown, ctx: Context): Type | undefined {
  if (typeof value === "string") {
    if (value.length >= ctx.left) return undefined;
    const text = JSON.stringify(value);
    ctx.left -= text.length;
    return primitive(text);
  }
  if (typeof value === "number" && Number.isFinite(value)) {
    const text = JSON.stringify(value);
    ctx.left -= text.length;
    return value < 0 ? { text, binds: 1 } : primitive(text);
  }
  if (typeof value === "boolean" || value === null) return primitive(String(value));
  return undefined;
}

/** `undefined` (a list cut short by the budget) is `unknown`: a union missing members would refuse valid input. */
function union(types: readonly Type[] | undefined): Type {
  if (!types) return UNKNOWN;
  const members = dedupe(types.filter((t) => t.text !== "never"));
  if (members.some((t) => t.text === "unknown")) return UNKNOWN;
  if (members.length === 0) return NEVER;
  if (members.length === 1 && members[0]) return members[0];
  return { text: members.map((t) => t.text).join(" | "), binds: 0 };
}

function intersection(types: readonly Type[]): Type {
  const members = dedupe(types.filter((t) => t.text !== "unknown"));
  if (members.some((t) => t.text === "never")) return NEVER;
  if (members.length === 0) return UNKNOWN;
  if (members.length === 1 && members[0]) return members[0];
  return { text: members.map((t) => wrap(t, 1)).join(" & "), binds: 1 };
}

function dedupe(types: readonly Type[]): Type[] {
  const seen = new Set<string>();
  return types.filter((t) => !seen.has(t.text) && seen.add(t.text));
}

function wrap(type: Type, binds: number): string {
  return type.binds >= binds ? type.text : `(${type.text})`;
}

/** Maps a list while the budget lasts (a list can be longer than the budget); `undefined` when it ran out first. */
function each<T>(list: readonly unknown[], ctx: Context, f: (item: unknown) => T): T[] | undefined {
  const out: T[] = [];
  for (const item of list) {
    if (ctx.left <= 0) return undefined;
    out.push(f(item));
  }
  return out;
}

// --- text ----------------------------------------------------------------------------------------------------------

/** A property or method name: bare when it is an identifier (`new` would declare a constructor), else a string. */
function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) && name !== "new" ? name : JSON.stringify(name);
}

/** A doc comment; `*` `/` in the text is broken up so the text cannot end the comment. */
function doc(text: string, indent: string): string[] {
  const lines = text.split(/\r\n|[\r\n\u2028\u2029]/).map((line) => line.replaceAll("*/", "*\\/").trimEnd());
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((line) => (line ? `${indent} * ${line}` : `${indent} *`)), `${indent} */`];
}

function cap(text: string): string {
  if (text.length <= MAX_DESCRIPTION) return text;
  let cut = text.slice(0, MAX_DESCRIPTION);
  // Do not leave half of a surrogate pair at the cut.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own properties only: `constructor` or `__proto__` in a schema must not reach Object.prototype. */
function own(record: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
