// PII detectors: realistic positives with exact spans, look-alike negatives, and linear time on adversarial input.
import { describe, expect, it } from "vitest";
import { beNationalNumber } from "../../src/detect/detectors/pii/be-national-number";
import { luhnValid, mod97, spanishControlLetter } from "../../src/detect/detectors/pii/checksums";
import { email } from "../../src/detect/detectors/pii/email";
import { esDni } from "../../src/detect/detectors/pii/es-dni";
import { esNie } from "../../src/detect/detectors/pii/es-nie";
import { frNir } from "../../src/detect/detectors/pii/fr-nir";
import { iban } from "../../src/detect/detectors/pii/iban";
import { identifierKinds, identifiers } from "../../src/detect/detectors/pii/identifiers";
import { piiDetectors } from "../../src/detect/detectors/pii/index";
import { ipAddress } from "../../src/detect/detectors/pii/ip-address";
import { itCodiceFiscale } from "../../src/detect/detectors/pii/it-codice-fiscale";
import { nlBsn } from "../../src/detect/detectors/pii/nl-bsn";
import { paymentCard } from "../../src/detect/detectors/pii/payment-card";
import { phone } from "../../src/detect/detectors/pii/phone";
import { ukNino } from "../../src/detect/detectors/pii/uk-nino";
import { usSsn, usSsnLabelled } from "../../src/detect/detectors/pii/us-ssn";
import { scan } from "../../src/detect/scan";
import type { Detector } from "../../src/detect/types";

/** The values a detector reports in `text`, as the substrings its spans cover. */
function values(d: Detector, text: string): string[] {
  return d.detect(text).map((f) => text.slice(f.start, f.end));
}

function confidences(d: Detector, text: string): number[] {
  return d.detect(text).map((f) => f.confidence);
}

// ---- generators: compute check digits so test values are valid (or deliberately broken) like real ones ----

/** Deterministic digits so failures reproduce. */
function digitsFrom(seed: number, n: number): string {
  let s = "";
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += String(Math.floor((x / 2147483648) * 10));
  }
  return s;
}

function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error("unreachable");
}

function card(prefix: string, length: number, seed = 7): string {
  return withLuhn(prefix + digitsFrom(seed, length - prefix.length - 1));
}

/** Same number with its last digit changed: fails Luhn. */
function breakLast(n: string): string {
  const last = Number(n.slice(-1));
  return n.slice(0, -1) + String((last + 1) % 10);
}

function makeIban(country: string, bban: string): string {
  const check = 98 - mod97(`${bban}${country}00`);
  return `${country}${String(check).padStart(2, "0")}${bban}`;
}

function printFormat(compact: string): string {
  return compact.replace(/(.{4})(?=.)/g, "$1 ");
}

function beNumber(yymmdd: string, seq: string, bornAfter2000: boolean): string {
  const body = Number(yymmdd + seq);
  const cc = 97 - ((bornAfter2000 ? 2_000_000_000 + body : body) % 97);
  return `${yymmdd}${seq}${String(cc).padStart(2, "0")}`;
}

function bsn(seed: number): string {
  for (let s = seed; ; s++) {
    const body = digitsFrom(s, 8);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += (9 - i) * Number(body[i]);
    const last = sum % 11;
    if (last <= 9 && body[0] !== "0") return body + last;
  }
}

function nir(thirteen: string, corsica?: "2A" | "2B"): string {
  const n = Number(thirteen) - (corsica === "2A" ? 1_000_000 : corsica === "2B" ? 2_000_000 : 0);
  const key = String(97 - (n % 97)).padStart(2, "0");
  const shown = corsica ? `${thirteen.slice(0, 5)}${corsica}${thirteen.slice(7)}` : thirteen;
  return shown + key;
}

function dni(n: string): string {
  return n + spanishControlLetter(Number(n));
}

const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
function codiceFiscale(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = first15.charCodeAt(i);
    const v = c <= 57 ? c - 48 : c - 65;
    sum += i % 2 === 0 ? CF_ODD[v]! : v;
  }
  return first15 + String.fromCharCode(65 + (sum % 26));
}

// ---------------------------------------------------------------------------------------------------------------

