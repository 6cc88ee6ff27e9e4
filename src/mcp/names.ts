// Public names of the aggregated endpoint: every upstream (server, tool) pair gets one unique, valid MCP tool name.
//
// Decisions:
// - The public name is `<server>__<tool>`, characters outside [a-zA-Z0-9_-] replaced by `_`, at most 64 characters.
// - A pair whose plain name is already valid keeps it, so the names clients see stay put as servers come and go.
//   When two pairs spell the same plain name (server "a" with tool "b__c", server "a__b" with tool "c"), the one with
//   the longer server name keeps it: server names are chosen by the admin, tool names by the upstream, and a tool name
//   holding `__` is how an upstream would pose as another server's tool.
// - Every other pair (sanitised, too long, or a losing claimant) gets `_<hash>` of the raw pair, cut to fit; if even
//   that is taken, the hash is salted until it is free. Pairs are handled in a canonical order, so the result depends
//   on the set of pairs, never on the order they came in.

export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const MAX = 64;

export interface AggregateName {
  name: string;
  server: string;
  tool: string;
}

/** FNV-1a over UTF-16 code units, 32 bits, as 8 hex digits: small, synchronous, the same in every runtime. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function sanitise(text: string): string {
  let out = "";
  // By code point, so one emoji becomes one `_`, not two.
  for (const ch of text) out += /^[a-zA-Z0-9_-]$/.test(ch) ? ch : "_";
  return out;
}

function hashed(server: string, tool: string, salt: number): string {
  const base = sanitise(`${server}__${tool}`);
  const suffix = `_${fnv1a(`${salt}\u0000${server}\u0000${tool}`)}`;
  return base.slice(0, MAX - suffix.length) + suffix;
}

const byPair = (a: { server: string; tool: string }, b: { server: string; tool: string }): number =>
  a.server < b.server ? -1 : a.server > b.server ? 1 : a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0;

/** One unique public name per distinct (server, tool) pair, sorted by name. Duplicate pairs yield one row. */
export function aggregateNames(entries: readonly { server: string; tool: string }[]): AggregateName[] {
  const pairs = new Map<string, { server: string; tool: string }>();
  for (const { server, tool } of entries) pairs.set(`${server}\u0000${tool}`, { server, tool });
  const sorted = [...pairs.values()].sort(byPair);

  // Plain names first: the valid ones, one winner per name.
  const taken = new Map<string, { server: string; tool: string }>();
  for (const p of sorted) {
    const plain = `${p.server}__${p.tool}`;
    if (!TOOL_NAME.test(plain)) continue;
    const held = taken.get(plain);
    if (!held || p.server.length > held.server.length) taken.set(plain, p);
  }
  const out: AggregateName[] = [];
  const winners = new Set([...taken.values()]);
  for (const [name, p] of taken) out.push({ name, server: p.server, tool: p.tool });
  for (const p of sorted) {
    if (winners.has(p)) continue;
    let salt = 0;
    let name = hashed(p.server, p.tool, salt);
    while (taken.has(name)) name = hashed(p.server, p.tool, ++salt);
    taken.set(name, p);
    out.push({ name, server: p.server, tool: p.tool });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The upstream pair behind a public name, or undefined for a name not in the table. */
export function resolveAggregateName(
  name: string,
  table: readonly AggregateName[],
): { server: string; tool: string } | undefined {
  const row = table.find((r) => r.name === name);
  return row ? { server: row.server, tool: row.tool } : undefined;
}
