// secret.jwt: JSON Web Tokens (JWS compact form): three base64url parts whose header decodes to a JSON object naming
// "alg" and whose payload decodes to a JSON object. Unsigned tokens and jwt.io's sample are not findings.
import type { Detector, Finding } from "../../types";
import { isKnownExample, isPlaceholder } from "./placeholders";
import { decodeBase64, eachMatch, secretFinding } from "./shared";

const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,1500}\.eyJ[A-Za-z0-9_-]{10,8000}\.[A-Za-z0-9_-]{16,1500}(?![A-Za-z0-9_-])/g;

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
  const raw = decodeBase64(part);
  if (raw === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const jwt: Detector = {
  id: "jwt",
  category: "secret",
  keywords: ["eyj"],
  maxLength: 11_010,
  detect(text) {
    const out: Finding[] = [];
    eachMatch(JWT, text, (m) => {
      const token = m[0];
      if (isKnownExample(token)) return;
      const [header, payload, signature] = token.split(".");
      if (!header || !payload || !signature || isPlaceholder(signature)) return;
      const h = decodeJsonObject(header);
      if (typeof h?.alg !== "string" || h.alg.toLowerCase() === "none") return;
      if (!decodeJsonObject(payload)) return;
      out.push(secretFinding("jwt", m.index, m.index + token.length, 0.9));
    });
    return out;
  },
};
