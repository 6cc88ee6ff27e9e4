// Argument constraints on tool calls: allowed values, patterns, path prefixes and URL hosts, checked before the call.
//
// Decisions:
// - A constraint names an argument by dot path ("options.dir"); arrays on the way and at the end fan out, so every
//   element is checked. A missing argument passes: whether it is required is the tool's schema's business.
// - Paths: every reading a tool might make must stay inside a prefix. The value is read as written, with its %XX
//   escapes decoded and NFKC-normalised (full-width dots and slashes), backslashes as separators; each reading is
//   resolved ("." and ".." segments, duplicate slashes) and must equal a prefix or lie below it, by whole segments
//   ("/data/" admits "/data/x", never "/database"). Control characters, network paths ("//host", "\\host"),
//   drive-relative paths ("C:x"), odd dot segments ("...", ".. ") and relative paths under an absolute prefix are
//   refused. Symbolic links are the tool's to resolve: a prefix is only as safe as what lies below it.
// - URLs: http(s) only, written plainly. The host as written must be the host the WHATWG parser finds, so no
//   userinfo ("https://ok.com@evil.com"), no backslash or white space (parsers disagree on them), no percent-encoded,
//   numeric, hex or octal host, no IDN or full-width dots in raw form. Hosts compare lower-case, one trailing dot
//   ignored; globs never admit an IP address, only an entry equal to it does.
// - A non-string value fails pattern, pathPrefix and urlHosts; maxLength counts UTF-16 units of a string and the JSON
//   length of anything else.
import { z } from "zod";
import { globMatch } from "../tokens/glob";
import { canonicalJson } from "./pin";

/** The full-match regex of a pattern, or null if the pattern is not a valid regex on its own. */
function compile(pattern: string): RegExp | null {
  try {
    // Valid on its own first: "a)|(b" is valid only once wrapped, and would then match any text starting with "a".
    new RegExp(pattern);
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return null;
  }
}

const compiled = new Map<string, RegExp | null>();
const MAX_COMPILED = 512;

/** Patterns compile once per isolate (bounded), never per call. */
function regexFor(pattern: string): RegExp | null {
  let re = compiled.get(pattern);
  if (re === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    re = compile(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

export const ArgConstraintSchema = z.strictObject({
  /**
   * Allowed values (JSON scalars: a recursive JSON type is too deep for Workers RPC's types, and enums of objects are
   * not a thing tools take).
   */
  enum: z
    .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .min(1)
    .optional(),
  /** A regex the whole string must match. */
  pattern: z
    .string()
    .max(1000)
    .refine((p) => compile(p) !== null, "not a valid regular expression")
    .optional(),
  /** Directories a path must stay inside. */
  pathPrefix: z
    .array(z.string().refine((p) => typeof normalisePath(p) === "string", "not a usable path prefix"))
    .min(1)
    .optional(),
  /** Host globs ("api.example.com", "*.example.com") a URL must point at. */
  urlHosts: z.array(z.string().min(1)).min(1).optional(),
  maxLength: z.number().int().nonnegative().optional(),
});
export type ArgConstraint = z.infer<typeof ArgConstraintSchema>;

/** Argument dot path → constraint. */
export const ToolConstraintsSchema = z.record(z.string().regex(/^[^.]+(?:\.[^.]+)*$/), ArgConstraintSchema);
export type ToolConstraints = z.infer<typeof ToolConstraintsSchema>;

export type ArgCheck = { ok: true } | { ok: false; param: string; reason: string };

// ---- paths

/** Whether the text holds a code unit at or below `max` (0x1f: control characters; 0x20: and the space) or DEL. */
function hasControl(text: string, max: number): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= max || c === 0x7f) return true;
  }
  return false;
}

/** The resolved form of a path ("/a/b", "C:/a", "rel/a"; "" for the current directory), or why it is refused. */
export function normalisePath(raw: string): string | { refused: string } {
  if (hasControl(raw, 0x1f)) return { refused: "contains control characters" };
  let p = raw.replaceAll("\\", "/");
  if (p.startsWith("//")) return { refused: "is a network path" };
  let root = "";
  const drive = /^([A-Za-z]):/.exec(p);
  if (drive) {
    if (p[2] !== "/") return { refused: "is drive-relative" };
    root = `${drive[1]?.toUpperCase()}:/`;
    p = p.slice(3);
  } else if (p.startsWith("/")) {
    root = "/";
    p = p.slice(1);
  }
  const segments: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (segments.length > 0) segments.pop();
      else if (!root) return { refused: "climbs above its starting directory" };
      continue;
    }
    // Windows drops trailing dots and spaces ("... " may mean ".."), and "..:stream" names the parent: refuse both.
    if (/^[.\s]+$/.test(seg) || seg.startsWith("..")) return { refused: `has an ambiguous segment '${seg}'` };
    segments.push(seg);
  }
  return root + segments.join("/");
}