describe("pii.email", () => {
  it("finds addresses in chat, headers, CSV, JSON and mailto links with exact spans", () => {
    expect(values(email, "Hi, reach me at jane.doe+ai@acme-corp.co.uk, thanks!")).toEqual(["jane.doe+ai@acme-corp.co.uk"]);
    expect(values(email, "From: Bob Smith <bob.smith@mail.example.org>")).toEqual(["bob.smith@mail.example.org"]);
    expect(values(email, "id,name,email\n1,Ann,ann_lee@gmail.com\n2,Lu,lu@startup.ai\n")).toEqual([
      "ann_lee@gmail.com",
      "lu@startup.ai",
    ]);
    expect(values(email, '{"user":{"email":"o.brien@company.ie","role":"admin"}}')).toEqual(["o.brien@company.ie"]);
    expect(values(email, '<a href="mailto:sales@shop.de">Write us</a>')).toEqual(["sales@shop.de"]);
    expect(values(email, "Contact: support@acme.com.")).toEqual(["support@acme.com"]);
    expect(values(email, "curl -u j.devries@acme.nl:ATATT3xFfGF0PKF=0ED8 https://x")).toEqual(["j.devries@acme.nl"]);
    expect(values(email, "Author: José Núñez <josé@café.fr>")).toEqual(["josé@café.fr"]);
    expect(values(email, "https://app.example.com/invite?email=kim@corp.io&x=1")).toEqual(["kim@corp.io"]);
  });

  it("reports with high confidence", () => {
    expect(confidences(email, "mail ann@gmail.com")).toEqual([0.95]);
  });

  it("ignores npm scopes, package versions, retina image names, local hosts, SSH remotes and URL userinfo", () => {
    const benign = [
      "npm i -D @types/node @biomejs/biome",
      "pnpm add react@18.2.0 lodash@latest",
      "background: url(logo@2x.png); icon: url(icons/close@3x.webp)",
      "psql -h localhost -U postgres postgres@localhost",
      "git clone git@github.com:acme/api.git",
      "rsync -av dist/ deploy@web1.acme.io:/srv/www/",
      "ssh -T git@gitlab.com",
      "git remote add origin ssh://git@bitbucket.org/team/repo.git",
      "DATABASE_URL=postgres://admin:s3cret@db.internal.net:5432/app",
      "decorators: @Component({selector: 'app'}) and @media (max-width: 600px)",
      "y = A@B.T  # numpy matmul",
      "Follow us @acme on social",
    ];
    for (const text of benign) expect(values(email, text), text).toEqual([]);
  });
});

describe("pii.phone", () => {
  it("finds international numbers in several notations", () => {
    const cases: [string, string][] = [
      ["Call me on +32 470 12 34 56 after 5pm", "+32 470 12 34 56"],
      ["Office: +1 (415) 555-2671", "+1 (415) 555-2671"],
      ["London desk +44 (0)20 7946 0958.", "+44 (0)20 7946 0958"],
      ["whatsapp 0032 470 12 34 56", "0032 470 12 34 56"],
      ['{"phone":"+33612345678"}', "+33612345678"],
      ["tel:+4930123456789", "+4930123456789"],
      ["| Anna | +31 6 12345678 | Utrecht |", "+31 6 12345678"],
      ["Mob.: +34 612 34 56 78", "+34 612 34 56 78"],
      ["Numero: +39 312 345 6789", "+39 312 345 6789"],
      ["Bel (+32) 470 12 34 56", "(+32) 470 12 34 56"],
      ["support +32 470 12 34 56 24/7", "+32 470 12 34 56"],
    ];
    for (const [text, value] of cases) expect(values(phone, text), text).toEqual([value]);
  });

  it("finds national numbers of the default regions when written like phone numbers", () => {
    const cases: [string, string][] = [
      ["Bel me op 0470 12 34 56 morgen", "0470 12 34 56"],
      ["Reach us at (415) 555-2671 between 9 and 5.", "(415) 555-2671"],
      ["US support 415-555-2671 or 415.555.2671", "415-555-2671"],
      ["Standard 020 7946 0958 (switchboard)", "020 7946 0958"],
      ["Appelez le 06 12 34 56 78 svp", "06 12 34 56 78"],
      ["Telefon: 030 12345678", "030 12345678"],
      ["mijn nummer is 06-12345678", "06-12345678"],
      ["Customer,Phone\nLi,1-800-555-0199\n", "1-800-555-0199"],
      ["2024-01-15 0470 12 34 56 called back", "0470 12 34 56"],
      // Spaced separators between every group.
      ["Bel me op 0470 - 12 - 34 - 56 morgen", "0470 - 12 - 34 - 56"],
      ["Call 617 - 888 - 4090 today", "617 - 888 - 4090"],
    ];
    for (const [text, value] of cases) expect(values(phone, text)[0], text).toBe(value);
    expect(values(phone, "US support 415-555-2671 or 415.555.2671")).toEqual(["415-555-2671", "415.555.2671"]);
  });

  it("accepts a bare national digit run only after a phone keyword", () => {
    expect(values(phone, "phone: 4155552671")).toEqual(["4155552671"]);
    expect(values(phone, "GSM 0470123456")).toEqual(["0470123456"]);
    expect(confidences(phone, "phone: 4155552671")).toEqual([0.8]);
    expect(values(phone, "order 4155552671 shipped")).toEqual([]);
    expect(values(phone, "order number 4155552671")).toEqual([]);
    expect(values(phone, "hotel 4155552671")).toEqual([]);
    expect(values(phone, "id=0470123456")).toEqual([]);
  });

  it("rejects dates, times, versions, IPs, ISBNs, ids, prices, maths and invalid numbers", () => {
    const benign = [
      "released 2024-01-15 and patched 15/01/2024",
      "2024-01-15 10:30:00 INFO started",
      "BTW BE 0583.504.488 · RPR Gent",
      "is NL02 ABNA 7474 9840 16 right?",
      "ts=2024-01-15T10:30:00.123Z",
      "version 10.0.19045.2965",
      "Chrome/120.0.6099.109 Safari/537.36",
      "server at 192.168.100.200 responded",
      "ISBN 978-3-16-148410-0",
      "ISBN: 9783161484100",
      "Order #4155552671 confirmed",
      "invoice INV-2024-000123456",
      "price $1 234 567 or €4 155 552 671",
      "1 2 3 4 5 6 7 8 9",
      "3 + 4 = 7 and 12 * 34 = 408",
      "id 550e8400-e29b-41d4-a716-446655440000",
      "sha 3f786850e387550fdab836ed7e6dc881de23001b",
      "+1 555 123 4567 is a fake number",
      "(123) 456-7890",
      "coordinates 50.8503, 4.3517",
      "epoch 1700000000123 ms",
      "SSN 123-45-6789",
      "card 4111 1111 1111 1111",
      "between 2019 2020 2021 revenue grew",
      "width 1920x1080 px",
      "3.14159265358979",
      "1,234,567,890 rows",
      "// Prints: <Buffer a0 8b 28 3f 01 00 00 00 50 32>",
      "// Prints: <Buffer 01 02 03 04> and <Buffer 02 01 04 03 06 05 08 07>",
      "y.div(3) // 0.333333333",
      "0.2.26 / 02.01.2017\n=====",
      "8 (800) 555-35-35 is written the Russian way",
    ];
    for (const text of benign) expect(values(phone, text), text).toEqual([]);
  });
});

