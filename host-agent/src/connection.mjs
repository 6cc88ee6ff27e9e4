// The gateway connection every command shares (flags, env, or a local dev.json), and the user-error type.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

export class UserError extends Error {}

/** --url/--token, else RINGFENCE_URL/RINGFENCE_TOKEN, else `<RINGFENCE_HOME or ./.ringfence>/dev.json` from `npm start`. */
export function connection(args) {
  const { values } = parseArgs({ args, options: { url: { type: "string" }, token: { type: "string" } }, strict: true });
  let url = values.url ?? process.env.RINGFENCE_URL;
  let token = values.token ?? process.env.RINGFENCE_TOKEN;
  if (!url || !token) {
    const file = path.join(process.env.RINGFENCE_HOME ?? ".ringfence", "dev.json");
    try {
      const dev = JSON.parse(readFileSync(file, "utf8"));
      url ??= dev.url;
      token ??= dev.token;
    } catch {
      // fall through to the error below
    }
  }
  if (!url || !token)
    throw new UserError("no gateway: pass --url and --token, set RINGFENCE_URL and RINGFENCE_TOKEN, or run `npm start` here");
  return { url: url.replace(/\/+$/, ""), token };
}
