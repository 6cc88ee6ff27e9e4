// Held-out detection quality: recall per category and benign false positives on cases the detector authors never saw.
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { beforeAll, describe, expect, it } from "vitest";
import { type Finding, scan, standardDetectors } from "../../src/detect";
import { heldoutBenign, heldoutSensitive, type Label, type LabelCategory } from "../fixtures/heldout";
import * as V from "../fixtures/heldout/validate";

const CONFIDENT = 0.5;
const COVERAGE = 0.9;
// Loose floors: this corpus informs, it is not something to tune against. The figures are printed for the record.
const FLOOR: Record<LabelCategory, number> = { secret: 0.9, pii: 0.9 };
const MAX_BENIGN_CHANGED = 0.05;

const PHONE_COUNTRY: Record<string, CountryCode> = {
  phone_us: "US",
  phone_uk: "GB",
  phone_be: "BE",
  phone_nl: "NL",
  phone_fr: "FR",
  phone_de: "DE",
  phone_es: "ES",
  phone_it: "IT",
};

const overlap = (f: Finding, l: Label) => Math.max(0, Math.min(f.end, l.end) - Math.max(f.start, l.start));
const counts = (f: Finding, l: Label) =>
  f.category === l.category && f.confidence >= CONFIDENT && overlap(f, l) >= COVERAGE * (l.end - l.start);

/** Why a value was missed, without ever printing the value. */
function missReason(findings: readonly Finding[], l: Label): string {
  const near = findings.filter((f) => overlap(f, l) > 0).sort((a, b) => overlap(b, l) - overlap(a, l));
  const best = near[0];
  if (!best) return "no finding";
  const share = Math.round((100 * overlap(best, l)) / (l.end - l.start));
  return `closest: ${best.kind} conf ${best.confidence.toFixed(2)} covering ${share}%`;
}

interface Tally {
  hit: number;
  total: number;
}

const pct = (t: Tally) => (t.total === 0 ? 1 : t.hit / t.total);
const show = (t: Tally) => `${t.hit}/${t.total} = ${(100 * pct(t)).toFixed(1)}%`;

interface Report {
  byCategory: Record<LabelCategory, Tally>;
  byKind: Map<string, Tally>;
  misses: string[];
  benignChanged: string[];
}

function evaluate(): Report {
  const byCategory: Record<LabelCategory, Tally> = { secret: { hit: 0, total: 0 }, pii: { hit: 0, total: 0 } };
  const byKind = new Map<string, Tally>();
  const misses: string[] = [];
  for (const c of heldoutSensitive) {
    const findings = scan(c.text, standardDetectors);
    for (const l of c.labels) {
      const key = `${l.category}.${l.kind}`;
      const kind = byKind.get(key) ?? { hit: 0, total: 0 };
      byKind.set(key, kind);
      const hit = findings.some((f) => counts(f, l));
      for (const t of [byCategory[l.category], kind]) {
        t.total++;
        if (hit) t.hit++;
      }
      if (!hit) misses.push(`${c.id} ${key} (${c.context}): ${missReason(findings, l)}`);
    }
  }
  const benignChanged: string[] = [];
  for (const b of heldoutBenign) {
    const changed = scan(b.text, standardDetectors).filter(
      (f) => (f.category === "secret" || f.category === "pii") && f.confidence >= CONFIDENT,
    );
    if (changed.length > 0) {
      const kinds = [...new Set(changed.map((f) => `${f.kind} ${f.confidence.toFixed(2)}`))].join(", ");
      benignChanged.push(`${b.id} (${b.context}): ${kinds}`);
    }
  }
  return { byCategory, byKind, misses, benignChanged };
}

