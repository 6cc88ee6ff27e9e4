// Strips the types from a code-mode program written in TypeScript, leaving the plain JavaScript body instrument() takes.
//
// Sucrase removes types token by token and keeps every line where it was, so a line of the output is the same line of
// the source: errors thrown at run time point at the line the model wrote. It checks no types and accepts more than
// a function body may hold, so what it lets through is checked here: module syntax is refused, never rewritten.

import type { Program } from "acorn";
import { parse } from "acorn";
import type { Options } from "sucrase";
import { transform } from "sucrase";

export type Stripped = { ok: true; code: string } | { ok: false; kind: "syntax"; message: string };

// The shape of instrument()'s head (one line), so line L of the source is line L + 1 of the wrapped text there and here.
const HEAD = "async function __rf_main() {\n";
const TAIL = "\n}";

const OPTIONS: Options = {
  transforms: ["typescript"],
  // The isolate runs modern JavaScript: optional chaining, `??` and class fields stay as written.
  disableESTransforms: true,
  // Keep value imports (like TypeScript's verbatimModuleSyntax) so they reach the module check below, not vanish.
  keepUnusedImports: true,
  // Sucrase would turn `import x = require("m")` into a plain `const`; this way it prepends a module import instead,
  // which the head check below catches.
  injectCreateRequireForImportRequire: true,
};

const MODULE_SYNTAX = "import and export are not available: the program is the body of an async function (`import type` is fine)";

/** `source` is the body of an async function (it may `await` and `return`). Never throws. */
export function stripTypes(source: string): Stripped {
  const wrapped = `${HEAD}${source}${TAIL}`;
  let code: string;
  try {
    code = transform(wrapped, OPTIONS).code;
  } catch (err) {
    return sucraseError(err, wrapped);
  }
  if (!code.startsWith(HEAD)) return importAssignment(code);
  if (!code.endsWith(TAIL)) return syntax("the program does not end where it should: check its braces and comments");
  const refused = exportAssignment(wrapped, code) ?? namespace(wrapped);
  if (refused) return refused;
  // Whatever sucrase passed through (value imports, exports, decorators, JSX) must now parse as a function body.
  let ast: Program;
  try {
    ast = parse(code, { ecmaVersion: "latest", sourceType: "script" });
  } catch (err) {
    return acornError(err);
  }
  const escaped = ast.body[1];
  if (escaped) return syntax("unbalanced braces: the program closes the function it runs in", at(code, escaped.start));
  return { ok: true, code: code.slice(HEAD.length, code.length - TAIL.length) };
}

/**
 * Sucrase put something before the head: the `require` it makes for `import x = …`, which then stands where `import`
 * did (`const x = _require(…)`), on the same line since the prefix adds none.
 */
function importAssignment(code: string): Stripped {
  const message = "`import … = …` is not available: the program is the body of an async function";
  const name = /const ([\w$]+) =/.exec(code.slice(0, code.indexOf(HEAD)))?.[1];
  const lines = code.split("\n");
  const line = name === undefined ? -1 : lines.findIndex((text, i) => i > 0 && text.includes(name));
  return syntax(message, line > 0 ? { line, column: Math.max(0, (lines[line] ?? "").search(/\S/)) } : undefined);
}

/** Sucrase rewrites `export = x` to `module.exports = x`: an output line holding more of those than its source did. */
function exportAssignment(wrapped: string, code: string): Stripped | undefined {
  const before = wrapped.split("\n");
  const after = code.split("\n");
  for (let i = 1; i < after.length; i++) {
    const line = after[i] ?? "";
    if (count(line, "module.exports") > count(before[i] ?? "", "module.exports")) {
      return syntax(MODULE_SYNTAX, { line: i, column: line.indexOf("module.exports") });
    }
  }
  return undefined;
}

// Sucrase takes `namespace N { … }` for a type and drops it whole, values included (TypeScript refuses a namespace
// inside a function anyway). Respelling the keyword turns such a declaration into a syntax error sucrase locates, and
// changes nothing else: every other `namespace` or `module` is a name, a string or a comment, and stays one.
const NAMESPACE = /(?<!\bdeclare\s+)\b(?:namespace|module)\b/g;

function namespace(wrapped: string): Stripped | undefined {
  const respelled = wrapped.replace(NAMESPACE, (word) => `${word.slice(0, -1)}$`);
  if (respelled === wrapped) return undefined;
  try {
    transform(respelled, OPTIONS);
    return undefined;
  } catch (err) {
    const pos = errorPos(err);
    return syntax(
      "namespaces are not available: use an object for values, `declare namespace` for types",
      pos === undefined ? undefined : at(respelled, pos),
    );
  }
}

interface Location {
  /** 1-based line of the user's source. */
  line: number;
  /** 0-based column, as acorn and instrument() report it. */
  column: number;
}

function syntax(message: string, where?: Location): Stripped {
  const suffix = where ? ` (line ${where.line}, column ${where.column})` : "";
  return { ok: false, kind: "syntax", message: `${message}${suffix}` };
}

function sucraseError(err: unknown, wrapped: string): Stripped {
  const message = err instanceof Error ? err.message : String(err);
  const pos = errorPos(err);
  // Sucrase appends its own 1-based "(line:column)" of the wrapped text; ours replaces it.
  return syntax(message.replace(/\s*\(\d+:\d+\)$/, ""), pos === undefined ? undefined : at(wrapped, pos));
}

function acornError(err: unknown): Stripped {
  const message = err instanceof Error ? err.message : String(err);
  const loc = err instanceof SyntaxError && "loc" in err ? err.loc : undefined;
  const where =
    typeof loc === "object" && loc !== null && "line" in loc && "column" in loc
      ? { line: Number(loc.line) - 1, column: Number(loc.column) }
      : undefined;
  // Columns here are the output's: they match the source's unless types were removed earlier on the same line.
  const text = /'import' and 'export'/.test(message) ? MODULE_SYNTAX : message.replace(/\s*\(\d+:\d+\)$/, "");
  return syntax(text, where);
}

function errorPos(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null || !("pos" in err)) return undefined;
  return typeof err.pos === "number" ? err.pos : undefined;
}

/** Offset in the wrapped text → location in the user's source; past the end is the end of the last line. */
function at(wrapped: string, pos: number): Location {
  const end = wrapped.length - TAIL.length;
  const p = Math.max(HEAD.length, Math.min(pos, end));
  const lineStart = wrapped.lastIndexOf("\n", p - 1) + 1;
  return { line: count(wrapped.slice(0, p), "\n"), column: p - lineStart };
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
