// Admin routes for the Meter: set org and token limits (PUT replaces them), read usage.

import { Hono } from "hono";
import { RingfenceError } from "../../src/errors";
import { LimitsSchema, ORG_LEDGER } from "../../src/meter/types";
import type { AppEnv } from "../context";
import { readJson } from "../shared/body";
import { registryOf } from "../shared/registry";

async function requireOrg(env: Env, org: string): Promise<void> {
  if (!(await registryOf(env, org).getConfig())) throw new RingfenceError({ kind: "not_found", what: `org ${org}` });
}

/** Token ids name token ledgers; the org ledger's name is not one of them. */
function tokenLedger(id: string): string {
  if (id === ORG_LEDGER) throw new RingfenceError({ kind: "invalid_request", message: "not a token id", param: "id" });
  return id;
}

export const limitsAdmin = new Hono<AppEnv>();

limitsAdmin.put("/orgs/:org/limits", async (c) => {
  const org = c.req.param("org");
  const limits = await readJson(c, LimitsSchema);
  await requireOrg(c.env, org);
  await c.env.METER.getByName(org).setLimits(ORG_LEDGER, limits);
  return c.json({ ledger: ORG_LEDGER, limits });
});

limitsAdmin.put("/orgs/:org/tokens/:id/limits", async (c) => {
  const org = c.req.param("org");
  const ledger = tokenLedger(c.req.param("id"));
  const limits = await readJson(c, LimitsSchema);
  await requireOrg(c.env, org);
  await c.env.METER.getByName(org).setLimits(ledger, limits);
  return c.json({ ledger, limits });
});

limitsAdmin.get("/orgs/:org/usage", async (c) => {
  const org = c.req.param("org");
  await requireOrg(c.env, org);
  return c.json({ ledgers: await c.env.METER.getByName(org).usage() });
});

limitsAdmin.get("/orgs/:org/tokens/:id/usage", async (c) => {
  const org = c.req.param("org");
  const ledger = tokenLedger(c.req.param("id"));
  await requireOrg(c.env, org);
  const [usage] = await c.env.METER.getByName(org).usage(ledger);
  return c.json(usage);
});
