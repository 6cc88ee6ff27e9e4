import { posix } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgConstraintSchema, checkArguments, type ToolConstraints, ToolConstraintsSchema } from "../../src/mcp/constraints";
import { globMatch } from "../../src/tokens/glob";

const ok = (args: unknown, c: ToolConstraints) => checkArguments(args, c).ok;

describe("checkArguments: general", () => {
  it("passes a missing argument (required-ness is the tool schema's business)", () => {
    expect(ok({}, { path: { pathPrefix: ["/data/"] } })).toBe(true);
    expect(ok(undefined, { path: { pattern: "x" } })).toBe(true);
    expect(ok({ options: {} }, { "options.dir": { pathPrefix: ["/data/"] } })).toBe(true);
  });

  it("names the argument and why it failed", () => {
    const r = checkArguments({ mode: "rm" }, { mode: { enum: ["read", "list"] } });
    expect(r).toEqual({ ok: false, param: "mode", reason: "is not one of the allowed values" });
  });

  it("enum compares JSON values", () => {
    const c: ToolConstraints = { level: { enum: [1, 2, "3", null, true] } };
    expect(ok({ level: 1 }, c)).toBe(true);
    expect(ok({ level: "3" }, c)).toBe(true);
    expect(ok({ level: null }, c)).toBe(true);
    expect(ok({ level: 3 }, c)).toBe(false);
    expect(ok({ level: "1" }, c)).toBe(false);
    expect(ok({ level: { a: 1 } }, c)).toBe(false);
  });

  it("pattern must match the whole string and refuses non-strings", () => {
    const c: ToolConstraints = { repo: { pattern: "acme/[a-z-]+" } };
    expect(ok({ repo: "acme/web-app" }, c)).toBe(true);
    expect(ok({ repo: "acme/web-app; rm -rf /" }, c)).toBe(false);
    expect(ok({ repo: "evil/acme/web" }, c)).toBe(false);
    expect(ok({ repo: 42 }, c)).toBe(false);
    expect(ok({ repo: { toString: "acme/x" } }, c)).toBe(false);
    // An alternation stays anchored on both sides.
    expect(ok({ repo: "ax" }, { repo: { pattern: "a|b" } })).toBe(false);
  });

  it("maxLength counts strings, and the JSON of anything else", () => {
    expect(ok({ q: "abcd" }, { q: { maxLength: 4 } })).toBe(true);
    expect(ok({ q: "abcde" }, { q: { maxLength: 4 } })).toBe(false);
    expect(ok({ q: { long: "x".repeat(100) } }, { q: { maxLength: 50 } })).toBe(false);
  });

  it("checks every element of an array, and fans out over arrays on the path", () => {
    const c: ToolConstraints = { paths: { pathPrefix: ["/data/"] } };
    expect(ok({ paths: ["/data/a", "/data/b"] }, c)).toBe(true);
    const r = checkArguments({ paths: ["/data/a", "/etc/passwd"] }, c);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("element 1");
    const nested: ToolConstraints = { "edits.path": { pathPrefix: ["/data/"] } };
    expect(ok({ edits: [{ path: "/data/a" }, { path: "/data/b" }] }, nested)).toBe(true);
    expect(ok({ edits: [{ path: "/data/a" }, { path: "/etc/shadow" }] }, nested)).toBe(false);
    expect(ok({ tags: ["a", "b", "c"] }, { tags: { enum: ["a", "b", "c"] } })).toBe(true);
    expect(ok({ tags: ["a", "z"] }, { tags: { enum: ["a", "b", "c"] } })).toBe(false);
  });

  it("does not read inherited properties as arguments", () => {
    expect(ok({}, { constructor: { enum: ["x"] } })).toBe(true);
    expect(ok(JSON.parse('{"__proto__":"/etc"}'), { __proto__: { pathPrefix: ["/data/"] } } as ToolConstraints)).toBe(true);
  });
});

