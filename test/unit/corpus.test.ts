// The labelled corpus (test/fixtures/corpus) is well-formed, its values carry valid check digits, and the standard
// detector set meets issue 3's targets on it: secrets ≥ 99 %, structured PII ≥ 98 %, benign texts changed ≤ 1 %.
import { isValidPhoneNumber } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/detect/types";
import { cfCheckChar, ibanValid, luhnValid } from "../fixtures/corpus/checksums";
import { evaluate, kindTable, recall, ringfenceTool, summaryLine } from "../fixtures/corpus/evaluate";
import { benignCases, buildCorpus, sensitiveCases } from "../fixtures/corpus/index";
import { phonesUsed } from "../fixtures/corpus/pii-contact";

const labels = sensitiveCases.flatMap((c) => c.labels.map((l) => ({ ...l, id: c.id })));
const valuesOf = (kind: string) => labels.filter((l) => l.kind === kind).map((l) => l.value);
const digits = (s: string) => s.replace(/\D/g, "");
/** Remainder mod 97 of a long decimal string, written independently of the corpus generator. */
const mod97 = (s: string) => [...s].reduce((r, ch) => (r * 10 + Number(ch)) % 97, 0);

const PII_KINDS = [
  "pii.email",
  "pii.phone",
  "pii.payment_card",
  "pii.iban",
  "pii.us_ssn",
  "pii.uk_nino",
  "pii.be_national_number",
  "pii.nl_bsn",
  "pii.fr_nir",
  "pii.es_dni",
  "pii.es_nie",
  "pii.it_codice_fiscale",
  "pii.ip_address",
];