describe("pii.payment_card", () => {
  const visa = card("4", 16, 1);
  const mc = card("53", 16, 2);
  const mc2 = card("2221", 16, 3);
  const amex = card("37", 15, 4);
  const discover = card("6011", 16, 5);
  const jcb = card("3530", 16, 6);
  const diners = card("305", 14, 7);
  const unionpay = card("62", 19, 8);
  const maestro = card("6759", 18, 9);

  it("finds every issuer, bare and grouped, with exact spans", () => {
    const all = [visa, mc, mc2, amex, discover, jcb, diners, unionpay, maestro];
    for (const n of all) expect(values(paymentCard, `card: ${n}, exp 12/27`), n).toEqual([n]);
    const grouped = visa.replace(/(\d{4})(?=\d)/g, "$1 ");
    expect(values(paymentCard, `Card number: ${grouped} exp 05/27 cvv 123`)).toEqual([grouped]);
    const dashed = visa.replace(/(\d{4})(?=\d)/g, "$1-");
    expect(values(paymentCard, `"pan":"${dashed}"`)).toEqual([dashed]);
    const amex465 = `${amex.slice(0, 4)} ${amex.slice(4, 10)} ${amex.slice(10)}`;
    expect(values(paymentCard, `AMEX ${amex465}`)).toEqual([amex465]);
    const diners464 = `${diners.slice(0, 4)} ${diners.slice(4, 10)} ${diners.slice(10)}`;
    expect(values(paymentCard, `Diners ${diners464}`)).toEqual([diners464]);
    expect(values(paymentCard, "Stripe test card 4242 4242 4242 4242 works")).toEqual(["4242 4242 4242 4242"]);
    expect(values(paymentCard, `| Visa | ${visa} 05 |`)).toEqual([visa]);
  });

  it("is more confident for grouped numbers than bare ones", () => {
    const grouped = visa.replace(/(\d{4})(?=\d)/g, "$1 ");
    expect(confidences(paymentCard, grouped)).toEqual([0.95]);
    expect(confidences(paymentCard, visa)).toEqual([0.9]);
  });

  it("rejects Luhn failures, Luhn-valid numbers outside issuer ranges, wrong lengths and mixed separators", () => {
    const benign = [
      `order ${breakLast(visa)} placed`,
      `ref ${breakLast(amex)}`,
      `id ${card("1", 16, 11)}`, // Luhn-valid, no issuer starts with 1
      `IMEI ${card("35", 15, 12)}`, // Luhn-valid 15 digits, but 35xx is not an Amex prefix
      `${card("9", 16, 13)}`,
      `${card("4", 15, 14)}`, // Visa has no 15-digit numbers
      `${card("37", 16, 15)}`, // Amex is 15 digits
      `${visa.slice(0, 4)} ${visa.slice(4, 8)}-${visa.slice(8, 12)} ${visa.slice(12)}`,
      `tracking 1Z999AA10123456784`,
      `ts 1700000000000 and 17000000000000000000`,
      `${visa}0123`, // 20 digits: part of a longer id
      `abc${visa}`,
      "uuid 550e8400-e29b-41d4-a716-446655440000",
      "price 4111.11 and 5,555,555,555,554,444",
    ];
    for (const text of benign) expect(values(paymentCard, text), text).toEqual([]);
  });
});

