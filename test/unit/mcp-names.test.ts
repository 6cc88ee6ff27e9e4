import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregateNames, resolveAggregateName, TOOL_NAME } from "../../src/mcp/names";

const names = (entries: { server: string; tool: string }[]) => aggregateNames(entries).map((r) => r.name);

describe("aggregateNames", () => {
  it("names a pair <server>__<tool> when that is a valid tool name", () => {
    expect(aggregateNames([{ server: "github", tool: "create_issue" }])).toEqual([
      { name: "github__create_issue", server: "github", tool: "create_issue" },
    ]);
  });

  it("replaces characters outside [a-zA-Z0-9_-] and adds a hash so the sanitised name cannot be claimed by a real one", () => {
    const [row] = aggregateNames([{ server: "fs", tool: "read.file" }]);
    expect(row?.name).toMatch(/^fs__read_file_[0-9a-f]{8}$/);
    const [emoji] = aggregateNames([{ server: "fun", tool: "🎉party" }]);
    expect(emoji?.name).toMatch(/^fun___party_[0-9a-f]{8}$/);
  });

  it("shortens names over 64 characters with a hash suffix, keeping distinct long names distinct", () => {
    const long = "x".repeat(80);
    const out = aggregateNames([
      { server: "srv", tool: `${long}a` },
      { server: "srv", tool: `${long}b` },
    ]);
    expect(out).toHaveLength(2);
    for (const r of out) expect(r.name).toMatch(TOOL_NAME);
    expect(out[0]?.name).not.toBe(out[1]?.name);
    expect(out.every((r) => r.name.startsWith("srv__xxx"))).toBe(true);
  });

  it("resolves a sanitising collision deterministically: the exact name keeps it, the other gets a hash", () => {
    const out = aggregateNames([
      { server: "fs", tool: "read.file" },
      { server: "fs", tool: "read_file" },
    ]);
    expect(resolveAggregateName("fs__read_file", out)).toEqual({ server: "fs", tool: "read_file" });
    const other = out.find((r) => r.tool === "read.file");
    expect(other?.name).toMatch(/^fs__read_file_[0-9a-f]{8}$/);
  });

  it("does not let an upstream tool named like another server's pair take that pair's name", () => {
    // Server "a" lists a tool "b__c": its plain name would be "a__b__c", the name of server "a__b"'s tool "c".
    const out = aggregateNames([
      { server: "a", tool: "b__c" },
      { server: "a__b", tool: "c" },
    ]);
    expect(resolveAggregateName("a__b__c", out)).toEqual({ server: "a__b", tool: "c" });
    expect(out.find((r) => r.server === "a")?.name).not.toBe("a__b__c");
  });

  it("avoids a hashed name that an exact name already holds", () => {
    const first = aggregateNames([{ server: "fs", tool: "read.file" }])[0]?.name ?? "";
    // An upstream tool literally named like the hashed form.
    const squatter = first.slice("fs__".length);
    const out = aggregateNames([
      { server: "fs", tool: "read.file" },
      { server: "fs", tool: squatter },
    ]);
    expect(resolveAggregateName(first, out)).toEqual({ server: "fs", tool: squatter });
    const moved = out.find((r) => r.tool === "read.file")?.name;
    expect(moved).toMatch(TOOL_NAME);
    expect(moved).not.toBe(first);
  });

  it("gives one row per distinct pair", () => {
    expect(
      aggregateNames([
        { server: "s", tool: "t" },
        { server: "s", tool: "t" },
      ]),
    ).toHaveLength(1);
  });

  it("property: names are valid, unique, resolve back, and do not depend on input order", () => {
    const piece = fc.oneof(
      fc.constantFrom("a", "b", "a__b", "b__c", "c", "x.y", "x_y", "__", "_", "-", "é", "🎉", "a/b", "x".repeat(70)),
      fc.string({ maxLength: 12 }),
    );
    const pair = fc.record({ server: piece, tool: piece });
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 12 }), fc.nat(), (entries, seed) => {
        const out = aggregateNames(entries);
        const distinct = new Set(entries.map((e) => `${e.server}\u0000${e.tool}`));
        expect(out).toHaveLength(distinct.size);
        expect(new Set(out.map((r) => r.name)).size).toBe(out.length);
        for (const r of out) {
          expect(r.name).toMatch(TOOL_NAME);
          expect(resolveAggregateName(r.name, out)).toEqual({ server: r.server, tool: r.tool });
        }
        const k = seed % (entries.length + 1);
        const reordered = [...entries.slice(k), ...entries.slice(0, k)].reverse();
        expect(aggregateNames(reordered)).toEqual(out);
      }),
      { numRuns: 300 },
    );
  });

  it("resolveAggregateName returns undefined for unknown names", () => {
    expect(resolveAggregateName("nope__nope", aggregateNames([{ server: "s", tool: "t" }]))).toBeUndefined();
    expect(names([])).toEqual([]);
  });
});
