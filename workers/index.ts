// The ringfence Worker: mounts the gateway and admin apps, and exports the Durable Object classes.
import { Hono } from "hono";
import { RingfenceError } from "../src/errors";
import { admin } from "./admin";
import { codemode } from "./codemode";
import type { AppEnv } from "./context";
import { failureResponse, onError } from "./errors";
import { gateway } from "./gateway";
import { mcpBroker } from "./mcp-broker";

export { Authority } from "../durable-objects/Authority";
export { Meter } from "../durable-objects/Meter";
export { Registry } from "../durable-objects/Registry";
// Code mode's bindings into loaded isolates (through ctx.exports): tools via the broker, and the governed outbound.
export { CodemodeEgress, CodemodeRemoteTools, CodemodeTools } from "./codemode";

const app = new Hono<AppEnv>();

app.use(async (c, next) => {
  const requestId = `req_${crypto.randomUUID().replaceAll("-", "")}`;
  c.set("requestId", requestId);
  await next();
  c.res.headers.set("x-request-id", requestId);
});

app.get("/healthz", (c) => c.json({ ok: true }));
app.route("/admin", admin);
app.route("/", mcpBroker);
app.route("/", codemode);
app.route("/", gateway);

app.notFound((c) => failureResponse(c, { kind: "not_found", what: `${c.req.method} ${c.req.path}` }));
app.onError((err, c) => (err instanceof RingfenceError ? failureResponse(c, err.failure) : onError(err, c)));

export default app;
