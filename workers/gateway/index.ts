// The LLM gateway: OpenAI-compatible and Anthropic-native endpoints, each answering in its own wire format.
import { Hono } from "hono";
import { RingfenceError } from "../../src/errors";
import { anthropicMessages, CountTokensBodySchema, MessagesBodySchema } from "../../src/providers/anthropic-messages";
import { echoCountTokens } from "../../src/providers/echo";
import { ChatBodySchema, openaiChat } from "../../src/providers/openai-chat";
import { EmbeddingsBodySchema, openaiEmbeddings } from "../../src/providers/openai-embeddings";
import { openaiResponses, ResponsesBodySchema } from "../../src/providers/openai-responses";
import { authenticate } from "../auth";
import type { AppEnv } from "../context";
import { readJson } from "../shared/body";
import { checkRevoked } from "./meter";
import { modelsResponse } from "./models";
import { freshOrgConfig, routeSecret, routeWithCache } from "./org-config";
import { handleModelCall, routeFor } from "./pipeline";
import { tokenRoutes } from "./tokens";
import { callUpstream } from "./upstream";

export const gateway = new Hono<AppEnv>();

gateway.route("/", tokenRoutes);

gateway.post("/v1/chat/completions", (c) => handleModelCall(c, ChatBodySchema, openaiChat));
gateway.post("/v1/responses", (c) => handleModelCall(c, ResponsesBodySchema, openaiResponses));
gateway.post("/v1/embeddings", (c) => handleModelCall(c, EmbeddingsBodySchema, openaiEmbeddings));
gateway.post("/v1/messages", (c) => handleModelCall(c, MessagesBodySchema, anthropicMessages));

gateway.get("/v1/models", async (c) => {
  const claims = await authenticate(c);
  await checkRevoked(c.env, claims);
  return modelsResponse(c, claims, await freshOrgConfig(c.env, claims.org));
});

gateway.get("/v1/models/:model{.+}", async (c) => {
  const claims = await authenticate(c);
  await checkRevoked(c.env, claims);
  return modelsResponse(c, claims, await freshOrgConfig(c.env, claims.org), c.req.param("model"));
});

// Counting tokens is free at Anthropic, so it is not metered; it still needs a live token allowed the model.
gateway.post("/v1/messages/count_tokens", async (c) => {
  const claims = await authenticate(c);
  const body = await readJson(c, CountTokensBodySchema);
  await checkRevoked(c.env, claims);
  const route = await routeWithCache(c.env, claims.org, (config) => routeFor(c.env, claims, body.model, config));
  if (route.format === "echo") return c.json(echoCountTokens(body));
  if (route.format !== "anthropic") {
    throw new RingfenceError({
      kind: "invalid_request",
      message: `Model '${body.model}' is not an Anthropic model`,
      param: "model",
    });
  }
  const res = await callUpstream({
    env: c.env,
    route,
    api: "messages",
    path: "/v1/messages/count_tokens",
    body: { ...body, model: route.model },
    key: await routeSecret(c.env, claims.org, route),
    clientHeaders: c.req.raw.headers,
    clientSignal: c.req.raw.signal,
  });
  return c.json(await res.json());
});