describe("pii.iban", () => {
  const samples = [
    makeIban("BE", "539007547034"),
    makeIban("DE", "370400440532013000"),
    makeIban("NL", "ABNA0417164300"),
    makeIban("GB", "WEST12345698765432"),
    makeIban("FR", "20041010050500013M02606"),
    makeIban("CH", "00762011623852957"),
    makeIban("NO", "86011117947"),
    makeIban("MT", "MALT011000012345MTLCAST001S"),
    makeIban("ES", "21000418450200051332"),
    makeIban("IT", "X0542811101000000123456"),
  ];

  it("finds compact and print-format IBANs across countries with exact spans", () => {
    for (const compact of samples) {
      expect(values(iban, `IBAN: ${compact}.`), compact).toEqual([compact]);
      const printed = printFormat(compact);
      expect(values(iban, `Please transfer to ${printed} BIC GEBABEBB`), printed).toEqual([printed]);
    }
    expect(values(iban, "IBAN BE68 5390 0754 7034, BIC GKCCBEBB")).toEqual(["BE68 5390 0754 7034"]);
    // Examples from the SWIFT IBAN registry, to hold the length table to the source.
    for (const registryExample of [
      "GB29 NWBK 6016 1331 9268 19",
      "DE89 3704 0044 0532 0130 00",
      "NL91 ABNA 0417 1643 00",
      "FR14 2004 1010 0505 0001 3M02 606",
      "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
      "NO93 8601 1117 947",
      "CH93 0076 2011 6238 5295 7",
      "PL61 1090 1014 0000 0712 1981 2874",
      "SE45 5000 0000 0583 9825 7466",
      "LI21 0881 0000 2324 013A A",
    ]) {
      expect(values(iban, `to ${registryExample} ok`)).toEqual([registryExample]);
    }
    expect(values(iban, '{"iban":"de89370400440532013000"}')).toEqual(["de89370400440532013000"]);
  });

  it("rejects wrong check digits, wrong lengths, unknown countries and look-alikes", () => {
    const be = samples[0]!;
    const benign = [
      `IBAN ${be.slice(0, 2)}${be[2] === "9" ? "0" : "9"}${be.slice(3)}`,
      `IBAN ${be.slice(0, -1)}${(Number(be.slice(-1)) + 1) % 10}`,
      `IBAN ${be}0`,
      `IBAN ${be.slice(0, -1)}`,
      `IBAN ${makeIban("QQ", "539007547034")}`,
      "sku AB12CDEF3456GH",
      "tx id BE6853900754703X",
      "hash de89370400440532013000ffab",
    ];
    for (const text of benign) expect(values(iban, text), text).toEqual([]);
  });
});

describe("pii.us_ssn", () => {
  it("finds dashed SSNs anywhere, more confidently after a label", () => {
    expect(values(usSsn, "Employee SSN: 536-90-4399, DOB 1980-02-01")).toEqual(["536-90-4399"]);
    expect(values(usSsn, "name,ssn\nJo,078-12-3456\n")).toEqual(["078-12-3456"]);
    expect(values(usSsn, "applicant 536-90-4399 approved")).toEqual(["536-90-4399"]);
    expect(confidences(usSsn, "SSN: 536-90-4399")).toEqual([0.9]);
    expect(confidences(usSsn, "id 536-90-4399")).toEqual([0.85]);
  });

  it("finds bare and spaced SSNs only right after an SSN label, and only runs when a label is present", () => {
    expect(values(usSsnLabelled, "Social Security Number 536904399")).toEqual(["536904399"]);
    expect(values(usSsnLabelled, "SSN: 536 90 4399")).toEqual(["536 90 4399"]);
    expect(confidences(usSsnLabelled, "ssn 536904399")).toEqual([0.8]);
    expect(values(usSsnLabelled, `SSN on file. ${"Lorem ipsum dolor sit amet. ".repeat(3)}Order 536904399`)).toEqual([]);
    // Every spelling the label pattern accepts is a prefilter keyword, so the scanner never skips a labelled text.
    for (const label of ["SSN", "SS#", "Social Security", "soc sec", "Soc. Sec", "socsec"]) {
      expect(values(usSsnLabelled, `${label} 536904399`), label).toEqual(["536904399"]);
      expect(
        usSsnLabelled.keywords.some((k) => label.toLowerCase().includes(k)),
        label,
      ).toBe(true);
    }
  });

  it("rejects never-issued ranges, unlabelled bare numbers and other dashed shapes", () => {
    const benign = [
      "SSN 000-12-3456",
      "SSN 666-12-3456",
      "SSN 912-34-5678",
      "SSN 123-00-4567",
      "SSN 123-45-0000",
      "phone 555-123-4567",
      "date 2024-01-15",
      "part 1536-90-43991",
      "uuid 123e4567-e89b-12d3-a456-426614174000",
    ];
    for (const text of benign) {
      expect(values(usSsn, text), text).toEqual([]);
      expect(values(usSsnLabelled, text), text).toEqual([]);
    }
    expect(values(usSsnLabelled, "order 536904399")).toEqual([]);
    expect(values(usSsnLabelled, "SSN 666904399 / 536904399001")).toEqual([]);
  });
});