function print(report: Report): void {
  const benign = { hit: report.benignChanged.length, total: heldoutBenign.length };
  const lines = [
    `held-out corpus: ${heldoutSensitive.length} sensitive cases, ${heldoutBenign.length} benign`,
    `secret recall: ${show(report.byCategory.secret)}`,
    `pii recall:    ${show(report.byCategory.pii)}`,
    `benign changed: ${show(benign)}`,
    "per kind:",
    ...[...report.byKind].sort(([a], [b]) => a.localeCompare(b)).map(([k, t]) => `  ${k}: ${show(t)}`),
    `misses (${report.misses.length}):`,
    ...report.misses.map((m) => `  ${m}`),
    `benign changed (${report.benignChanged.length}):`,
    ...report.benignChanged.map((m) => `  ${m}`),
  ];
  console.log(lines.join("\n"));
}

describe("held-out corpus fixture", () => {
  const labelled = heldoutSensitive.flatMap((c) => c.labels.map((l) => ({ c, l, value: c.text.slice(l.start, l.end) })));

  it("is large and varied enough to mean something", () => {
    expect(heldoutSensitive.length).toBeGreaterThanOrEqual(120);
    expect(heldoutBenign.length).toBeGreaterThanOrEqual(80);
    const ids = [...heldoutSensitive, ...heldoutBenign].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(heldoutSensitive.every((c) => c.labels.length > 0)).toBe(true);
    const secretKinds = new Set(labelled.filter(({ l }) => l.category === "secret").map(({ l }) => l.kind));
    expect(secretKinds.size).toBeGreaterThanOrEqual(30);
  });

  it("labels non-empty, disjoint spans inside their text", () => {
    for (const c of heldoutSensitive) {
      const spans = [...c.labels].sort((a, b) => a.start - b.start);
      spans.forEach((l, i) => {
        expect(l.end, c.id).toBeGreaterThan(l.start);
        expect(l.end, c.id).toBeLessThanOrEqual(c.text.length);
        expect(c.text.slice(l.start, l.end).trim(), c.id).toBe(c.text.slice(l.start, l.end));
        if (i > 0) expect(l.start, c.id).toBeGreaterThanOrEqual(spans[i - 1]?.end ?? 0);
      });
    }
  });

  it("holds only checksum-valid payment cards, IBANs and national ids", () => {
    const checks: Record<string, (v: string) => boolean> = {
      us_ssn: V.validSsn,
      uk_nino: V.validNino,
      be_national_number: V.validBeNationalNumber,
      nl_bsn: V.validBsn,
      fr_nir: V.validNir,
      es_dni: V.validDni,
      es_nie: V.validNie,
      it_codice_fiscale: V.validCodiceFiscale,
    };
    for (const { c, l, value } of labelled) {
      const where = `${c.id} ${l.kind}`;
      if (l.kind.startsWith("card_")) expect(V.validCard(value, l.kind), where).toBe(true);
      else if (l.kind.startsWith("iban_")) expect(V.validIban(value), where).toBe(true);
      else if (checks[l.kind]) expect(checks[l.kind]?.(value), where).toBe(true);
    }
  });

  it("holds only phone numbers valid in their country's numbering plan", () => {
    const phones = labelled.filter(({ l }) => l.kind.startsWith("phone_"));
    expect(new Set(phones.map(({ l }) => l.kind)).size).toBe(8);
    for (const { c, l, value } of phones) {
      const parsed = parsePhoneNumberFromString(value, PHONE_COUNTRY[l.kind]);
      expect(parsed?.isValid(), `${c.id} ${l.kind}`).toBe(true);
      expect(parsed?.country, `${c.id} ${l.kind}`).toBe(PHONE_COUNTRY[l.kind]);
    }
  });
});

describe("held-out detection quality", () => {
  let report: Report;
  beforeAll(() => {
    report = evaluate();
    print(report);
  });

  it("catches at least 90% of secrets", () => {
    expect(pct(report.byCategory.secret)).toBeGreaterThanOrEqual(FLOOR.secret);
  });

  it("catches at least 90% of structured PII", () => {
    expect(pct(report.byCategory.pii)).toBeGreaterThanOrEqual(FLOOR.pii);
  });

  it("changes at most 5% of benign look-alikes", () => {
    expect(report.benignChanged.length / heldoutBenign.length).toBeLessThanOrEqual(MAX_BENIGN_CHANGED);
  });
});
