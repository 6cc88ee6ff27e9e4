// The MCP broker: /mcp/<server> relays one upstream under the policy; RFC 9728 metadata tells clients how to authenticate.
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { protectedResourceMetadata } from "./metadata";
import { handleOther, handlePost, refuse } from "./proxy";

export const mcpBroker = new Hono<AppEnv>();

mcpBroker.get("/.well-known/oauth-protected-resource", protectedResourceMetadata);
mcpBroker.get("/.well-known/oauth-protected-resource/mcp", protectedResourceMetadata);
mcpBroker.get("/.well-known/oauth-protected-resource/mcp/:server", protectedResourceMetadata);

mcpBroker.post("/mcp/:server", handlePost);
mcpBroker.on(["GET", "DELETE"], "/mcp/:server", handleOther);
mcpBroker.all("/mcp/:server", (c) => refuse(c, { kind: "method_not_allowed", method: c.req.method }));
