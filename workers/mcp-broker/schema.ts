// Tool arguments checked against the tool's pinned input schema (JSON Schema, with the SDK's Workers validator).
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/server/validators/cf-worker";

type Check = (args: unknown) => { ok: true } | { ok: false; reason: string };

const validator = new CfWorkerJsonSchemaValidator({ shortcircuit: true });
/** Compiled per definition hash (a definition never changes under its hash), bounded per isolate. */
const compiled = new Map<string, Check>();
const MAX_COMPILED = 1000;

function compile(schema: unknown): Check {
  let validate: ReturnType<typeof validator.getValidator>;
  try {
    validate = validator.getValidator(schema as Parameters<typeof validator.getValidator>[0]);
  } catch (err) {
    // A schema ringfence cannot read cannot vouch for any arguments: fail closed.
    const why = err instanceof Error ? err.message : String(err);
    return () => ({ ok: false, reason: `its input schema cannot be checked (${why.slice(0, 200)})` });
  }
  return (args) => {
    const r = validate(args);
    return r.valid
      ? { ok: true }
      : { ok: false, reason: `arguments do not match its input schema: ${String(r.errorMessage).slice(0, 300)}` };
  };
}

export function checkAgainstSchema(hash: string, schema: unknown, args: unknown): { ok: true } | { ok: false; reason: string } {
  let check = compiled.get(hash);
  if (!check) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    check = compile(schema);
    compiled.set(hash, check);
  }
  return check(args);
}