describe("pii.uk_nino", () => {
  it("finds NINOs compact and spaced", () => {
    expect(values(ukNino, "NI number: AB 12 34 56 C")).toEqual(["AB 12 34 56 C"]);
    expect(values(ukNino, "employee,nino\nSmith,JG103759A\n")).toEqual(["JG103759A"]);
    expect(confidences(ukNino, "National Insurance AB123456C")).toEqual([0.95]);
    expect(confidences(ukNino, "ref AB123456C")).toEqual([0.85]);
  });

  it("rejects excluded prefixes and suffixes, HMRC's sample and longer tokens", () => {
    const benign = [
      "QQ123456C",
      "DA123456A",
      "AO123456A",
      "GB123456A",
      "ZZ123456D",
      "AB123456E",
      "XAB123456C",
      "AB1234567C",
      "ab123456c",
    ];
    for (const text of benign) expect(values(ukNino, text), text).toEqual([]);
  });
});

describe("pii.be_national_number", () => {
  const before2000 = beNumber("850730", "033", false);
  const after2000 = beNumber("050415", "128", true);
  const fmt = (n: string) => `${n.slice(0, 2)}.${n.slice(2, 4)}.${n.slice(4, 6)}-${n.slice(6, 9)}.${n.slice(9)}`;

  it("finds formatted and bare numbers, including the 2000+ rule", () => {
    expect(values(beNationalNumber, `Rijksregisternummer: ${fmt(before2000)}`)).toEqual([fmt(before2000)]);
    expect(values(beNationalNumber, `NN ${fmt(after2000)} (kind)`)).toEqual([fmt(after2000)]);
    expect(values(beNationalNumber, `"niss": "${before2000}"`)).toEqual([before2000]);
    expect(confidences(beNationalNumber, fmt(before2000))).toEqual([0.95]);
    expect(confidences(beNationalNumber, before2000)).toEqual([0.9]);
  });

  it("rejects wrong checks and impossible dates", () => {
    const wrong = `${before2000.slice(0, 9)}${String((Number(before2000.slice(9)) % 96) + 1).padStart(2, "0")}`;
    const benign = [fmt(wrong), wrong, beNumber("851330", "033", false), beNumber("850732", "033", false), "12345678901"];
    for (const text of benign) expect(values(beNationalNumber, text), text).toEqual([]);
  });
});

describe("pii.nl_bsn", () => {
  const valid = bsn(42);

  it("finds an 11-proof number after a BSN label", () => {
    expect(values(nlBsn, `BSN: ${valid}`)).toEqual([valid]);
    expect(values(nlBsn, `Burgerservicenummer van de klant is ${valid}.`)).toEqual([valid]);
    const dotted = `${valid.slice(0, 4)}.${valid.slice(4, 6)}.${valid.slice(6)}`;
    expect(values(nlBsn, `sofinummer ${dotted}`)).toEqual([dotted]);
    expect(confidences(nlBsn, `bsn ${valid}`)).toEqual([0.85]);
  });

  it("rejects numbers failing the 11-proof and numbers without the label", () => {
    expect(values(nlBsn, `BSN: ${breakLast(valid)}`)).toEqual([]);
    expect(values(nlBsn, `order ${valid}`)).toEqual([]);
    expect(values(nlBsn, `BSN: see file. ${"x".repeat(80)} ${valid}`)).toEqual([]);
    expect(nlBsn.keywords).toContain("bsn");
  });
});

