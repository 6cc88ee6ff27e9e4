import { describe, expect, it } from "vitest";
import { type Failure, toWire } from "../../src/errors";

const limited: Failure = {
  kind: "rate_limited",
  limit: "usd_per_day",
  scope: "token",
  retryAfterSeconds: 3600,
  headers: { "x-ratelimit-limit-requests": "10" },
};

describe("toWire", () => {
  it("maps a limit to 429 with retry-after in the OpenAI shape, naming the limit", () => {
    const w = toWire(limited, "openai", "req_1");
    expect(w.status).toBe(429);
    expect(w.headers["retry-after"]).toBe("3600");
    expect(w.headers["x-ratelimit-limit-requests"]).toBe("10");
    expect(w.body).toMatchObject({
      error: { type: "insufficient_quota", code: "token_usd_per_day_exceeded", request_id: "req_1" },
    });
    expect(JSON.stringify(w.body)).toContain("USD per day");
  });

  it("maps the same failure to Anthropic's and JSON-RPC's shapes", () => {
    expect(toWire(limited, "anthropic", "req_1").body).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(toWire({ kind: "invalid_json", message: "x" }, "jsonrpc", "r", 7).body).toMatchObject({
      jsonrpc: "2.0",
      id: 7,
      error: { code: -32700 },
    });
  });

  it("gives every auth failure 401 and a WWW-Authenticate challenge", () => {
    for (const f of [{ kind: "missing_token" }, { kind: "token_expired" }, { kind: "token_revoked" }] as Failure[]) {
      const w = toWire(f, "openai", "r");
      expect(w.status).toBe(401);
      expect(w.headers["www-authenticate"]).toContain("Bearer");
    }
  });

  it("does not leak internal messages to the client", () => {
    const w = toWire({ kind: "internal", step: "meter", message: "secret stack detail" }, "openai", "r");
    expect(w.status).toBe(500);
    expect(JSON.stringify(w.body)).not.toContain("secret stack detail");
  });
});
