// OAuth 2.0 Protected Resource Metadata (RFC 9728) for the broker's MCP endpoints, so MCP clients learn how to authenticate.
import type { Context } from "hono";
import type { AppEnv } from "../context";

/**
 * ringfence tokens are minted by the operator (admin API) or attenuated by their holder (POST /v1/tokens), not issued
 * through an OAuth flow, so no authorization server is advertised: the metadata names the resource and says the token
 * goes in the Authorization header.
 */
export function protectedResourceMetadata(c: Context<AppEnv>): Response {
  const url = new URL(c.req.url);
  const path = url.pathname.replace(/^\/\.well-known\/oauth-protected-resource/, "") || "/mcp";
  return c.json(
    {
      resource: `${url.origin}${path}`,
      bearer_methods_supported: ["header"],
      resource_name: "ringfence MCP broker",
    },
    200,
    { "cache-control": "public, max-age=3600" },
  );
}
