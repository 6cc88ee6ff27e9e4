// Reading request bodies safely: content type, a size cap enforced while streaming, JSON, then a zod schema.
import type { Context } from "hono";
import type { z } from "zod";
import { RingfenceError } from "../../src/errors";
import type { AppEnv } from "../context";

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export function maxBodyBytes(env: Env): number {
  const n = Number(env.RINGFENCE_MAX_BODY_BYTES);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_MAX_BODY_BYTES;
}

/**
 * The body's bytes, at most `limit`: read while streaming, a larger body is cancelled rather than buffered whole.
 * Null past the limit.
 */
export async function readBytesCapped(req: Request, limit: number): Promise<Uint8Array | null> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) return null;
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

/** Reads at most `limit` bytes as text; larger bodies are refused without being buffered whole. */
async function readCapped(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  // A declared length within the limit is held to by the HTTP layer (a body cannot run past it), so read it whole.
  if (declared <= limit && Number.isInteger(declared) && declared >= 0) return req.body ? req.text() : "";
  const bytes = await readBytesCapped(req, limit);
  if (bytes === null) throw new RingfenceError({ kind: "body_too_large", limitBytes: limit });
  return new TextDecoder().decode(bytes);
}

/** The request body as text, within RINGFENCE_MAX_BODY_BYTES (refused while streaming, never buffered whole). */
export function readBodyText(c: Context<AppEnv>): Promise<string> {
  return readCapped(c.req.raw, maxBodyBytes(c.env));
}

/** Parses a JSON request body (content type, size, syntax, then shape). */
export async function readJson<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.infer<S>> {
  const contentType = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new RingfenceError({ kind: "unsupported_media_type", contentType });
  }
  const text = await readBodyText(c);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RingfenceError({ kind: "invalid_json", message: err instanceof Error ? err.message : "parse error" });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.join(".") || undefined;
    throw new RingfenceError({
      kind: "invalid_request",
      message: `Invalid request body${param ? ` at '${param}'` : ""}: ${issue?.message ?? "invalid"}`,
      param,
    });
  }
  return parsed.data;
}