describe("corpus shape", () => {
  it("has at least 300 sensitive cases and 150 benign look-alikes, with unique ids", () => {
    expect(sensitiveCases.length).toBeGreaterThanOrEqual(300);
    expect(benignCases.length).toBeGreaterThanOrEqual(150);
    const ids = [...sensitiveCases, ...benignCases].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("labels every sensitive case, each label spanning exactly its value", () => {
    for (const c of sensitiveCases) {
      expect(c.labels.length, c.id).toBeGreaterThan(0);
      for (const l of c.labels) {
        expect(c.text.slice(l.start, l.end), c.id).toBe(l.value);
        expect(l.kind.startsWith(`${l.category}.`), c.id).toBe(true);
        expect(l.kind, c.id).toMatch(/^[a-z]+\.[a-z0-9_]+$/);
      }
    }
  });

  it("covers at least 40 secret formats and every structured PII kind, several cases each", () => {
    const count = (kind: string) => labels.filter((l) => l.kind === kind).length;
    const secretKinds = new Set(labels.filter((l) => l.category === "secret").map((l) => l.kind));
    expect(secretKinds.size).toBeGreaterThanOrEqual(40);
    for (const kind of PII_KINDS) expect(count(kind), kind).toBeGreaterThanOrEqual(4);
    for (const kind of [
      "secret.aws_access_key_id",
      "secret.aws_secret_access_key",
      "secret.gcp_api_key",
      "secret.gcp_service_account",
      "secret.azure_storage_account_key",
      "secret.azure_sas_token",
      "secret.github_pat",
      "secret.github_fine_grained_pat",
      "secret.github_app_token",
      "secret.github_oauth_token",
      "secret.gitlab_pat",
      "secret.bitbucket_app_password",
      "secret.slack_bot_token",
      "secret.slack_user_token",
      "secret.slack_webhook_url",
      "secret.stripe_live_secret_key",
      "secret.stripe_restricted_key",
      "secret.twilio_auth_token",
      "secret.sendgrid_api_key",
      "secret.mailgun_api_key",
      "secret.openai_api_key",
      "secret.anthropic_api_key",
      "secret.huggingface_token",
      "secret.google_ai_api_key",
      "secret.npm_token",
      "secret.pypi_token",
      "secret.dockerhub_pat",
      "secret.private_key",
      "secret.openssh_private_key",
      "secret.pgp_private_key",
      "secret.jwt",
      "secret.url_credentials",
      "secret.generic_assignment",
    ]) {
      expect(count(kind), kind).toBeGreaterThanOrEqual(2);
    }
  });

  it("is deterministic: building it again yields the same cases", () => {
    const again = buildCorpus();
    expect(again.sensitive).toEqual(sensitiveCases);
    expect(again.benign).toEqual(benignCases);
  });
});

describe("corpus values are valid", () => {
  it("payment cards pass Luhn and start with an issuer's range", () => {
    const issuer = /^(4|5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720)|3[47]|6011|64[4-9]|65|35(2[89]|[3-8]\d)|36|30[0-5]|62)/;
    for (const v of valuesOf("pii.payment_card")) {
      expect(luhnValid(digits(v)), v).toBe(true);
      expect(digits(v), v).toMatch(issuer);
    }
  });

  it("IBANs pass mod-97 with their country's length", () => {
    const lengths: Record<string, number> = {
      DE: 22,
      FR: 27,
      GB: 22,
      NL: 18,
      BE: 16,
      ES: 24,
      IT: 27,
      CH: 21,
      AT: 20,
      PL: 28,
      IE: 22,
      LU: 20,
      PT: 25,
    };
    for (const v of valuesOf("pii.iban")) {
      const s = v.replace(/ /g, "");
      expect(ibanValid(s), v).toBe(true);
      expect(s.length, v).toBe(lengths[s.slice(0, 2)]);
    }
  });

  it("national identifiers carry correct check digits", () => {
    for (const v of valuesOf("pii.nl_bsn")) {
      const d = [...v].map(Number);
      const sum = d.slice(0, 8).reduce((s, x, i) => s + (9 - i) * x, 0) - (d[8] ?? 0);
      expect(sum % 11, v).toBe(0);
    }
    for (const v of valuesOf("pii.fr_nir")) {
      const s = v.replace(/ /g, "");
      const body = s.slice(0, 13).replace("2A", "19").replace("2B", "18");
      expect(97 - mod97(body), v).toBe(Number(s.slice(13)));
    }
    for (const v of valuesOf("pii.be_national_number")) {
      const d = digits(v);
      const check = Number(d.slice(9));
      const ok = 97 - mod97(d.slice(0, 9)) === check || 97 - mod97(`2${d.slice(0, 9)}`) === check;
      expect(ok, v).toBe(true);
    }
    const letters = "TRWAGMYFPDXBNJZSQVHLCKE";
    for (const v of valuesOf("pii.es_dni")) {
      const s = v.replace(/[.-]/g, "");
      expect(letters[Number(s.slice(0, 8)) % 23], v).toBe(s[8]);
    }
    for (const v of valuesOf("pii.es_nie")) {
      const s = v.replace(/-/g, "");
      const n = Number(`${"XYZ".indexOf(s[0] ?? "")}${s.slice(1, 8)}`);
      expect(letters[n % 23], v).toBe(s[8]);
    }
    for (const v of valuesOf("pii.it_codice_fiscale")) {
      expect(v).toMatch(/^[A-Z]{6}\d{2}[ABCDEHLMPRST]\d{2}[A-Z]\d{3}[A-Z]$/);
      expect(cfCheckChar(v.slice(0, 15)), v).toBe(v[15]);
    }
    for (const v of valuesOf("pii.us_ssn")) {
      const d = digits(v);
      expect(d, v).toMatch(/^(?!000|666|9)\d{3}(?!00)\d{2}(?!0000)\d{4}$/);
    }
    for (const v of valuesOf("pii.uk_nino")) {
      const s = v.replace(/ /g, "");
      expect(s, v).toMatch(/^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/);
      expect(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]).not.toContain(s.slice(0, 2));
    }
  });

  it("phone numbers are valid for their numbering plan (libphonenumber)", () => {
    const region = new Map(phonesUsed.map((p) => [p.value, p.region]));
    for (const v of valuesOf("pii.phone")) {
      const r = region.get(v);
      const ok = v.startsWith("+") ? isValidPhoneNumber(v) : r !== undefined && isValidPhoneNumber(v, r as "US");
      expect(ok, v).toBe(true);
    }
  });

  it("benign IBAN- and card-shaped numbers really are invalid", () => {
    const typo = benignCases.find((b) => b.id === "benign/num/iban-typo");
    const iban = typo?.text.match(/NL\d\d(?: ?[A-Z0-9]{4}){3}(?: ?[A-Z0-9]{2})/)?.[0];
    expect(iban && ibanValid(iban)).toBe(false);
    for (const id of ["benign/num/order-number", "benign/num/order-number-plain", "benign/num/invoice-ref"]) {
      const text = benignCases.find((b) => b.id === id)?.text ?? "";
      const numbers = text.match(/\d{4} ?\d{4} ?\d{4} ?\d{4}/g) ?? [];
      expect(numbers.length, id).toBeGreaterThan(0);
      for (const n of numbers) expect(luhnValid(digits(n)), n).toBe(false);
    }
  });
});

/** The standard detector set is written alongside this corpus; load it lazily so the checks above run regardless. */
async function loadScanner(): Promise<(text: string) => Finding[]> {
  const { scan } = await import("../../src/detect/scan");
  const { standardDetectors } = await import("../../src/detect/index");
  return (text) => scan(text, standardDetectors);
}

describe("standard detectors on the corpus", () => {
  it("meet the targets: secrets ≥ 99 %, structured PII ≥ 98 %, benign changed ≤ 1 %", async () => {
    const score = await evaluate(ringfenceTool(await loadScanner()), sensitiveCases, benignCases);
    const changed = score.benign.changedIds.map((id) => `  - ${id}: ${benignCases.find((b) => b.id === id)?.note}`);
    console.log(
      [
        summaryLine(score),
        "",
        kindTable(score),
        "",
        `benign changed (${score.benign.changed}/${score.benign.total}):`,
        ...changed,
      ].join("\n"),
    );
    expect.soft(recall(score, "secret")).toBeGreaterThanOrEqual(0.99);
    expect.soft(recall(score, "pii")).toBeGreaterThanOrEqual(0.98);
    expect.soft(score.benign.changed / score.benign.total).toBeLessThanOrEqual(0.01);
  });
});
