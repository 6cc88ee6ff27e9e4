// Public token routes: the JWKS that verifies every token offline, and attenuation by a token holder.
import { Hono } from "hono";
import { RingfenceError } from "../../src/errors";
import { AttenuateRequestSchema, attenuate } from "../../src/tokens/attenuate";
import { authenticate, authority, newTokenId } from "../auth";
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
  const id = newTokenId();
  const claims = attenuate(parent, request, Math.floor(Date.now() / 1000), id);
  // The Meter refuses a revoked parent chain and limits wider than any ancestor's, before anything is signed.
  const registered = await c.env.METER.getByName(parent.org).attenuate(parent.led, id, request.limits ?? {});
  if (!registered.ok) {
    throw new RingfenceError(
      registered.revoked ? { kind: "token_revoked" } : { kind: "attenuation_refused", reason: registered.reason },
    );
  }
  const token = await authority(c.env).sign(claims);
  return c.json({ token, id, expiresAt: claims.exp }, 201);
});
