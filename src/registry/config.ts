// Per-org configuration kept by the Registry: preset, provider credentials (encrypted), custom upstreams, pricing.
import { z } from "zod";
import { PinSchema } from "../mcp/pin";
import { PolicyOverrideSchema, PresetSchema } from "../policy/schema";

export { type Preset, PresetSchema } from "../policy/schema";

/** AES-GCM ciphertext: base64url iv and data. */
export const SealedSchema = z.object({ iv: z.string(), data: z.string() });
export type Sealed = z.infer<typeof SealedSchema>;

export const ModelPriceSchema = z.object({
  /** USD per million input tokens. */
  input: z.number().nonnegative(),
  /** USD per million output tokens. */
  output: z.number().nonnegative(),
  /** Largest output the model produces when the request sets no maximum. */
  maxOutput: z.number().int().positive().optional(),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

export const ProviderCredentialSchema = z.object({
  baseUrl: z.string().url().optional(),
  apiKey: SealedSchema.optional(),
  /** The org has a zero-data-retention agreement with this provider (used by policy's no-train routing). */
  zeroRetention: z.boolean().optional(),
});

export const UpstreamSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 for Ollama. */
  baseUrl: z.string().url(),
  apiKey: SealedSchema.optional(),
  /** Model globs this upstream serves. A request's model is matched in registration order. */
  models: z.array(z.string().min(1)).min(1),
  /** Strip this prefix from the model name before forwarding (e.g. "ollama/"). */
  stripPrefix: z.string().optional(),
  /** Send the key in this header as-is (Azure OpenAI: "api-key") instead of `Authorization: Bearer`. */
  apiKeyHeader: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/)
    .optional(),
  /** Extra, non-secret headers sent upstream (e.g. OpenRouter's HTTP-Referer). */
  headers: z.record(z.string(), z.string()).optional(),
  /** The upstream keeps no prompts (used by policy's no-train routing). */
  zeroRetention: z.boolean().default(false),
});
export type Upstream = z.infer<typeof UpstreamSchema>;

/** An upstream MCP server. Names are short so that "<server>__<tool>" stays within MCP's 64-character tool names. */
export const McpServerSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/),
  url: z.string().url(),
  /** Headers ringfence sends to the server (its credentials towards it), sealed. Client tokens never go upstream. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), SealedSchema).default({}),
});
export type McpServer = z.infer<typeof McpServerSchema>;

/** What happened to a tool definition: first pinned, changed (rug pull), re-approved, or refused as poisoned. */
export const ToolEventSchema = z.object({
  at: z.number(),
  server: z.string(),
  tool: z.string(),
  event: z.enum(["pinned", "changed", "approved", "poisoned"]),
  hash: z.string(),
  previous: z.string().optional(),
  detail: z.string().optional(),
});
export type ToolEvent = z.infer<typeof ToolEventSchema>;

export const OrgConfigSchema = z.object({
  id: z.string(),
  name: z.string(),
  preset: PresetSchema,
  createdAt: z.number(),
  version: z.number().int(),
  providers: z.object({
    openai: ProviderCredentialSchema.optional(),
    anthropic: ProviderCredentialSchema.optional(),
  }),
  upstreams: z.array(UpstreamSchema),
  pricing: z.record(z.string(), ModelPriceSchema),
  /** Overrides of the preset's policy (rules merged kind by kind). */
  policy: PolicyOverrideSchema.optional(),
  mcpServers: z.array(McpServerSchema).default([]),
  /** Approved tool definitions: server → tool → pin. */
  toolPins: z.record(z.string(), z.record(z.string(), PinSchema)).default({}),
  /** The latest tool events, newest last (bounded). */
  toolEvents: z.array(ToolEventSchema).default([]),
});
export type OrgConfig = z.infer<typeof OrgConfigSchema>;
