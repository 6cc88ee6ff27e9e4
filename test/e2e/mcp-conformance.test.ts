// The official MCP conformance suite, run straight at a compliant fixture server and through the broker's
// /mcp/<server>: the broker must be transparent — every scenario that passes directly passes through it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConformanceLine, runConformance } from "../fixtures/mcp-conformance";
import { type McpFixture, startMcpFixture } from "../fixtures/mcp-server";
import { type Gateway, startGateway } from "./harness";

let gw: Gateway;
let upstream: McpFixture;
let front: http.Server;
let frontUrl: string;

/**
 * The conformance client cannot send a bearer token, so a pass-through on loopback adds ringfence's: everything else
 * (method, path, Host, Origin, body, streamed answers) goes through byte for byte.
 */
function startTokenFront(target: URL, token: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const out = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  upstream = await startMcpFixture({ profile: "conformance", name: "conformance", record: false });
  gw = await startGateway();
  await gw.putMcpServer("conf", { url: upstream.url });
  // The suites call the same tools with the same arguments many times a minute, which the standard loop guard
  // (rightly) stops; transparency is about everything else.
  const policy = await gw.admin("/admin/orgs/dev/policy", {
    method: "PUT",
    body: JSON.stringify({ mcp: { loop: { maxRepeats: 10_000, maxCallsPerSession: 100_000 } } }),
  });
  expect(policy.status).toBe(200);
  front = await startTokenFront(new URL(`${gw.url}/mcp/conf`), gw.token);
  frontUrl = `http://localhost:${(front.address() as AddressInfo).port}/mcp`;
}, 60_000);
afterAll(async () => {
  await new Promise((r) => front?.close(r));
  await gw?.close();
  await upstream?.close();
});

const runs: { line: ConformanceLine; specVersion?: string }[] = [
  { line: "stable" },
  { line: "next" },
  { line: "next", specVersion: "2026-07-28" },
];

describe("MCP conformance: the broker is transparent", () => {
  for (const run of runs) {
    const label = `${run.line}${run.specVersion ? ` @${run.specVersion}` : ""}`;
    it(`${label}: every scenario that passes against the server directly passes through /mcp/<server>`, async () => {
      const direct = await runConformance({ url: upstream.url, ...run });
      const brokered = await runConformance({ url: frontUrl, ...run });
      const passing = [...direct].filter(([, v]) => v.passed).map(([name]) => name);
      expect(passing.length).toBeGreaterThan(20);
      const lost = passing.filter((name) => !brokered.get(name)?.passed);
      const details = lost.map((name) => `${name}: ${brokered.get(name)?.detail ?? "not run"}`);
      expect(details).toEqual([]);
    }, 180_000);
  }
});
