// Instruments model-written code so it cannot run away: a tick at every loop iteration and every function entry.
//
// Why ticks and not a clock: inside a Worker the clock does not advance during synchronous execution, and local
// workerd enforces no CPU limit, so a `while (true) {}` in a loaded isolate would hang the host. The executor defines
// the tick function: it counts and throws once the budget is spent. Code from strings (`eval`, `Function`) is not
// instrumented, and the Workers runtime refuses it anyway.

import type { Node } from "acorn";
import { parse } from "acorn";
import { ancestor, full } from "acorn-walk";

/** Names the executor keeps for itself start with this; code that mentions one is refused, so none can be reached. */
export const RESERVED_PREFIX = "__rf_";
/** The name of the injected tick function. */
export const TICK = `${RESERVED_PREFIX}tick`;

export type Instrumented = { ok: true; code: string } | { ok: false; kind: "syntax" | "policy"; message: string };

interface Insertion {
  at: number;
  text: string;
  /** Closing insertions at the same offset go before opening ones (an inner wrap closes before an outer opens). */
  order: number;
}

type Loop = Node & { body: Node };
type Fn = Node & { body: Node; expression?: boolean };

const LOOPS = ["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"];
const FUNCTIONS = ["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"];

/**
 * `source` is the body of an async function (it may `await` and `return`). Returns the whole function, instrumented:
 * `async function __rf_main(<params>) { … }`, to be called with the tick function and the given parameters.
 */
export function instrument(source: string, params: readonly string[]): Instrumented {
  // Anywhere, even in a string: a reserved name is cheaper to refuse than to reason about (computed access, eval).
  if (source.includes(RESERVED_PREFIX)) {
    return { ok: false, kind: "policy", message: `names starting with ${RESERVED_PREFIX} are reserved` };
  }
  const head = `async function __rf_main(${[TICK, ...params].join(", ")}) {\n`;
  const wrapped = `${head}${source}\n}`;
  let ast: Node;
  try {
    ast = parse(wrapped, { ecmaVersion: "latest", sourceType: "script", allowReturnOutsideFunction: false });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, kind: "syntax", message: relocate(message, head) };
  }
  // A stray `}` could close the wrapper early and put code at the module's top level, outside the program's function.
  if ((ast as Node & { body: Node[] }).body.length !== 1) {
    return { ok: false, kind: "syntax", message: "unbalanced braces: the program closes its own function" };
  }
  // import() would reach modules such as cloudflare:workers, whose `env` holds the tools binding without the harness's
  // call accounting. The program gets what it needs as parameters.
  let imports = false;
  // Names as the engine reads them: `\u005f_rf_ticks` is `__rf_ticks`, which the text check above cannot see.
  let reserved = false;
  // `full`, not `ancestor`: identifiers in patterns (the left of `=`, declarations) are visited under other names.
  full(ast, (n) => {
    if (n.type === "ImportExpression") imports = true;
    else if (n.type === "Identifier" && n.start >= head.length) {
      reserved ||= (n as Node & { name: string }).name.startsWith(RESERVED_PREFIX);
    }
  });
  if (imports) return { ok: false, kind: "policy", message: "import() is not available: tools are reached through `tools`" };
  if (reserved) return { ok: false, kind: "policy", message: `names starting with ${RESERVED_PREFIX} are reserved` };
  const insertions: Insertion[] = [];
  const tickInto = (body: Node) => {
    if (body.type === "BlockStatement") {
      insertions.push({ at: body.start + 1, text: `${TICK}();`, order: 1 });
    } else {
      insertions.push({ at: body.start, text: `{${TICK}();`, order: 1 }, { at: body.end, text: "}", order: 0 });
    }
  };
  const visit = (node: Node) => {
    if (LOOPS.includes(node.type)) tickInto((node as Loop).body);
    if (FUNCTIONS.includes(node.type)) {
      const fn = node as Fn;
      if (fn.body.type === "BlockStatement") tickInto(fn.body);
      else {
        // `x => expr` becomes `x => (tick(), expr)`.
        insertions.push({ at: fn.body.start, text: `(${TICK}(), `, order: 1 }, { at: fn.body.end, text: ")", order: 0 });
      }
    }
  };
  ancestor(ast, Object.fromEntries([...LOOPS, ...FUNCTIONS].map((type) => [type, visit])));
  // One pass, pieces joined once: splicing each insertion into the whole string was quadratic (a 256 KB program of
  // arrow functions took the gateway's thread for most of a minute).
  insertions.sort((a, b) => a.at - b.at || a.order - b.order);
  const pieces: string[] = [];
  let from = 0;
  for (const ins of insertions) {
    pieces.push(wrapped.slice(from, ins.at), ins.text);
    from = ins.at;
  }
  pieces.push(wrapped.slice(from));
  return { ok: true, code: pieces.join("") };
}

/** acorn reports "(line:col)" of the wrapped text: shift the line back to the user's. */
function relocate(message: string, head: string): string {
  const extra = head.split("\n").length - 1;
  return message.replace(/\((\d+):(\d+)\)/, (_, line: string, col: string) => `(line ${Number(line) - extra}, column ${col})`);
}
