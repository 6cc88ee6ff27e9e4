// Admin routes for MCP: upstream servers (their credentials sealed), tool pins and the events behind them, re-approval.

import { Hono } from "hono";
import { z } from "zod";
import { importSealKey, seal } from "../../src/crypto/seal";
import { RingfenceError } from "../../src/errors";
import { McpServerSchema, type OrgConfig } from "../../src/registry/config";
import type { AppEnv } from "../context";
import { sealContext } from "../mcp-broker/upstream";
import { readJson } from "../shared/body";
import { registryOf } from "../shared/registry";
import { orgParam, requireUrl, unwrap } from "./orgs";

const ServerBodySchema = z.strictObject({
  url: z.string().url(),
  /** Headers ringfence sends to the server, in clear here (sealed before storage), e.g. {"authorization": "Bearer …"}. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().min(1).max(8192)).optional(),
});

const ApproveSchema = z.strictObject({ hash: z.string().regex(/^[0-9a-f]{64}$/) });

const serverName = (name: string): string => {
  if (!McpServerSchema.shape.name.safeParse(name).success) {
    throw new RingfenceError({
      kind: "invalid_request",
      message: "MCP server name: 1-32 lower-case letters, digits, '-' and '_', starting with a letter or digit",
      param: "name",
    });
  }
  // The broker's own: /mcp offers code mode as the tool `codemode__execute`.
  if (name === "codemode") {
    throw new RingfenceError({ kind: "invalid_request", message: "MCP server name 'codemode' is reserved", param: "name" });
  }
  return name;
};

function publicServers(c: OrgConfig) {
  return c.mcpServers.map((s) => ({ name: s.name, url: s.url, headers: Object.keys(s.headers) }));
}

export const mcpAdmin = new Hono<AppEnv>();

mcpAdmin.get("/orgs/:org/mcp/servers", async (c) => {
  const org = orgParam(c.req.param("org"));
  const config = await registryOf(c.env, org).getConfig();
  if (!config) throw new RingfenceError({ kind: "not_found", what: `org ${org}` });
  return c.json({ servers: publicServers(config) });
});

mcpAdmin.put("/orgs/:org/mcp/servers/:name", async (c) => {
  const org = orgParam(c.req.param("org"));
  const name = serverName(c.req.param("name"));
  const body = await readJson(c, ServerBodySchema);
  requireUrl(c.env, body.url);
  const key = await importSealKey(c.env.RINGFENCE_ENCRYPTION_KEY);
  const headers = Object.fromEntries(
    await Promise.all(
      Object.entries(body.headers ?? {}).map(async ([h, v]) => [h.toLowerCase(), await seal(key, v, sealContext(org, name, h))]),
    ),
  );
  const config = unwrap(await registryOf(c.env, org).putMcpServer({ name, url: body.url, headers }));
  return c.json({ servers: publicServers(config) });
});

mcpAdmin.delete("/orgs/:org/mcp/servers/:name", async (c) => {
  const org = orgParam(c.req.param("org"));
  const config = unwrap(await registryOf(c.env, org).deleteMcpServer(c.req.param("name")));
  return c.json({ servers: publicServers(config) });
});

/** The server's approved definitions and what happened to its tools (pinned, changed, approved, poisoned). */
mcpAdmin.get("/orgs/:org/mcp/servers/:name/tools", async (c) => {
  const org = orgParam(c.req.param("org"));
  const name = c.req.param("name");
  const config = await registryOf(c.env, org).getConfig();
  if (!config) throw new RingfenceError({ kind: "not_found", what: `org ${org}` });
  if (!config.mcpServers.some((s) => s.name === name))
    throw new RingfenceError({ kind: "not_found", what: `MCP server ${name}` });
  return c.json({ pins: config.toolPins[name] ?? {}, events: config.toolEvents.filter((e) => e.server === name) });
});

/** Approves a tool's definition by its hash (from the events): after a change, or one refused as poisoned. */
mcpAdmin.post("/orgs/:org/mcp/servers/:name/tools/:tool/approve", async (c) => {
  const org = orgParam(c.req.param("org"));
  const body = await readJson(c, ApproveSchema);
  const config = unwrap(await registryOf(c.env, org).approveTool(c.req.param("name"), c.req.param("tool"), body.hash));
  return c.json({ pins: config.toolPins[c.req.param("name")] ?? {} });
});
