// Public token routes: the JWKS that verifies every token offline, and attenuation by a token holder.
import { Hono } from "hono";
import { AttenuateRequestSchema } from "../../src/tokens/attenuate";
import { authenticate, authority, childClaims } from "../auth";
import type { AppEnv } from "../context";
import { readJson } from "../shared/body";

export const tokenRoutes = new Hono<AppEnv>();

tokenRoutes.get("/.well-known/jwks.json", async (c) => {
  const jwks = await authority(c.env).jwks();
  // Outside verifiers may cache briefly, provided they refetch on an unknown kid (as workers/auth.ts does).
  return c.json(jwks, 200, { "cache-control": "public, max-age=60" });
});

tokenRoutes.post("/v1/tokens", async (c) => {
  const parent = await authenticate(c);
  const request = await readJson(c, AttenuateRequestSchema);
  const claims = await childClaims(c.env, parent, request);
  const token = await authority(c.env).sign(claims);
  return c.json({ token, id: claims.jti, expiresAt: claims.exp }, 201);
});
