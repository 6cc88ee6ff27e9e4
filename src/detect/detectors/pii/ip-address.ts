// pii.ip_address: IPv4 and IPv6 addresses as infrastructure identifiers, so with lower confidence than personal data:
// 0.6 for public addresses, 0.5 for private, CGNAT, link-local and unique-local ones.
//
// Decisions:
// - Not reported, as they identify no host: unspecified (0.0.0.0, ::), loopback (127.0.0.0/8, ::1), broadcast, and
//   netmasks (255.255.255.0, ffff:ffff:ffff:ffff::).
// - Dotted quads after a version, section or OID marker ("version 1.2.3.4", "v1.2.3.4", "==1.2.3.4",
//   "Section 6.2.1.3", "OID 1.3.101.113"), longer dotted runs (1.3.6.1.4.1), and octets over 255 or with leading
//   zeros are not addresses.
// - IPv6 needs all 8 groups or one "::" with at least two groups, one of them 2+ digits long, so C++/Rust paths
//   (a::b), slices ([1::2]), times (10:30:00), MACs (6 groups) and 8×2-digit fingerprints are not addresses.
// - Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) name no real host and are
//   not reported, like example.com keys are not secrets.
// - Quads of single digits (4.2.1.4) are as often section or version numbers: confidence 0.4, flag only.
import type { Detector, Finding } from "../../types";
import { type IdentifierKind, identifierDetector } from "./clusters";
import { isDigit, isWordChar } from "./context";

/**
 * Dotted quads, tried by the shared pass at digit groups of 1–3 digits before a dot; boundaries are checked in code.
 * A valid address cannot start inside a rejected match (it would follow a digit or a dot), so tries resume after it.
 */
const V4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/y;
/**
 * Every address this detector accepts has "::" or three colons at most 4 hex digits apart (8 groups); the full
 * pattern runs only around such a hint, which times (10:30:00) and type annotations do not give. Hints are tried at
 * the colons around each "::" and around digit clusters that touch a colon (see clusters.ts).
 */
const V6_HINT = /::|:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:/y;
const V6 = /(?:[0-9A-Fa-f]{1,4}|(?=::))(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?:\.\d{1,3}){3})?(?![\w:]|\.\d)/y;
/** Longest IPv6 text: 8 groups of 4 hex digits, or 6 groups and a dotted quad. */
const MAX_V6 = 45;
/** Markers of versions, section numbers and OIDs, which dotted quads after them are (AssemblyVersion("2.1.0.0")). */
const NOT_AN_ADDRESS_BEFORE =
  /(?:\bv|version|ver\.?|release|build|section|sec\.|§|chapter|clause|rfc \d+,?|oid|==|~=|>=|<=|\^|~)["'(=:\s]*$/i;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function octet(s: string): number {
  if (s.length > 1 && s.charCodeAt(0) === 48) return -1;
  const n = Number(s);
  return n <= 255 ? n : -1;
}

/** Confidence for a dotted quad, 0 if it is not a host address. */
function v4Confidence(parts: readonly string[]): number {
  const o = parts.map(octet);
  if (o.some((n) => n < 0)) return 0;
  const [a, b] = o as [number, number, number, number];
  const value = ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
  if (value === 0 || a === 127 || value === 0xffffffff) return 0;
  const inverted = ~value >>> 0;
  if (a === 255 && ((inverted + 1) & inverted) === 0) return 0; // contiguous netmask
  // Documentation ranges (RFC 5737) name no real host, like example.com.
  if ((a === 192 && b === 0 && o[2] === 2) || (a === 198 && b === 51 && o[2] === 100) || (a === 203 && b === 0 && o[2] === 113)) {
    return 0;
  }
  // Four single digits are as often section or version numbers ("see 4.2.1.4") as an address: flag only.
  if (o.every((n) => n < 10)) return 0.4;
  const isPrivate =
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127);
  return isPrivate ? 0.5 : 0.6;
}

function v4Valid(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && octet(p) >= 0);
}

/** ffff:ffff:ffff:ff00:: and the like: leading one bits, then zeros (compressed zeros need not be listed). */
function isMask(values: readonly number[]): boolean {
  let i = 0;
  while (i < values.length && values[i] === 0xffff) i++;
  if (i === 0) return false;
  if (i < values.length) {
    const inverted = ~values[i]! & 0xffff;
    if (((inverted + 1) & inverted) !== 0) return false;
    i++;
  }
  while (i < values.length && values[i] === 0) i++;
  return i === values.length;
}

