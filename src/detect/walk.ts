// Visits every string of a JSON value that can carry content, copying on write; structural fields are left alone.

/** Keys whose string values are identifiers or enums in the wire formats, never content. */
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
  "format",
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

/**
 * Keys whose values are shaped by the caller or the model, not by the wire format: tool inputs, tool and response
 * schemas, metadata. Inside them a key named "id" or "status" is data like any other, so nothing is skipped by name
 * (otherwise `{"id": "<a secret>"}` in a tool input would pass unscanned).
 */
const FREE_FORM = new Set(["input_schema", "parameters", "schema", "json_schema", "metadata", "arguments", "properties"]);
/** Content blocks whose `input` is the model's tool input (Anthropic). */
const TOOL_INPUT_BLOCKS = new Set(["tool_use", "server_tool_use", "mcp_tool_use"]);

export type StringVisitor = (text: string, path: string) => string;

/** Leading bytes of the binary formats models take inline (images, documents, audio, archives). */
const MAGIC: readonly (readonly number[])[] = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF
  [0x52, 0x49, 0x46, 0x46], // RIFF: WebP, WAV
  [0x25, 0x50, 0x44, 0x46], // PDF
  [0x49, 0x44, 0x33], // MP3 with ID3
  [0xff, 0xfb],
  [0xff, 0xf3],
  [0xff, 0xf2], // MP3 frames
  [0x4f, 0x67, 0x67, 0x53], // Ogg
  [0x66, 0x4c, 0x61, 0x43], // FLAC
  [0x1a, 0x45, 0xdf, 0xa3], // WebM / Matroska
  [0x50, 0x4b, 0x03, 0x04], // ZIP (docx, xlsx…)
  [0x42, 0x4d], // BMP
  [0x49, 0x49, 0x2a, 0x00],
  [0x4d, 0x4d, 0x00, 0x2a], // TIFF
];

/** Whether base64 text starting at `from` decodes to one of the binary formats above (checked on its first bytes). */
function base64IsBinary(s: string, from: number): boolean {
  const head = s.slice(from, from + 24);
  if (!/^[A-Za-z0-9+/]{16,24}$/.test(head)) return false;
  let bytes: string;
  try {
    bytes = atob(head.slice(0, head.length - (head.length % 4)));
  } catch {
    return false;
  }
  // MP4 and friends: "ftyp" at offset 4.
  if (bytes.slice(4, 8) === "ftyp") return true;
  return MAGIC.some((m) => m.every((b, i) => bytes.charCodeAt(i) === b));
}

const DATA_URL_BASE64 = /^data:[\w.+-]+\/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,/i;

/**
 * Binary payloads (inline images, documents, audio) are not text and are left alone, but only when they really are
 * binary: a string that merely starts with "data:" or sits under a "data" key is scanned like any other.
 */
function isBinary(key: string | undefined, s: string): boolean {
  if (s.startsWith("data:")) {
    const m = DATA_URL_BASE64.exec(s);
    return m !== null && base64IsBinary(s, m[0].length);
  }
  return (key === "data" || key === "file_data") && base64IsBinary(s, 0);
}

/** Returns `value` with every content string replaced by `visit(string, path)`; unchanged subtrees are shared. */
export function rewriteStrings(value: unknown, visit: StringVisitor, path = "", key?: string, freeForm = false): unknown {
  if (typeof value === "string") {
    if ((!freeForm && key !== undefined && STRUCTURAL.has(key)) || isBinary(key, value)) return value;
    return visit(value, path);
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = rewriteStrings(value[i], visit, `${path}[${i}]`, undefined, freeForm);
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
      const inner =
        freeForm || FREE_FORM.has(k) || (k === "input" && typeof obj.type === "string" && TOOL_INPUT_BLOCKS.has(obj.type));
      const next = rewriteStrings(obj[k], visit, path ? `${path}.${k}` : k, k, inner);
      if (next !== obj[k]) {
        copy ??= { ...obj };
        copy[k] = next;
      }
    }
    return copy ?? value;
  }
  return value;
}
