// Capability tokens end to end in workerd: JWKS, admin mint, offline verification, rejection of bad tokens, rotation, attenuation.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import {
  base64url,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { JwksCache } from "../../workers/auth";

const ORG = "t1";
const ADMIN = { authorization: "Bearer test-admin-token", "content-type": "application/json" };
const now = () => Math.floor(Date.now() / 1000);

interface Minted {
  token: string;
  id: string;
  claims: { org: string; sub: string; models: string[]; led: string[]; jti: string; iat: number; exp: number };
}

async function ensureOrg(id: string): Promise<void> {
  // Returns a conflict result (not a throw) when the org already exists.
  await env.REGISTRY.getByName(id).create({ id, name: id, preset: "standard" });
}

async function adminMint(body: Record<string, unknown>, org = ORG): Promise<Response> {
  return SELF.fetch(`https://edge.test/admin/orgs/${org}/tokens`, { method: "POST", headers: ADMIN, body: JSON.stringify(body) });
}

async function mint(body: Record<string, unknown> = { sub: "agent", models: ["gpt-4o*", "claude-*"] }): Promise<Minted> {
  const res = await adminMint(body);
  expect(res.status).toBe(201);
  return res.json<Minted>();
}

/** POST /v1/tokens authenticates its bearer first, so it doubles as the probe for what the edge accepts. */
async function attenuateWith(token: string, body: Record<string, unknown> = {}): Promise<Response> {
  return SELF.fetch("https://edge.test/v1/tokens", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function errorCode(res: Response): Promise<string> {
  const body = await res.json<{ error: { code: string; message: string } }>();
  return body.error.code;
}

async function fetchJwks(): Promise<JSONWebKeySet> {
  const res = await SELF.fetch("https://edge.test/.well-known/jwks.json");
  expect(res.status).toBe(200);
  return res.json<JSONWebKeySet>();
}

/** The Authority's current private key, read from its storage: lets a test sign tokens the edge would otherwise never issue. */
async function currentPrivateJwk(): Promise<{ kid: string; jwk: JWK }> {
  await fetchJwks(); // makes sure a key exists
  const stub = env.AUTHORITY.getByName("authority");
  return runInDurableObject(stub, (_instance, state) => {
    const keys = state.storage.kv.get<{ kid: string; privateJwk: JWK; retiredAt?: number }[]>("keys") ?? [];
    const current = keys.find((k) => k.retiredAt === undefined);
    if (!current) throw new Error("no current key");
    return { kid: current.kid, jwk: current.privateJwk };
  });
}

function claimsFor(overrides: Record<string, unknown> = {}) {
  const t = now();
  return {
    iss: "ringfence" as const,
    org: ORG,
    sub: "forger",
    models: ["*"],
    led: ["tok_x"],
    jti: "tok_x",
    iat: t,
    exp: t + 600,
    ...overrides,
  };
}

beforeEach(async () => {
  await ensureOrg(ORG);
});

describe("JWKS", () => {
  it("publishes public Ed25519 keys only, cacheable for a minute", async () => {
    const res = await SELF.fetch("https://edge.test/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("max-age=60");
    const { keys } = await res.json<JSONWebKeySet>();
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
      expect(typeof k.kid).toBe("string");
      expect(k).not.toHaveProperty("d");
    }
  });
});

describe("admin mint", () => {
  it("issues a token any party can verify offline against the published JWKS", async () => {
    const minted = await mint({ sub: "agent-7", models: ["gpt-4o*"], ttlSeconds: 900 });
    const { payload, protectedHeader } = await jwtVerify(minted.token, createLocalJWKSet(await fetchJwks()), {
      algorithms: ["EdDSA"],
      issuer: "ringfence",
    });
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(payload).toMatchObject({ org: ORG, sub: "agent-7", models: ["gpt-4o*"], led: [minted.id], jti: minted.id });
    expect(payload.exp).toBe(minted.claims.exp);
    expect(minted.claims.exp - minted.claims.iat).toBe(900);
  });

  it("is accepted by the edge", async () => {
    const minted = await mint();
    expect((await attenuateWith(minted.token)).status).toBe(201);
  });

  it("refuses an unknown org, a missing admin token, a ttl over 30 days and unknown fields", async () => {
    expect((await adminMint({ sub: "a", models: ["*"] }, "no-such-org")).status).toBe(404);
    const noAdmin = await SELF.fetch(`https://edge.test/admin/orgs/${ORG}/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sub: "a", models: ["*"] }),
    });
    expect(noAdmin.status).toBe(401);
    expect((await adminMint({ sub: "a", models: ["*"], ttlSeconds: 31 * 24 * 3600 })).status).toBe(400);
    expect((await adminMint({ sub: "a", models: ["*"], scopes: ["all"] })).status).toBe(400);
    expect((await adminMint({ models: ["*"] })).status).toBe(400);
  });

  it("with a parent, mints an attenuated child and refuses a wider one", async () => {
    const parent = await mint({ sub: "agent", models: ["gpt-4o*"] });
    const res = await adminMint({ sub: "helper", models: ["gpt-4o-mini"], parent: parent.token });
    expect(res.status).toBe(201);
    const child = await res.json<Minted>();
    expect(child.claims.led).toEqual([parent.id, child.id]);
    expect(child.claims.exp).toBeLessThanOrEqual(parent.claims.exp);

    const wider = await adminMint({ sub: "helper", models: ["*"], parent: parent.token });
    expect(wider.status).toBe(403);
    expect(await errorCode(wider)).toBe("attenuation_refused");
  });

  it("refuses a parent token from another org", async () => {
    await ensureOrg("t2");
    const foreign = await (await adminMint({ sub: "x", models: ["*"] }, "t2")).json<Minted>();
    const res = await adminMint({ sub: "helper", models: ["gpt-4o"], parent: foreign.token });
    expect(res.status).toBe(403);
  });
});

describe("the edge rejects bad tokens with 401 and the right code", () => {
  it("no token at all", async () => {
    const res = await SELF.fetch("https://edge.test/v1/tokens", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("missing_token");
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("accepts the token as x-api-key too (what the Anthropic SDK sends)", async () => {
    const minted = await mint();
    const res = await SELF.fetch("https://edge.test/v1/tokens", {
      method: "POST",
      headers: { "x-api-key": minted.token, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(201);
  });

  it("forged signature: another key claiming the current kid", async () => {
    const { kid } = await currentPrivateJwk();
    const { privateKey } = await generateKeyPair("EdDSA");
    const forged = await new SignJWT(claimsFor()).setProtectedHeader({ alg: "EdDSA", kid }).sign(privateKey);
    const res = await attenuateWith(forged);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("invalid_token");
  });

  it("forged signature: a key the edge has never published", async () => {
    const { privateKey } = await generateKeyPair("EdDSA");
    const forged = await new SignJWT(claimsFor()).setProtectedHeader({ alg: "EdDSA", kid: "attacker-key" }).sign(privateKey);
    const res = await attenuateWith(forged);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("invalid_token");
  });

  it("alg none", async () => {
    const { kid } = await currentPrivateJwk();
    const header = base64url.encode(JSON.stringify({ alg: "none", kid, typ: "JWT" }));
    const payload = base64url.encode(JSON.stringify(claimsFor()));
    const res = await attenuateWith(`${header}.${payload}.`);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("invalid_token");
  });

  it("tampered payload with the original signature", async () => {
    const minted = await mint({ sub: "agent", models: ["gpt-4o-mini"] });
    const [header, , signature] = minted.token.split(".");
    const widened = base64url.encode(JSON.stringify({ ...decodeJwt(minted.token), models: ["*"] }));
    const res = await attenuateWith(`${header}.${widened}.${signature}`);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("invalid_token");
  });

  it("expired token, genuinely signed", async () => {
    const t = now();
    const expired = await env.AUTHORITY.getByName("authority").sign(claimsFor({ iat: t - 120, exp: t - 60 }));
    const res = await attenuateWith(expired);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("token_expired");
  });

  it("wrong issuer, signed with the real key", async () => {
    const { kid, jwk } = await currentPrivateJwk();
    const token = await new SignJWT(claimsFor({ iss: "someone-else" })).setProtectedHeader({ alg: "EdDSA", kid }).sign(jwk);
    const res = await attenuateWith(token);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("invalid_token");
  });

  it("valid signature but claims outside the schema", async () => {
    const { kid, jwk } = await currentPrivateJwk();
    const token = await new SignJWT(claimsFor({ models: [] })).setProtectedHeader({ alg: "EdDSA", kid }).sign(jwk);
    const res = await attenuateWith(token);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("invalid_token");
  });

  it("garbage, and never echoes the token back", async () => {
    const res = await attenuateWith("not-a-jwt-secret-value");
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain("invalid_token");
    expect(text).not.toContain("not-a-jwt-secret-value");
  });
});

describe("key rotation", () => {
  it("keeps old tokens valid and signs new tokens with the new kid", async () => {
    const before = await mint();
    const oldKid = decodeProtectedHeader(before.token).kid;
    // Warm this isolate's JWKS cache with the old key only.
    expect((await attenuateWith(before.token)).status).toBe(201);

    const publishedBefore = (await fetchJwks()).keys.map((k) => k.kid);

    const res = await SELF.fetch("https://edge.test/admin/keys/rotate", { method: "POST", headers: ADMIN });
    expect(res.status).toBe(200);
    const rotated = await res.json<{ kid: string; keys: string[] }>();
    expect(rotated.kid).not.toBe(oldKid);
    expect(rotated.keys).toEqual(expect.arrayContaining([oldKid, rotated.kid]));
    // The new signing key was published before it signed anything, so cached JWKS copies already know it.
    expect(publishedBefore).toContain(rotated.kid);

    const after = await mint();
    expect(decodeProtectedHeader(after.token).kid).toBe(rotated.kid);
    expect((await attenuateWith(after.token)).status).toBe(201);
    expect((await attenuateWith(before.token)).status).toBe(201);

    const kids = (await fetchJwks()).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, rotated.kid]));
  });
});

describe("POST /v1/tokens (attenuation by a holder)", () => {
  it("mints a narrower child that itself works at the edge", async () => {
    const parent = await mint({ sub: "agent", models: ["gpt-4o*", "claude-*"] });
    const res = await attenuateWith(parent.token, { sub: "researcher", models: ["claude-3-5-*"], ttlSeconds: 600 });
    expect(res.status).toBe(201);
    const child = await res.json<{ token: string; id: string; expiresAt: number }>();
    const claims = decodeJwt(child.token);
    expect(claims).toMatchObject({
      org: ORG,
      sub: "researcher",
      models: ["claude-3-5-*"],
      led: [parent.id, child.id],
      jti: child.id,
    });
    expect(child.expiresAt).toBe(claims.exp);
    expect(child.expiresAt).toBeLessThanOrEqual(now() + 600);

    const grandchild = await attenuateWith(child.token, { models: ["claude-3-5-haiku"] });
    expect(grandchild.status).toBe(201);
    expect(decodeJwt((await grandchild.json<{ token: string }>()).token).led).toEqual([parent.id, child.id, expect.any(String)]);
  });

  it("refuses a wider child with 403", async () => {
    const parent = await mint({ sub: "agent", models: ["gpt-4o-mini"], ttlSeconds: 600 });
    for (const body of [{ models: ["gpt-4o*"] }, { models: ["*"] }, { ttlSeconds: 3600 }]) {
      const res = await attenuateWith(parent.token, body);
      expect(res.status).toBe(403);
      expect(await errorCode(res)).toBe("attenuation_refused");
    }
  });

  it("refuses unknown fields rather than ignoring them", async () => {
    const parent = await mint();
    const res = await attenuateWith(parent.token, { org: "t2" });
    expect(res.status).toBe(400);
  });

  it("refuses limits wider than the parent's", async () => {
    const parent = await mint({ sub: "agent", models: ["*"], limits: { rpm: 10 } });
    expect((await attenuateWith(parent.token, { limits: { rpm: 5 } })).status).toBe(201);
    const wider = await attenuateWith(parent.token, { limits: { rpm: 100 } });
    expect(wider.status).toBe(403);
    expect(await errorCode(wider)).toBe("attenuation_refused");
  });

  it("refuses a revoked parent, and a child of a revoked token, on the next request", async () => {
    const parent = await mint();
    const child = await (await attenuateWith(parent.token)).json<{ token: string }>();
    const revoke = await SELF.fetch(`https://edge.test/admin/orgs/${ORG}/tokens/${parent.id}/revoke`, {
      method: "POST",
      headers: ADMIN,
    });
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toEqual({ revoked: parent.id });
    for (const token of [parent.token, child.token]) {
      const refused = await attenuateWith(token);
      expect(refused.status).toBe(401);
      expect(await errorCode(refused)).toBe("token_revoked");
    }
  });
});

describe("JwksCache", () => {
  const jwksWith = (...kids: string[]): JSONWebKeySet => ({
    keys: kids.map((kid) => ({ kty: "OKP", crv: "Ed25519", x: "", kid })),
  });

  it("refetches for a new kid, but a sprayed unknown kid costs one fetch per backoff window", async () => {
    let clock = 1_000_000;
    let published = jwksWith("k1");
    let fetches = 0;
    const fetchJwks = async () => {
      fetches++;
      return published;
    };
    const cache = new JwksCache(() => clock);

    await cache.keySetFor("k1", fetchJwks);
    await cache.keySetFor("k1", fetchJwks);
    expect(fetches).toBe(1);

    // Rotation: a kid we have not seen is fetched at once.
    published = jwksWith("k1", "k2");
    await cache.keySetFor("k2", fetchJwks);
    expect(fetches).toBe(2);

    // Spraying unknown kids: one fetch, then none until the backoff passes.
    await cache.keySetFor("bogus-1", fetchJwks);
    await cache.keySetFor("bogus-2", fetchJwks);
    await cache.keySetFor("bogus-3", fetchJwks);
    expect(fetches).toBe(3);
    clock += 5000;
    await cache.keySetFor("bogus-4", fetchJwks);
    expect(fetches).toBe(4);
  });

  it("refreshes a known kid once the copy is old, and falls back to the old copy if the refresh fails", async () => {
    let clock = 0;
    let fetches = 0;
    let up = true;
    const cache = new JwksCache(() => clock);
    const fetchJwks = async () => {
      fetches++;
      if (!up) throw new Error("Authority unreachable");
      return jwksWith("k1", "k2");
    };
    await cache.keySetFor("k1", fetchJwks);
    clock += 60_000;
    await cache.keySetFor("k1", fetchJwks);
    expect(fetches).toBe(1);

    clock += 10 * 60_000;
    up = false;
    await expect(cache.keySetFor("k1", fetchJwks)).resolves.toBeDefined();
    expect(fetches).toBe(2);
    // A kid the old copy never had cannot be checked: fail closed.
    await expect(cache.keySetFor("k9", fetchJwks)).rejects.toMatchObject({ failure: { kind: "unavailable", step: "auth" } });
  });

  it("shares one fetch among concurrent requests", async () => {
    let fetches = 0;
    const cache = new JwksCache(() => 0);
    const fetchJwks = async () => {
      fetches++;
      return jwksWith("k1");
    };
    await Promise.all([cache.keySetFor("k1", fetchJwks), cache.keySetFor("k1", fetchJwks), cache.keySetFor("k1", fetchJwks)]);
    expect(fetches).toBe(1);
  });

  it("fails closed, naming the step, when keys cannot be loaded", async () => {
    const cache = new JwksCache(() => 0);
    await expect(
      cache.keySetFor("k1", async () => {
        throw new Error("Authority unreachable");
      }),
    ).rejects.toMatchObject({ failure: { kind: "unavailable", step: "auth" } });
  });
});
