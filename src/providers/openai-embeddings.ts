// POST /v1/embeddings: input tokens only, never streamed.
import { z } from "zod";
import type { Endpoint, Route } from "./types";
import { openaiChatUsage } from "./usage";

export const EmbeddingsBodySchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
});
export type EmbeddingsBody = z.infer<typeof EmbeddingsBodySchema>;

export const openaiEmbeddings: Endpoint<EmbeddingsBody> = {
  name: "embeddings",
  serves: ["openai", "echo"],
  upstreamPath: "/embeddings",
  model: (b) => b.model,
  stream: () => false,
  maxOutput: () => 0,
  prepare: (b, route: Route) => ({ ...b, model: route.model }),
  usageFromJson: openaiChatUsage,
  observer: () => {
    throw new Error("embeddings do not stream");
  },
};
