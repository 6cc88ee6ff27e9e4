// Visits every string of a JSON value that can carry content, copying on write; structural fields are left alone.

/** Keys whose string values are identifiers or enums, never content. */
const STRUCTURAL = new Set([
  "model",
  "role",
  "type",
  "id",
  "tool_call_id",
  "tool_use_id",
  "call_id",
  "item_id",
  "previous_response_id",
  "object",
  "finish_reason",
  "stop_reason",
  "status",
  "encoding_format",
  "media_type",
  "detail",
  "service_tier",
  "reasoning_effort",
  "truncation",
  "tool_choice",
  "anthropic-version",
  "signature",
  "system_fingerprint",
]);

export type StringVisitor = (text: string, path: string) => string;

function isBinary(key: string | undefined, s: string, parent: Record<string, unknown> | undefined): boolean {
  if (s.startsWith("data:")) return true; // data URIs (images, files): binary, not text
  return key === "data" && parent?.type === "base64";
}

/** Returns `value` with every content string replaced by `visit(string, path)`; unchanged subtrees are shared. */
export function rewriteStrings(
  value: unknown,
  visit: StringVisitor,
  path = "",
  key?: string,
  parent?: Record<string, unknown>,
): unknown {
  if (typeof value === "string") {
    if ((key !== undefined && STRUCTURAL.has(key)) || isBinary(key, value, parent)) return value;
    return visit(value, path);
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = rewriteStrings(value[i], visit, `${path}[${i}]`, undefined, undefined);
      if (next !== value[i]) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const k of Object.keys(obj)) {
      const next = rewriteStrings(obj[k], visit, path ? `${path}.${k}` : k, k, obj);
      if (next !== obj[k]) {
        copy ??= { ...obj };
        copy[k] = next;
      }
    }
    return copy ?? value;
  }
  return value;
}
