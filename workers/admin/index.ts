// The admin API: bearer RINGFENCE_ADMIN_TOKEN, compared in constant time; mounts the org, token and limit routes.
import { Hono } from "hono";
import { RingfenceError } from "../../src/errors";
import type { AppEnv } from "../context";
import { limitsAdmin } from "./limits";
import { mcpAdmin } from "./mcp";
import { orgsAdmin } from "./orgs";
import { tokensAdmin } from "./tokens";

async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}

export const admin = new Hono<AppEnv>();

admin.use(async (c, next) => {
  const expected = c.env.RINGFENCE_ADMIN_TOKEN;
  if (!expected) throw new RingfenceError({ kind: "unavailable", step: "admin", message: "RINGFENCE_ADMIN_TOKEN is not set" });
  const header = c.req.header("authorization") ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  if (!given || !(await sameSecret(given, expected))) throw new RingfenceError({ kind: "admin_unauthorized" });
  await next();
});

admin.route("/", orgsAdmin);
admin.route("/", tokensAdmin);
admin.route("/", limitsAdmin);
admin.route("/", mcpAdmin);
