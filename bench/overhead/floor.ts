// The floor under any gateway served by `npm start`: a trivial Worker that only relays the call, on workerd via Miniflare
// with the options scripts/serve.ts uses. The gap between it and ringfence is ringfence's own work; the gap between it and
// direct is the serving platform's.
import { readFileSync } from "node:fs";
import path from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { ROOT } from "./processes.ts";

// Parses and re-serialises both bodies, as any gateway that reads the request and the usage must.
const RELAY = `
export default {
  async fetch(request, env) {
    const body = await request.json();
    const res = await fetch(env.UPSTREAM + "/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer " + env.KEY },
      body: JSON.stringify(body),
    });
    if (body.stream === true) return new Response(res.body, { status: res.status, headers: res.headers });
    return new Response(JSON.stringify(await res.json()), { status: res.status, headers: { "content-type": "application/json" } });
  },
};
`;

/** ringfence's own compatibility date, so both Workers run on the same runtime behaviour. */
function compatibilityDate(): string {
  const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  const date = toml.match(/^compatibility_date\s*=\s*"([^"]+)"/m)?.[1];
  if (!date) throw new Error("wrangler.toml has no compatibility_date");
  return date;
}

export async function startFloor(upstreamUrl: string, key: string): Promise<{ url: string; close(): Promise<void> }> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: "relay",
      modules: true,
      script: RELAY,
      compatibilityDate: compatibilityDate(),
      bindings: { UPSTREAM: upstreamUrl, KEY: key },
      // Served like `npm start` serves ringfence: on the Worker's direct socket.
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      host: "127.0.0.1",
      port: 0,
      cf: false,
      logRequests: false,
      log: new Log(LogLevel.WARN),
    }),
  );
  try {
    await mf.ready;
    const url = await mf.unsafeGetDirectURL("relay");
    return { url: url.origin, close: () => mf.dispose() };
  } catch (err) {
    await mf.dispose().catch(() => {});
    throw err;
  }
}
