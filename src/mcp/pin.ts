// Rug-pull pinning: a tool definition's hash, approved once; a later, different definition is reported as changed.
import { z } from "zod";
import type { ToolDef } from "./tool";

/**
 * JSON with object keys sorted (by UTF-16 code unit) and no white space: equal values give equal text, whatever the
 * key order they were built or parsed in. As JSON.stringify: undefined properties are left out, undefined or
 * non-finite numbers in arrays become null; a top-level undefined is "null".
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
      const obj = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(obj).sort()) {
        const v = obj[key];
        if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      // bigint, function, symbol: not JSON; as JSON.stringify would for a property, they count as absent.
      return "null";
  }
}

/** Hex SHA-256 of a UTF-8 text (Web Crypto: the same in Node and workerd). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let hex = "";
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** The fields a model reads to decide what a tool does; a change to any of them is a change of the tool. */
const PINNED_FIELDS = ["name", "title", "description", "inputSchema", "outputSchema", "annotations"] as const;

export async function toolHash(tool: ToolDef): Promise<string> {
  const picked: Record<string, unknown> = {};
  for (const f of PINNED_FIELDS) if (tool[f] !== undefined) picked[f] = tool[f];
  return sha256Hex(canonicalJson(picked));
}

export const PinSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Epoch milliseconds. */
  approvedAt: z.number().int().nonnegative(),
  approvedBy: z.enum(["first-use", "admin"]),
});
export type Pin = z.infer<typeof PinSchema>;
/** Tool name → its approved definition. */
export type Pins = Record<string, Pin>;

export type PinStatus = { status: "new" } | { status: "approved" } | { status: "changed"; pinned: Pin };

export function checkPin(pins: Pins, toolName: string, hash: string): PinStatus {
  // Own properties only: a tool named "constructor" or "__proto__" must not find Object.prototype's members.
  const pinned = Object.hasOwn(pins, toolName) ? pins[toolName] : undefined;
  if (!pinned) return { status: "new" };
  return pinned.hash === hash ? { status: "approved" } : { status: "changed", pinned };
}