describe("pii.fr_nir", () => {
  const mainland = nir("1850578006084");
  const corsica = nir("2900720001123", "2A");
  const corsicaB = nir("1760520001234", "2B");

  it("finds bare and spaced NIRs, including Corsica 2A/2B", () => {
    expect(values(frNir, `Numéro de sécurité sociale : ${mainland}`)).toEqual([mainland]);
    const spaced = `${mainland[0]} ${mainland.slice(1, 3)} ${mainland.slice(3, 5)} ${mainland.slice(5, 7)} ${mainland.slice(7, 10)} ${mainland.slice(10, 13)} ${mainland.slice(13)}`;
    expect(values(frNir, `Carte Vitale: ${spaced}`)).toEqual([spaced]);
    expect(values(frNir, `nir=${corsica}`)).toEqual([corsica]);
    expect(values(frNir, `NIR ${corsicaB}`)).toEqual([corsicaB]);
    expect(corsica.slice(5, 7)).toBe("2A");
    expect(confidences(frNir, spaced)).toEqual([0.95]);
  });

  it("rejects wrong keys, impossible months and Corsica codes checked as plain digits", () => {
    const wrongKey = `${mainland.slice(0, 13)}${String((Number(mainland.slice(13)) % 96) + 1).padStart(2, "0")}`;
    const asDigits = nir("2900720001123");
    const corsicaAsDigits = `${asDigits.slice(0, 5)}2A${asDigits.slice(7)}`;
    const benign = [wrongKey, nir("1851378006084"), corsicaAsDigits, `9${mainland.slice(1)}`, "123456789012345"];
    for (const text of benign) expect(values(frNir, text), text).toEqual([]);
  });
});

describe("pii.es_dni / pii.es_nie", () => {
  it("finds DNIs with their control letter", () => {
    expect(values(esDni, "DNI: 12345678Z")).toEqual(["12345678Z"]);
    const d = dni("48392017");
    expect(values(esDni, `nombre,dni\nLucía,${d}\n`)).toEqual([d]);
    const dotted = `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}-${d.slice(8)}`;
    expect(values(esDni, `D.N.I. ${dotted}`)).toEqual([dotted]);
    expect(confidences(esDni, "12345678Z")).toEqual([0.9]);
  });

  it("finds NIEs for X, Y and Z prefixes", () => {
    expect(values(esNie, "NIE X1234567L")).toEqual(["X1234567L"]);
    const y = `Y${"7654321"}${spanishControlLetter(17654321)}`;
    const z = `Z${"0011223"}${spanishControlLetter(20011223)}`;
    expect(values(esNie, `permiso ${y}; conyuge ${z}`)).toEqual([y, z]);
    expect(values(esNie, "NIE: X-1234567-L")).toEqual(["X-1234567-L"]);
  });

  it("rejects wrong letters and glued tokens", () => {
    for (const text of ["12345678A", "DNI 12345678z", "a12345678Z", "123456789Z", "hash 12345678Zf"]) {
      expect(values(esDni, text), text).toEqual([]);
    }
    for (const text of ["X1234567A", "W1234567L", "X12345678L", "AX1234567L"]) {
      expect(values(esNie, text), text).toEqual([]);
    }
  });
});

describe("pii.it_codice_fiscale", () => {
  const rossi = codiceFiscale("RSSMRA85T10A562");
  const omocode = codiceFiscale("RSSMRA85T10A56N"); // last digit of the municipality 2 → N
  const omocode2 = codiceFiscale("RSSMRA85T10A5NN"); // and the one before it 6 → N
  const woman = codiceFiscale("BNCLRA92E52F205");

  it("finds codes, including omocodia and women's day offset", () => {
    expect(rossi).toBe("RSSMRA85T10A562S");
    expect(values(itCodiceFiscale, `Codice fiscale: ${rossi}`)).toEqual([rossi]);
    expect(values(itCodiceFiscale, `{"cf":"${omocode}"}`)).toEqual([omocode]);
    expect(values(itCodiceFiscale, `CF ${omocode2}`)).toEqual([omocode2]);
    expect(values(itCodiceFiscale, `| Laura Bianchi | ${woman} |`)).toEqual([woman]);
  });

  it("rejects a wrong check letter, impossible days and lower-case words", () => {
    const wrong = `${rossi.slice(0, 15)}${rossi.endsWith("A") ? "B" : "A"}`;
    const benign = [wrong, codiceFiscale("RSSMRA85T35A562"), rossi.toLowerCase(), `X${rossi}`, "ABCDEFGHIJKLMNOP"];
    for (const text of benign) expect(values(itCodiceFiscale, text), text).toEqual([]);
  });
});

