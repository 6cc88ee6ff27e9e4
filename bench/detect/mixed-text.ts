// Deterministic mixed workload for the throughput benchmark: English prose, TypeScript and Python code, JSON logs and
// markdown, cut into prompt-sized documents, with a true positive from the corpus every ~20 KB.
import { rng } from "../../test/fixtures/corpus/rng.ts";
import type { SensitiveCase } from "../../test/fixtures/corpus/types.ts";

const WORDS = (
  "the of and to a in is that for it as with was on be by this are from or have an not but at which they you we can " +
  "all their has more one will would there been if when what about so out up into them some could other than then " +
  "only its also after use two how our work first well way even new want because any these give day most us " +
  "request response model agent tool policy gateway budget latency stream token tokens key keys secret password user " +
  "email account service deploy build test release config server client cache queue worker database table index " +
  "query error retry timeout limit rate cost usage prompt context window chunk scanner finding redact block allow " +
  "team customer invoice order payment card bank phone address report review plan meeting week month quarter"
).split(" ");

const IDENT = [
  "user",
  "order",
  "cart",
  "invoice",
  "session",
  "token",
  "config",
  "item",
  "price",
  "total",
  "result",
  "payload",
  "request",
  "handler",
  "client",
  "cache",
  "row",
  "batch",
];
const SUFFIX = ["Id", "Count", "Map", "List", "Service", "Repo", "Options", "State", "Value", "Total", "Ms", "Url"];

/** About `bytes` characters of mixed text as documents of 4–64 KB, seeded so every run scans the same input. */
export function mixedDocuments(bytes: number, positives: readonly SensitiveCase[]): string[] {
  const r = rng("bench/detect/mixed");
  const word = () => WORDS[Math.min(WORDS.length - 1, Math.floor(WORDS.length * r.next() ** 2))] ?? "the";
  const ident = () => `${r.pick(IDENT)}${r.pick(SUFFIX)}`;
  const sentence = () => {
    const n = r.int(6, 22);
    const ws: string[] = [];
    for (let i = 0; i < n; i++) ws.push(word());
    const s = ws.join(" ");
    return `${s[0]?.toUpperCase()}${s.slice(1)}${r.pick([".", ".", ".", "?", "!"])}`;
  };
  const prose = () => {
    const ps: string[] = [];
    for (let p = r.int(2, 5); p > 0; p--) {
      const ss: string[] = [];
      for (let s = r.int(3, 8); s > 0; s--) ss.push(sentence());
      ps.push(ss.join(" "));
    }
    return `${ps.join("\n\n")}\n\n`;
  };
  const typescript = () => {
    const f = ident();
    const a = ident();
    const b = ident();
    return `import { ${a} } from "./${r.pick(IDENT)}";\n\nexport async function ${f}(${a}: number, ${b}: string[] = []): Promise<Record<string, number>> {\n  const out: Record<string, number> = {};\n  for (const x of ${b}) {\n    if (x.length > ${r.int(1, 99)}) continue;\n    out[x] = (out[x] ?? 0) + ${a} * ${r.int(2, 1000) / 100};\n  }\n  // ${sentence()}\n  return out;\n}\n\n`;
  };
  const python = () => {
    const f = ident().replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    return `def ${f}(items, limit=${r.int(10, 500)}):\n    """${sentence()}"""\n    total = 0\n    for item in items[:limit]:\n        if item.get("status") == "${r.pick(["paid", "open", "failed"])}":\n            total += item["amount"] * ${r.int(1, 99) / 10}\n    return round(total, 2)\n\n`;
  };
  const jsonLog = () => {
    const lines: string[] = [];
    for (let i = r.int(5, 30); i > 0; i--) {
      lines.push(
        JSON.stringify({
          level: r.pick(["info", "info", "info", "warn", "debug"]),
          time: 1718035200000 + r.int(0, 86_400_000),
          reqId: `${r.str("0123456789abcdef", 8)}-${r.str("0123456789abcdef", 4)}-4${r.str("0123456789abcdef", 3)}-a${r.str("0123456789abcdef", 3)}-${r.str("0123456789abcdef", 12)}`,
          method: r.pick(["GET", "POST", "PUT"]),
          path: `/api/v${r.int(1, 3)}/${r.pick(IDENT)}s/${r.int(1, 99999)}`,
          status: r.pick([200, 200, 201, 204, 400, 404, 500]),
          ms: r.int(1, 2000) / 10,
          msg: sentence(),
        }),
      );
    }
    return `${lines.join("\n")}\n`;
  };
  const markdown = () =>
    `## ${sentence()}\n\n- ${sentence()}\n- ${sentence()}\n\n| ${word()} | ${word()} | ${word()} |\n|---|---|---|\n| ${r.int(1, 999)} | ${r.int(1, 99)}.${r.int(0, 99)} % | v${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)} |\n\n`;

  const blocks = [prose, prose, typescript, python, jsonLog, markdown];
  const docs: string[] = [];
  let total = 0;
  let sinceTruePositive = 0;
  let p = 0;
  while (total < bytes) {
    const target = r.int(4096, 65536);
    let doc = "";
    while (doc.length < target) {
      const block = r.pick(blocks)();
      doc += block;
      sinceTruePositive += block.length;
      if (sinceTruePositive >= 20_000 && positives.length > 0) {
        doc += `\n${positives[p++ % positives.length]?.text ?? ""}\n\n`;
        sinceTruePositive = 0;
      }
    }
    docs.push(doc);
    total += doc.length;
  }
  return docs;
}
