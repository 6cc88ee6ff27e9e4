// Capability-token claims: the schema is the type, shared by mint, verify and attenuate.
import { z } from "zod";

export const ISSUER = "ringfence";

export const CapabilityClaimsSchema = z.object({
  iss: z.literal(ISSUER),
  /** Organization the token belongs to. */
  org: z.string().min(1),
  /** The agent or person the token was issued to. */
  sub: z.string().min(1),
  /** Model globs this token may use (`*` matches any run of characters). */
  models: z.array(z.string().min(1)).min(1),
  /**
   * MCP tools this token may call, as globs over "<server>/<tool>" (e.g. "github/*" or "fs/read_*"). Absent: no tools.
   * The policy's ACL applies on top; both must allow a call.
   */
  tools: z.array(z.string().min(1)).optional(),
  /** Budget ledger chain: token ids from the root token down to this one. Spend is charged to each. */
  led: z.array(z.string().min(1)).min(1),
  /** Tighten-only policy flags carried by the token (same syntax as the x-ringfence-flags header). */
  pol: z.string().max(2000).optional(),
  jti: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type CapabilityClaims = z.infer<typeof CapabilityClaimsSchema>;
