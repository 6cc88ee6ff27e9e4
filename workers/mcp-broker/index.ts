// The MCP broker: /mcp aggregates every allowed upstream, /mcp/<server> relays one under the policy; RFC 9728 metadata
// tells clients how to authenticate.
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { handleAggregateDelete, handleAggregatePost } from "./aggregate";
import { protectedResourceMetadata } from "./metadata";
import { handleOther, handlePost, refuse } from "./proxy";

export const mcpBroker = new Hono<AppEnv>();

mcpBroker.get("/.well-known/oauth-protected-resource", protectedResourceMetadata);
mcpBroker.get("/.well-known/oauth-protected-resource/mcp", protectedResourceMetadata);
mcpBroker.get("/.well-known/oauth-protected-resource/mcp/:server", protectedResourceMetadata);

mcpBroker.post("/mcp", handleAggregatePost);
mcpBroker.delete("/mcp", handleAggregateDelete);
// The aggregate keeps no stream of its own: servers' notifications reach clients through /mcp/<server>.
mcpBroker.get("/mcp", (c) => refuse(c, { kind: "method_not_allowed", method: "GET" }));
mcpBroker.all("/mcp", (c) => refuse(c, { kind: "method_not_allowed", method: c.req.method }));
mcpBroker.post("/mcp/:server", handlePost);
mcpBroker.on(["GET", "DELETE"], "/mcp/:server", handleOther);
mcpBroker.all("/mcp/:server", (c) => refuse(c, { kind: "method_not_allowed", method: c.req.method }));