describe("pii.ip_address", () => {
  it("finds IPv4 addresses in logs, URLs and configs, private ones with lower confidence", () => {
    expect(values(ipAddress, "GET / from 81.82.83.84 - 200")).toEqual(["81.82.83.84"]);
    expect(values(ipAddress, "ssh root@51.15.200.7")).toEqual(["51.15.200.7"]);
    expect(values(ipAddress, "curl http://10.0.12.7:8080/health")).toEqual(["10.0.12.7"]);
    expect(values(ipAddress, '{"host":"172.20.3.4","port":5432}')).toEqual(["172.20.3.4"]);
    expect(confidences(ipAddress, "peer 81.82.83.84")).toEqual([0.6]);
    expect(confidences(ipAddress, "peer 192.168.1.20")).toEqual([0.5]);
  });

  it("finds IPv6 addresses, full, compressed and IPv4-mapped", () => {
    expect(values(ipAddress, "addr 2a00:1450:4001:0830:0000:0000:0000:200e up")).toEqual([
      "2a00:1450:4001:0830:0000:0000:0000:200e",
    ]);
    expect(values(ipAddress, "listen [2606:4700:4700::1111]:443")).toEqual(["2606:4700:4700::1111"]);
    expect(values(ipAddress, "route via fe80::1ff:fe23:4567:890a%eth0")).toEqual(["fe80::1ff:fe23:4567:890a"]);
    expect(confidences(ipAddress, "route via fe80::1ff:fe23:4567:890a")).toEqual([0.5]);
    expect(values(ipAddress, "client ::ffff:81.2.69.160 connected")).toContain("::ffff:81.2.69.160");
    // Full addresses whose groups mix letters and digits, with no two digit pairs around any colon.
    expect(values(ipAddress, "the VM's IPv6 is 2406:da18:c6c3:bf73:6f1f:e320:9ad3:f6a2, ping6 works")).toEqual([
      "2406:da18:c6c3:bf73:6f1f:e320:9ad3:f6a2",
    ]);
    expect(values(ipAddress, "AAAA\t2a01:4f8:fc34:fc6:2abb:61d4:8cb8:42f7\n")).toEqual(["2a01:4f8:fc34:fc6:2abb:61d4:8cb8:42f7"]);
    expect(values(ipAddress, "[2a01:4f8::1]:443 and fe80::1%eth0")).toEqual(["2a01:4f8::1", "fe80::1"]);
  });

  it("ignores versions, loopback, unspecified, masks, OIDs, times, MACs, code paths and slices", () => {
    const benign = [
      "version 1.2.3.4",
      "pip install foo==1.2.3.4",
      "v1.2.3.4 released",
      "bind 0.0.0.0:8080 and 127.0.0.1",
      "netmask 255.255.255.0",
      "OID 1.3.6.1.4.1.2021",
      "the ed448 curve (OID 1.3.101.113)",
      "y-coordinate (RFC 7518, Section 6.2.1.3)",
      "999.1.1.1 and 01.02.03.04",
      "at 10:30:00 and 2024-01-15T10:30:00Z",
      "mac 00:1a:2b:3c:4d:5e",
      "fingerprint 16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48",
      "std::vector<int> a::b; Foo::Bar",
      "xs[1::2] and arr[::2]",
      "listen [::]:80 and [::1]:3000",
      "netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00' and prefix ffff:ffff:ffff:ffff::",
      "uuid 550e8400-e29b-41d4-a716-446655440000",
      '[assembly: AssemblyVersion("2.1.0.0")]',
      "docs: allow 192.0.2.10; deny 198.51.100.0/24; 203.0.113.9; 2001:db8::1; ::ffff:192.0.2.1",
    ];
    for (const text of benign) expect(values(ipAddress, text), text).toEqual([]);
    // Single-digit quads are kept, but below the 0.5 that lets policy act on them.
    expect(confidences(ipAddress, "see also 4.2.1.4")).toEqual([0.4]);
  });
});