/** Confidence for an IPv6 candidate, 0 if it is not a host address. */
function v6Confidence(s: string): number {
  let head = s;
  let tailGroups = 0;
  if (s.includes(".")) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
    const lastColon = s.lastIndexOf(":");
    const tail = s.slice(lastColon + 1);
    // An address that is not a host as IPv4 (loopback, documentation) is not one mapped into IPv6 either.
    if (!v4Valid(tail) || v4Confidence(tail.split(".")) === 0) return 0;
    tailGroups = 2;
    head = s.slice(0, lastColon + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return 0;
  const explicit: string[] = [];
  for (const half of halves) {
    if (half === "") continue;
    const groups = half.split(":");
    if (!groups.every((g) => HEX_GROUP.test(g))) return 0;
    explicit.push(...groups);
  }
  const total = explicit.length + tailGroups;
  if (halves.length === 1) {
    if (total !== 8) return 0;
    if (explicit.every((g) => g.length === 2)) return 0; // fingerprints and WWNs print as 8 × 2 hex digits
  } else {
    if (total > 7) return 0;
    if (tailGroups === 0 && (explicit.length < 2 || explicit.every((g) => g.length < 2))) return 0;
  }
  const values = explicit.map((g) => Number.parseInt(g, 16));
  if (tailGroups === 0 && values.every((v) => v === 0)) return 0; // unspecified
  if (tailGroups === 0 && halves[0] !== "" && isMask(values)) return 0;
  const first = halves[0] === "" ? 0 : values[0]!;
  if (first === 0x2001 && values[1] === 0xdb8) return 0; // documentation prefix 2001:db8::/32 (RFC 3849)
  if ((first & 0xffc0) === 0xfe80 || (first & 0xfe00) === 0xfc00) return 0.5;
  return 0.6;
}

function isHexOrColon(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function v4At(text: string, start: number, out: Finding[]): number {
  V4.lastIndex = start;
  const m = V4.exec(text);
  if (m === null) return -1;
  const end = start + m[0].length;
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  if (isWordChar(before) || before === 45 || before === 46) return end;
  if (isWordChar(after) || after === 45 || (after === 46 && isDigit(text.charCodeAt(end + 1)))) return end;
  const confidence = v4Confidence([m[1]!, m[2]!, m[3]!, m[4]!]);
  if (confidence === 0 || NOT_AN_ADDRESS_BEFORE.test(text.slice(Math.max(0, start - 24), start))) return end;
  out.push({ kind: "pii.ip_address", category: "pii", start, end, confidence });
  return end;
}

/** IPv6 addresses around the hints: the colons the shared pass collected (ascending), each tried as a global V6_HINT would. */
function findV6(text: string, colons: readonly number[], out: Finding[]): void {
  let floor = 0;
  let resume = 0;
  for (const at of colons) {
    if (at < resume) continue;
    V6_HINT.lastIndex = at;
    if (!V6_HINT.test(text)) continue;
    const hintEnd = V6_HINT.lastIndex;
    // The address starts where the run of hex digits and colons around the hint starts.
    let start = at;
    while (start > floor && at - start <= MAX_V6 && isHexOrColon(text.charCodeAt(start - 1))) start--;
    const before = text.charCodeAt(start - 1);
    if (at - start > MAX_V6 || isWordChar(before) || before === 46 || before === 58) {
      floor = at + 1;
      resume = floor;
      continue;
    }
    V6.lastIndex = start;
    const m = V6.exec(text);
    const end = m ? start + m[0].length : at + 1;
    floor = end;
    resume = Math.max(hintEnd - 1, end);
    if (!m) continue;
    const confidence = v6Confidence(m[0]);
    if (confidence > 0) out.push({ kind: "pii.ip_address", category: "pii", start, end, confidence });
  }
}

export const ipAddressKind: IdentifierKind = {
  kind: "pii.ip_address",
  maxLength: MAX_V6,
  minDigits: 4,
  startsWith: (length, next) => length <= 3 && next === 46,
  atDigits: (text, p, _length, out) => v4At(text, p, out),
  atColons: findV6,
};

export const ipAddress: Detector = identifierDetector("ip_address", [ipAddressKind]);
