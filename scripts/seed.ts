// Seed a running gateway through its admin HTTP API (never by touching storage): the dev org, provider keys, tokens.

import type { Limits } from "../src/meter/types.ts";

export type Provider = "openai" | "anthropic";

export type AdminFetch = (path: string, init?: RequestInit) => Promise<Response>;

/** fetch() on `${url}${path}` (path like "/admin/orgs/dev") with the admin bearer token, and JSON content type when there is a body. */
export function adminClient(url: string, adminToken: string): AdminFetch {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${adminToken}`);
    if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    return fetch(`${url}${path}`, { ...init, headers });
  };
}

export async function expectOk(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} failed: HTTP ${res.status} ${text}`);
  return text === "" ? null : JSON.parse(text);
}

const post = (admin: AdminFetch, path: string, body: unknown) => admin(path, { method: "POST", body: JSON.stringify(body) });

/** Create the org unless it exists. Returns whether it was created. */
export async function ensureOrg(admin: AdminFetch, org: { id: string; name: string; preset: string }): Promise<boolean> {
  const existing = await admin(`/admin/orgs/${org.id}`);
  if (existing.ok) return false;
  if (existing.status !== 404) await expectOk(existing, `GET /admin/orgs/${org.id}`);
  await expectOk(await post(admin, "/admin/orgs", org), "POST /admin/orgs");
  return true;
}

export async function putProvider(
  admin: AdminFetch,
  org: string,
  provider: Provider,
  credential: { apiKey?: string; baseUrl?: string },
): Promise<void> {
  const path = `/admin/orgs/${org}/providers/${provider}`;
  await expectOk(await admin(path, { method: "PUT", body: JSON.stringify(credential) }), `PUT ${path}`);
}

export async function putMcpServer(
  admin: AdminFetch,
  org: string,
  name: string,
  server: { url: string; headers?: Record<string, string> },
): Promise<void> {
  const path = `/admin/orgs/${org}/mcp/servers/${name}`;
  await expectOk(await admin(path, { method: "PUT", body: JSON.stringify(server) }), `PUT ${path}`);
}

/** MCP_UPSTREAMS="name=url,name2=url2" → [{name, url}]; a malformed entry is an error naming it. */
export function parseMcpUpstreams(value: string | undefined): { name: string; url: string }[] {
  if (!value?.trim()) return [];
  return value.split(",").map((entry) => {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at).trim();
    const url = entry.slice(at + 1).trim();
    if (at <= 0 || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(name) || !URL.canParse(url)) {
      throw new Error(`MCP_UPSTREAMS: '${entry.trim()}' is not name=url (name: 1-32 of a-z, 0-9, '-', '_')`);
    }
    return { name, url };
  });
}

export interface MintedToken {
  token: string;
  id: string;
}

export async function mintToken(
  admin: AdminFetch,
  org: string,
  request: { sub: string; models: string[]; tools?: string[]; ttlSeconds: number; limits?: Limits },
): Promise<MintedToken> {
  const body = await expectOk(await post(admin, `/admin/orgs/${org}/tokens`, request), `POST /admin/orgs/${org}/tokens`);
  const minted = body as Partial<MintedToken> | null;
  if (typeof minted?.token !== "string" || typeof minted.id !== "string") {
    throw new Error(`POST /admin/orgs/${org}/tokens returned no {token, id}: ${JSON.stringify(body)}`);
  }
  return { token: minted.token, id: minted.id };
}

/** A JWT's header (part 0) or claims (part 1), read without verifying: to decide what to do next, never to trust. */
export function decodeJwtPart(token: string, part: 0 | 1): Record<string, unknown> {
  const segment = token.split(".")[part];
  if (segment === undefined) return {};
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The token's `exp` (epoch seconds), if it has one. */
export function tokenExpiry(token: string): number | undefined {
  const exp = decodeJwtPart(token, 1).exp;
  return typeof exp === "number" ? exp : undefined;
}

/**
 * Whether the gateway still accepts the token (signature, expiry, revocation): GET /v1/models checks all three
 * and spends nothing. Only a 401 means "no": any other failure is not evidence against the token.
 */
export async function tokenAccepted(url: string, token: string): Promise<boolean> {
  const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
  await res.body?.cancel();
  return res.status !== 401;
}