describe("the PII detector set", () => {
  it("exports every PII detector once, with pii kinds, bounded windows and unique ids", () => {
    const ids = piiDetectors.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The identifier kinds share one pass (the "identifiers" detector); the labelled formats run near their labels.
    expect(ids.sort()).toEqual(["email", "identifiers", "nl_bsn", "us_ssn_labelled"]);
    expect(identifierKinds.map((k) => k.kind).sort()).toEqual(
      [
        "pii.be_national_number",
        "pii.es_dni",
        "pii.es_nie",
        "pii.fr_nir",
        "pii.iban",
        "pii.ip_address",
        "pii.it_codice_fiscale",
        "pii.payment_card",
        "pii.phone",
        "pii.uk_nino",
        "pii.us_ssn",
      ].sort(),
    );
    for (const k of identifierKinds) expect(identifiers.maxLength).toBeGreaterThanOrEqual(k.maxLength);
    for (const d of piiDetectors) {
      expect(d.category).toBe("pii");
      expect(Number.isFinite(d.maxLength) && d.maxLength > 0).toBe(true);
      for (const k of d.keywords) expect(k).toBe(k.toLowerCase());
    }
  });

  it("reports in the shared pass exactly what each kind reports alone", () => {
    const single: Detector[] = [
      phone,
      paymentCard,
      iban,
      usSsn,
      ukNino,
      beNationalNumber,
      frNir,
      esDni,
      esNie,
      itCodiceFiscale,
      ipAddress,
    ];
    const visa = card("4", 16, 31);
    const text = [
      `Jan (tel. +32 470 12 34 56, 0470 12 34 56) paid with ${visa.replace(/(\d{4})(?=\d)/g, "$1 ")} from BE68 5390 0754 7034.`,
      `RRN ${beNumber("850730", "033", false)}, NIR ${nir("1850578006084")}, NINO AB 12 34 56 C, SSN 536-90-4399.`,
      `DNI ${dni("48392017")}, NIE X-1234567-L, CF ${codiceFiscale("RSSMRA85T10A562")}, host 81.82.83.84 / 2606:4700:4700::1111.`,
      '{"time":1718086942349,"reqId":"3f786850-e387-4550-8a1b-1de23001b3f7","path":"/api/v2/orders/12345","ms":12.3}',
      "2024-01-15 10:30:00 v8.8.8 ISBN 978-3-16-148410-0 ts=1700000000123 0.0.0.0:8080 std::vector",
    ].join("\n");
    const together = identifiers.detect(text);
    for (const d of single) {
      const alone = d.detect(text);
      expect(alone.length, d.id).toBeGreaterThan(0);
      expect(
        together.filter((f) => f.kind === `pii.${d.id}`),
        d.id,
      ).toEqual(alone);
    }
  });

  it("through the scanner, finds each value of a realistic support message once, with its kind", () => {
    const visa = card("4", 16, 21).replace(/(\d{4})(?=\d)/g, "$1 ");
    const rrn = beNumber("850730", "033", false);
    const rrnShown = `${rrn.slice(0, 2)}.${rrn.slice(2, 4)}.${rrn.slice(4, 6)}-${rrn.slice(6, 9)}.${rrn.slice(9)}`;
    const text = [
      "Hi, this is Jan Peeters (jan.peeters@telenet.be, tel. +32 470 12 34 56).",
      `My card ${visa} was charged twice; refund to IBAN BE68 5390 0754 7034 please.`,
      `Rijksregisternummer ${rrnShown}. Logged in from 81.82.83.84 yesterday.`,
    ].join("\n");
    const found = scan(text, piiDetectors).map((f) => [f.kind, text.slice(f.start, f.end)]);
    expect(found).toEqual([
      ["pii.email", "jan.peeters@telenet.be"],
      ["pii.phone", "+32 470 12 34 56"],
      ["pii.payment_card", visa],
      ["pii.iban", "BE68 5390 0754 7034"],
      ["pii.be_national_number", rrnShown],
      ["pii.ip_address", "81.82.83.84"],
    ]);
  });

  it("finds nothing in a benign developer conversation full of look-alikes", () => {
    const text = [
      "Fixed in v2.14.1 (build 20240115.3). Commit 3f786850e387550fdab836ed7e6dc881de23001b.",
      "Request id 550e8400-e29b-41d4-a716-446655440000 took 1234 ms at 2024-01-15T10:30:00Z.",
      "Order #100234 total $1,299.99 (SKU AB-1234-XY), qty 3, tax 21%.",
      "npm i @types/node@22.10.1 && docker run -p 8080:80 nginx:1.27",
      "Coordinates 50.8503, 4.3517; pi = 3.14159265358979; e = 2.718281828",
      "for (let i = 0; i < 1000000; i++) sum += i * 31 % 7;",
      "listen 0.0.0.0:3000, localhost:5173, std::string s; xs[::2]",
      "ISBN 978-3-16-148410-0, page 123-456, chapter 12.3.4",
      "epoch 1700000000, ms 1700000000123, nanos 1700000000123456789",
      "See RFC 7231 section 6.5.1 and ISO 8601:2004.",
    ].join("\n");
    for (const d of piiDetectors) expect(values(d, text), d.id).toEqual([]);
  });

  it("stays linear on 1 MB of digit-heavy adversarial input", () => {
    const inputs = [
      "1".repeat(1 << 20),
      "1 ".repeat(1 << 19),
      "12-".repeat(1 << 18),
      "1.".repeat(1 << 19),
      "ab:".repeat(1 << 18),
      "a@".repeat(1 << 19),
      "a.b@c".repeat(1 << 18),
      "BE68 ".repeat(1 << 18),
      "AB12".repeat(1 << 18),
      "+(1) ".repeat(1 << 18),
      digitsFrom(99, 1 << 20).replace(/(\d{3})/g, "$1 -./(:"),
    ];
    for (const input of inputs) {
      for (const d of piiDetectors) {
        const t0 = performance.now();
        d.detect(input);
        // Generous: a linear pass takes milliseconds; catastrophic backtracking takes minutes.
        expect(performance.now() - t0, `${d.id} on ${JSON.stringify(input.slice(0, 12))}`).toBeLessThan(3000);
      }
    }
  });
});