describe("checkArguments: path prefixes", () => {
  const c: ToolConstraints = { path: { pathPrefix: ["/data/"] } };
  const check = (path: unknown) => ok({ path }, c);

  it.each(["/data", "/data/", "/data/a.txt", "/data/sub/dir/file", "/data/./a", "/data/a/../b", "/data//a", "\\data\\a.txt"])(
    "admits %s",
    (p) => expect(check(p)).toBe(true),
  );

  it.each([
    "/database",
    "/database/x",
    "/data/../etc/passwd",
    "/data/a/../../etc/passwd",
    "/data\\..\\etc\\passwd",
    "\\data\\..\\..\\etc",
    "/data/%2e%2e/etc/passwd",
    "/data/%2E%2E%2Fetc%2Fpasswd",
    "/data/%252e%252e/etc",
    "/data/..%2fetc",
    "/data/..%5cetc",
    "/data/%c0%ae%c0%ae/etc",
    "/data/．．/etc",
    "/data/．．／etc",
    "/data/.../etc",
    "/data/.. /etc",
    "/data/..:$INDEX_ALLOCATION/etc",
    "/data/a\u0000/../../etc",
    "//evil/share/data/x",
    "\\\\evil\\share\\data",
    "data/a",
    "./data/a",
    "../data/a",
    "C:/data/a",
    "/etc/passwd",
    "",
  ])("refuses %j", (p) => expect(check(p)).toBe(false));

  it("refuses non-strings", () => {
    expect(check(["/data/a", 1])).toBe(false);
    expect(check({ path: "/data/a" })).toBe(false);
    expect(check(7)).toBe(false);
  });

  it("handles Windows and relative prefixes", () => {
    const win: ToolConstraints = { p: { pathPrefix: ["C:\\work\\"] } };
    expect(ok({ p: "c:\\work\\a.txt" }, win)).toBe(true);
    expect(ok({ p: "C:/work/../Windows/system32" }, win)).toBe(false);
    expect(ok({ p: "C:work\\a" }, win)).toBe(false);
    const rel: ToolConstraints = { p: { pathPrefix: ["./"] } };
    expect(ok({ p: "src/index.ts" }, rel)).toBe(true);
    expect(ok({ p: "src/../../etc" }, rel)).toBe(false);
    expect(ok({ p: "/etc/passwd" }, rel)).toBe(false);
  });

  it("admits a path under any of several prefixes", () => {
    const two: ToolConstraints = { p: { pathPrefix: ["/data/", "/tmp/work"] } };
    expect(ok({ p: "/tmp/work/x" }, two)).toBe(true);
    expect(ok({ p: "/tmp/workshop" }, two)).toBe(false);
  });

  it("property: nothing admitted resolves outside /data, however a tool decodes it", () => {
    const segment = fc.constantFrom(
      "data",
      "database",
      "etc",
      "..",
      ".",
      "",
      "%2e%2e",
      "%2E.",
      ".%2e",
      "%252e%252e",
      "．．",
      "...",
      "a",
      "%2f..",
      "..%5c..",
    );
    const sep = fc.constantFrom("/", "\\", "//", "%2f", "%5c", "／");
    const lead = fc.constantFrom("/", "\\", "", "./", "//", "/data/", "\\data\\");
    const input = fc
      .tuple(lead, fc.array(fc.tuple(segment, sep), { maxLength: 6 }), segment)
      .map(([l, parts, last]) => l + parts.map(([s, p]) => s + p).join("") + last);
    const readings = (raw: string): string[] => {
      const out = new Set<string>([raw, raw.normalize("NFKC")]);
      let s = raw;
      for (let i = 0; i < 4; i++) {
        try {
          s = decodeURIComponent(s);
        } catch {
          break;
        }
        out.add(s);
        out.add(s.normalize("NFKC"));
      }
      return [...out];
    };
    let admitted = 0;
    fc.assert(
      fc.property(input, (raw) => {
        if (!check(raw)) return;
        admitted++;
        for (const r of readings(raw)) {
          const resolved = posix.normalize(r.replaceAll("\\", "/"));
          expect(resolved === "/data" || resolved.startsWith("/data/"), `${raw} -> ${resolved}`).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
    // The generator reaches both sides: a property over refusals only would prove nothing.
    expect(admitted).toBeGreaterThan(20);
  });
});

describe("checkArguments: URL hosts", () => {
  const c: ToolConstraints = { url: { urlHosts: ["allowed.com", "*.allowed.com"] } };
  const check = (url: unknown) => ok({ url }, c);

  it.each([
    "https://allowed.com",
    "https://allowed.com/path?q=1#x",
    "http://api.allowed.com:8443/v1",
    "HTTPS://ALLOWED.COM/",
    "https://a.b.allowed.com/",
    "https://allowed.com./x",
    "https://allowed.com/redirect?to=https://evil.com",
  ])("admits %s", (u) => expect(check(u)).toBe(true));

  it.each([
    "https://evil.com",
    "https://allowed.com@evil.com",
    "https://allowed.com:443@evil.com/",
    "https://user:pass@allowed.com/",
    "https://allowed.com\\@evil.com",
    "https://evil.com\\@allowed.com",
    "https://evil.com#@allowed.com",
    "https://allowed.com.evil.com",
    "https://evilallowed.com",
    "https://allowed%2ecom",
    "https://%61llowed.com",
    "https://аllowed.com",
    "https://allowed。com",
    "https://ａｌｌｏｗｅｄ.com",
    "https://xn--llowed-3ve.com",
    "https://127.0.0.1/",
    "https://2130706433/",
    "https://0x7f.0.0.1/",
    "https://0177.0.0.1/",
    "http://[::1]/",
    "https://evil.com;.allowed.com/",
    "https:allowed.com",
    "https:/allowed.com",
    " https://allowed.com",
    "https://allo\twed.com",
    "https://allowed.com:abc/",
    "ftp://allowed.com/",
    "javascript://allowed.com/%0aalert(1)",
    "file:///etc/passwd",
    "//allowed.com/x",
    "allowed.com",
    "",
  ])("refuses %j", (u) => expect(check(u)).toBe(false));

  it("refuses non-strings", () => {
    expect(check(42)).toBe(false);
    expect(check({ href: "https://allowed.com" })).toBe(false);
  });

  it("admits an IP address only where it is listed exactly, never through a glob", () => {
    expect(ok({ u: "http://10.0.0.5:8080/x" }, { u: { urlHosts: ["10.0.0.5"] } })).toBe(true);
    expect(ok({ u: "http://10.0.0.5/x" }, { u: { urlHosts: ["*"] } })).toBe(false);
    expect(ok({ u: "http://10.0.0.5/x" }, { u: { urlHosts: ["10.0.0.*"] } })).toBe(false);
    expect(ok({ u: "http://010.0.0.5/x" }, { u: { urlHosts: ["10.0.0.5", "010.0.0.5"] } })).toBe(false);
  });

  it("property: nothing admitted reaches a host outside the list, whichever parser the tool uses", () => {
    const allowed = (host: string) => {
      const h = host.toLowerCase().replace(/\.$/, "");
      return globMatch("allowed.com", h) || globMatch("*.allowed.com", h);
    };
    /** A lax parser: the authority ends at / ? # (not at a backslash), the host follows the last @. */
    const lax = (raw: string): string => {
      const rest = raw.replace(/^[a-z]+:\/*/i, "");
      const authority = rest.split(/[/?#]/)[0] ?? "";
      const host = authority.slice(authority.lastIndexOf("@") + 1);
      return host.replace(/:\d*$/, "");
    };
    /** Another: the authority also ends at a backslash, the host follows the first @. */
    const strict = (raw: string): string => {
      const rest = raw.replace(/^[a-z]+:\/*/i, "");
      const authority = rest.split(/[/?#\\]/)[0] ?? "";
      const host = authority.slice(authority.indexOf("@") + 1);
      return host.replace(/:\d*$/, "");
    };
    /** The plain choice half the time, so both admitted and refused URLs are generated. */
    const often = (plain: string, odd: fc.Arbitrary<string>) => fc.oneof(fc.constant(plain), odd);
    const input = fc
      .tuple(
        often("https://", fc.constantFrom("http://", "HTTP://", "https:", "https:/", "https:\\\\", "ftp://", "")),
        often("", fc.constantFrom("allowed.com@", "evil.com@", "u:p@", "allowed.com:443@")),
        fc.constantFrom(
          "allowed.com",
          "api.allowed.com",
          "evil.com",
          "allowed.com.evil.com",
          "evil.allowed.com.evil.com",
          "ALLOWED.com",
          "allowed.com.",
          "127.0.0.1",
          "0x7f.1",
          "[::1]",
          "allowed%2ecom",
          "аllowed.com",
          "allowed。com",
          "evil.com%23.allowed.com",
        ),
        often("", fc.constantFrom(":443", ":8080", ":", ":x")),
        fc.constantFrom(
          "",
          "/",
          "/p?q=1",
          "#f",
          "\\@evil.com",
          "@evil.com",
          "?@evil.com",
          "/@evil.com",
          "#@evil.com",
          "\\.allowed.com",
        ),
      )
      .map((parts) => parts.join(""));
    let admitted = 0;
    fc.assert(
      fc.property(input, (raw) => {
        if (!check(raw)) return;
        admitted++;
        const url = new URL(raw);
        expect(["http:", "https:"]).toContain(url.protocol);
        expect(allowed(url.hostname), raw).toBe(true);
        expect(allowed(lax(raw)), raw).toBe(true);
        expect(allowed(strict(raw)), raw).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(admitted).toBeGreaterThan(20);
  });
});

describe("schemas", () => {
  it("refuses an invalid regex, and one that is valid only once anchored", () => {
    expect(ArgConstraintSchema.safeParse({ pattern: "[a-" }).success).toBe(false);
    expect(ArgConstraintSchema.safeParse({ pattern: "a)|(b" }).success).toBe(false);
    expect(ArgConstraintSchema.safeParse({ pattern: "[a-z]+" }).success).toBe(true);
  });

  it("refuses unknown constraint fields, so a typo never silently allows everything", () => {
    expect(ArgConstraintSchema.safeParse({ pathPrefixes: ["/data/"] }).success).toBe(false);
    expect(ArgConstraintSchema.safeParse({ pathPrefix: ["/data/\u0000"] }).success).toBe(false);
    expect(ToolConstraintsSchema.safeParse({ "a..b": {} }).success).toBe(false);
    expect(ToolConstraintsSchema.safeParse({ "a.b": { maxLength: 3 } }).success).toBe(true);
  });
});
