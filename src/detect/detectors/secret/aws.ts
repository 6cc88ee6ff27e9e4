// AWS credentials: access key ids (AKIA long-term, ASIA temporary, ABIA/ACCA), session tokens, and secret access keys,
// which have no prefix and so are reported only in context: named (aws_secret_access_key = …, "SecretAccessKey": …,
// `aws configure` prompts) or right after an access key id (credentials CSV, SDK constructor calls).
import { charClassCount, shannonEntropy } from "../../entropy";
import type { Detector, Finding } from "../../types";
import { isPlaceholder } from "./placeholders";
import { eachMatch, secretFinding, tokenFamily } from "./shared";

export const awsAccessKeyId = tokenFamily({
  id: "aws_access_key_id",
  keywords: ["akia", "asia", "abia", "acca"],
  maxLength: 20,
  formats: [
    // 16 base32 characters after the 4-letter type prefix.
    { kind: "aws_access_key_id", source: "A(?:KIA|SIA)[A-Z2-7]{16}", prefix: 4, confidence: 0.95 },
    { kind: "aws_access_key_id", source: "A(?:BIA|CCA)[A-Z2-7]{16}", prefix: 4, confidence: 0.85 },
  ],
});

export const awsSessionToken = tokenFamily({
  id: "aws_session_token",
  // base64 of the token's fixed header, for current (IQoJ…) and older (FwoG…) STS tokens.
  keywords: ["iqojb3jpz2lux2vj", "fwogzxivyxdz"],
  maxLength: 2100,
  formats: [
    {
      kind: "aws_session_token",
      source: "(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz)[A-Za-z0-9/+]{100,2000}={0,2}",
      prefix: 16,
      confidence: 0.92,
    },
  ],
  edge: "A-Za-z0-9/+=",
});

const SECRET_LENGTH = 40;
const NAMED = /(?:aws)?[_.\- ]?secret[_.\- ]?(?:access)?[_.\- ]?key/gi;
/** After the name: a closing quote, an optional `[None]` prompt default, an operator (or none), an opening quote. */
const NAMED_VALUE = /["'\]]?[ \t]*(?:\[[^\]\n]{0,20}\][ \t]*)?(?:=>|:=|[:=,])?[ \t]*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/y;
const KEY_ID = /(?<![A-Za-z0-9])A(?:KIA|SIA)[A-Z2-7]{16}(?![A-Za-z0-9])/g;
const CANDIDATE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** How far after an access key id its secret may sit (a CSV row, an SDK call's next argument). */
const PAIR_WINDOW = 200;

/** A generated secret is long-run random base64: three classes, high entropy; a git SHA (hex only) is not. */
function looksLikeSecretKey(value: string): boolean {
  return !isPlaceholder(value) && charClassCount(value) >= 3 && shannonEntropy(value) >= 3.8;
}

export const awsSecretAccessKey: Detector = {
  id: "aws_secret_access_key",
  category: "secret",
  keywords: ["aws", "secretaccesskey", "secret_access_key", "secret-access-key", "secret access key", "akia", "asia"],
  maxLength: PAIR_WINDOW + SECRET_LENGTH + 20,
  detect(text) {
    const out: Finding[] = [];
    const seen = new Set<number>();
    const report = (start: number, confidence: number): void => {
      if (seen.has(start)) return;
      seen.add(start);
      out.push(secretFinding("aws_secret_access_key", start, start + SECRET_LENGTH, confidence));
    };
    eachMatch(NAMED, text, (m) => {
      NAMED_VALUE.lastIndex = m.index + m[0].length;
      const v = NAMED_VALUE.exec(text);
      if (v?.[1] && looksLikeSecretKey(v[1])) report(v.index + v[0].length - SECRET_LENGTH, 0.9);
    });
    eachMatch(KEY_ID, text, (m) => {
      const from = m.index + m[0].length;
      const window = text.slice(from, from + PAIR_WINDOW + SECRET_LENGTH);
      CANDIDATE.lastIndex = 0;
      for (let c = CANDIDATE.exec(window); c !== null && c.index <= PAIR_WINDOW; c = CANDIDATE.exec(window)) {
        if (looksLikeSecretKey(c[0])) {
          report(from + c.index, 0.8);
          break;
        }
      }
    });
    return out.sort((a, b) => a.start - b.start);
  },
};
