// The Compiled Policy: what each position does with each kind of finding. The schema is the type.
import { z } from "zod";
import { McpAccessSchema } from "../mcp/acl";
import { ToolConstraintsSchema } from "../mcp/constraints";
import { LoopLimitsSchema } from "../mcp/loop";

export const PresetSchema = z.enum(["starter", "standard", "regulated"]);
export type Preset = z.infer<typeof PresetSchema>;

export const ActionSchema = z.enum(["allow", "flag", "tokenize", "redact", "block"]);
export type Action = z.infer<typeof ActionSchema>;

/** Order used to tighten: a header or token narrowing may only move a kind to the right. */
export const STRENGTH: Readonly<Record<Action, number>> = { allow: 0, flag: 1, tokenize: 2, redact: 3, block: 4 };

export const stronger = (a: Action, b: Action): Action => (STRENGTH[b] > STRENGTH[a] ? b : a);

/** Kind patterns ("secret.*", "pii.email", "*") → action; the most specific pattern wins. */
export const RulesSchema = z.record(z.string().regex(/^(\*|[a-z]+\.(\*|[a-z0-9_]+))$/), ActionSchema);
export type Rules = z.infer<typeof RulesSchema>;

/** The MCP broker's part of the policy: who may call which tool, with what, and what comes back. */
export const McpPolicySchema = z.object({
  /** Tool ACL per server (allow/deny globs) and the default for servers without a rule. */
  access: McpAccessSchema,
  /** Detection on tool-call arguments, agent → tool (the token's and header's request flags tighten it). */
  arguments: RulesSchema,
  /** Detection on what tools send back: results, resources, prompts, server requests (response flags tighten it). */
  results: RulesSchema,
  /** A tool definition with a finding (poisoning, shadowing) is hidden and uncallable ("block") or only recorded. */
  definitions: z.enum(["block", "flag"]),
  /** Rug-pull pinning: a tool whose definition changed since approval is hidden until re-approved ("enforce"). */
  pinning: z.enum(["enforce", "record"]),
  /** Argument constraints: server → tool → argument path → constraint. */
  constraints: z.record(z.string(), z.record(z.string(), ToolConstraintsSchema)),
  /** Loop guard, call ceilings and per-tool rates. */
  loop: LoopLimitsSchema,
});
export type McpPolicy = z.infer<typeof McpPolicySchema>;

/** A host a code-mode program may reach: "api.example.com", or "*.example.com" for its subdomains. */
export const EgressHostSchema = z
  .string()
  .regex(/^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?(:\d{1,5})?$/, "a host name or *.domain");

/** Code mode (the interpreter ring): whether programs may run, where they may reach, and how much they may use. */
export const CodemodePolicySchema = z.object({
  enabled: z.boolean(),
  /** Hosts a program may fetch through the governed outbound (arguments rules scan what leaves); empty: no network. */
  egress: z.array(EgressHostSchema).max(100),
  limits: z.object({
    /** Wall time of one execution, tool calls included; a request's `timeoutMs` may only lower it. */
    wallMs: z.number().int().min(100).max(300_000),
    /** CPU time, enforced by Cloudflare on the loaded isolate (local workerd does not enforce it: steps do). */
    cpuMs: z.number().int().min(1).max(300_000),
    /** Loop iterations and function entries: what ends runaway synchronous code everywhere. */
    steps: z.number().int().min(1000).max(1_000_000_000),
    toolCalls: z.number().int().min(0).max(10_000),
    /** Outbound requests through the egress allow-list. */
    subRequests: z.number().int().min(0).max(1000),
    /** Captured console output kept, in characters. */
    logBytes: z
      .number()
      .int()
      .min(0)
      .max(16 << 20),
    /** The answer (result, logs, tool calls) as JSON, in characters. */
    resultBytes: z
      .number()
      .int()
      .min(1024)
      .max(32 << 20),
  }),
});
export type CodemodePolicy = z.infer<typeof CodemodePolicySchema>;

export const PolicySchema = z.object({
  preset: PresetSchema,
  /** "shadow": evaluate and record, never change or block (an explicit, visible choice: every response says so). */
  mode: z.enum(["enforce", "shadow"]),
  /** Everything the client sends: system prompts, messages, tool definitions, tool-call arguments, tool results. */
  request: RulesSchema,
  /** Everything the model sends back: text, tool-call arguments, streamed or not. */
  response: RulesSchema,
  /** Findings below this confidence are at most flagged, whatever the rules say. */
  minConfidence: z.number().min(0).max(1),
  noTrain: z.object({
    /** Send `store: false` to OpenAI on every call. */
    storeFalse: z.boolean(),
    /** Refuse routes to upstreams not marked zero-retention (OpenAI and Anthropic are under their API terms). */
    requireZeroRetention: z.boolean(),
  }),
  mcp: McpPolicySchema,
  codemode: CodemodePolicySchema,
});
export type Policy = z.infer<typeof PolicySchema>;

/** What an org may override of the MCP part: rules merged kind by kind, servers and constraints merged by name. */
export const McpPolicyOverrideSchema = z
  .object({
    access: z
      .object({ default: McpAccessSchema.shape.default.optional(), servers: McpAccessSchema.shape.servers.optional() })
      .strict()
      .optional(),
    arguments: RulesSchema.optional(),
    results: RulesSchema.optional(),
    definitions: McpPolicySchema.shape.definitions.optional(),
    pinning: McpPolicySchema.shape.pinning.optional(),
    constraints: McpPolicySchema.shape.constraints.optional(),
    loop: LoopLimitsSchema.partial().optional(),
  })
  .strict();
export type McpPolicyOverride = z.infer<typeof McpPolicyOverrideSchema>;

/** What an org may override: any part, rules merged key by key over the preset's. */
export const PolicyOverrideSchema = z
  .object({
    mode: PolicySchema.shape.mode.optional(),
    request: RulesSchema.optional(),
    response: RulesSchema.optional(),
    minConfidence: PolicySchema.shape.minConfidence.optional(),
    noTrain: PolicySchema.shape.noTrain.partial().optional(),
    mcp: McpPolicyOverrideSchema.optional(),
    codemode: z
      .object({
        enabled: z.boolean().optional(),
        egress: CodemodePolicySchema.shape.egress.optional(),
        limits: CodemodePolicySchema.shape.limits.partial().strict().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type PolicyOverride = z.infer<typeof PolicyOverrideSchema>;
