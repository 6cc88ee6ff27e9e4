// A sequential MCP client for the benchmarks: raw HTTP on one keep-alive connection, a 2025-06-18 session.
import http from "node:http";

export interface McpTarget {
  name: string;
  url: URL;
  headers: Record<string, string>;
  agent: http.Agent;
  session?: string;
  /** Calls made in the current session. */
  calls: number;
}

export function post(
  t: McpTarget,
  body: unknown,
  extra: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent: t.agent,
        host: t.url.hostname,
        port: t.url.port,
        path: t.url.pathname,
        method: "POST",
        headers: {
          ...t.headers,
          ...extra,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "content-length": Buffer.byteLength(data),
          ...(t.session ? { "mcp-session-id": t.session, "mcp-protocol-version": "2025-06-18" } : {}),
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${t.name}: no reply within 10 s`)));
    req.on("error", reject);
    req.end(data);
  });
}

export async function newSession(t: McpTarget): Promise<void> {
  t.session = undefined;
  const init = await post(t, {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
  });
  const sid = init.headers["mcp-session-id"];
  if (init.status !== 200 || typeof sid !== "string")
    throw new Error(`${t.name}: initialize failed (HTTP ${init.status}): ${init.body.slice(0, 300)}`);
  t.session = sid;
  await post(t, { jsonrpc: "2.0", method: "notifications/initialized" });
  t.calls = 0;
}