/** Decodes %XX escapes of ASCII characters; bytes that can only be an overlong UTF-8 form are refused. */
function decodeAscii(text: string): string | null {
  if (/%c[01]/i.test(text)) return null;
  return text.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Every reading of the value a tool might make: as written, %-decoded, NFKC-normalised, and combinations. */
function readings(raw: string): string[] | null {
  const seen = new Set([raw]);
  let frontier = [raw];
  for (let round = 0; round < 4 && frontier.length > 0; round++) {
    const next: string[] = [];
    for (const s of frontier) {
      const decoded = decodeAscii(s);
      if (decoded === null) return null;
      for (const v of [decoded, s.normalize("NFKC")]) {
        if (!seen.has(v)) {
          seen.add(v);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  // Still changing after four rounds: encoded deeper than any tool decodes honestly.
  return frontier.length > 0 ? null : [...seen];
}

function under(path: string, prefix: string): boolean {
  if (path === prefix) return true;
  // "." (or "./"): anything relative; normalisation has already refused relative paths that climb out.
  if (prefix === "") return !path.startsWith("/") && !/^[A-Z]:\//.test(path);
  return prefix.endsWith("/") ? path.startsWith(prefix) : path.startsWith(`${prefix}/`);
}

function checkPath(raw: string, prefixes: readonly string[]): string | undefined {
  const all = readings(raw);
  if (!all) return "is encoded in a way that cannot be checked";
  const roots = prefixes.map(normalisePath).filter((p): p is string => typeof p === "string");
  for (const r of all) {
    const n = normalisePath(r);
    if (typeof n !== "string") return n.refused;
    if (!roots.some((root) => under(n, root))) return `is outside the allowed directories (${prefixes.join(", ")})`;
  }
  return undefined;
}

// ---- URLs

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function checkUrl(raw: string, hosts: readonly string[]): string | undefined {
  if (hasControl(raw, 0x20) || raw.includes("\\")) return "contains white space, control characters or backslashes";
  const m = /^https?:\/\/([^/?#]*)/i.exec(raw);
  if (!m) return "is not an http(s) URL";
  const authority = m[1] ?? "";
  if (authority.includes("@")) return "carries credentials";
  if (authority.includes("%")) return "has a percent-encoded host";
  const close = authority.startsWith("[") ? authority.indexOf("]") + 1 : 0;
  const colon = authority.indexOf(":", close);
  const written = (colon < 0 ? authority : authority.slice(0, colon)).toLowerCase();
  if (colon >= 0 && !/^\d{1,5}$/.test(authority.slice(colon + 1))) return "has an invalid port";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a valid URL";
  }
  const host = url.hostname.toLowerCase();
  if (!host || host !== written) return "writes its host in an unusual form";
  if (IPV4.test(host) || host.startsWith("[")) {
    return hosts.some((h) => h.toLowerCase() === host) ? undefined : `points at IP address ${host}, which is not allowed`;
  }
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (!name.split(".").every((label) => /^[a-z0-9_-]+$/.test(label))) return "has a host with unusual characters";
  const ok = hosts.some((h) => {
    const g = h.toLowerCase();
    return globMatch(g.endsWith(".") ? g.slice(0, -1) : g, name);
  });
  return ok ? undefined : `points at host ${name}, which is not allowed`;
}

// ---- values

function checkValue(value: unknown, c: ArgConstraint): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = checkValue(value[i], c);
      if (r) return `element ${i} ${r}`;
    }
    return undefined;
  }
  if (c.enum && !inEnum(c.enum, value)) return "is not one of the allowed values";
  if (c.maxLength !== undefined) {
    const length = typeof value === "string" ? value.length : canonicalJson(value).length;
    if (length > c.maxLength) return `is longer than ${c.maxLength} characters`;
  }
  const needsString = c.pattern !== undefined || c.pathPrefix !== undefined || c.urlHosts !== undefined;
  if (!needsString) return undefined;
  if (typeof value !== "string") return "must be a string";
  if (c.pattern !== undefined) {
    const re = regexFor(c.pattern);
    if (!re?.test(value)) return "does not match the required pattern";
  }
  if (c.pathPrefix) {
    const r = checkPath(value, c.pathPrefix);
    if (r) return r;
  }
  if (c.urlHosts) {
    const r = checkUrl(value, c.urlHosts);
    if (r) return r;
  }
  return undefined;
}

function inEnum(allowed: readonly unknown[], value: unknown): boolean {
  const text = canonicalJson(value);
  return allowed.some((a) => canonicalJson(a) === text);
}

/** The values at a dot path, fanning out over arrays on the way; none if the path is missing. */
function valuesAt(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const key of path.split(".")) {
    const next: unknown[] = [];
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) for (const e of v) visit(e);
      else if (typeof v === "object" && v !== null && Object.hasOwn(v, key)) next.push((v as Record<string, unknown>)[key]);
    };
    for (const v of current) visit(v);
    current = next;
  }
  return current;
}

export function checkArguments(args: unknown, constraints: ToolConstraints): ArgCheck {
  for (const param of Object.keys(constraints).sort()) {
    const c = constraints[param];
    if (!c) continue;
    for (const value of valuesAt(args, param)) {
      const reason = checkValue(value, c);
      if (reason) return { ok: false, param, reason };
    }
  }
  return { ok: true };
}
