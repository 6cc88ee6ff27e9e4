// secret.url_credentials: a password in a URL's userinfo (postgres://app:s3cret@db/…, redis://:pw@cache,
// https://user:pw@host). The span is the password only, in every scheme: the user name is an identifier, the host is
// needed to read the text, and redacting just the password is enough to make the URL useless to an attacker.
import { charClassCount } from "../../entropy";
import type { Detector, Finding } from "../../types";
import { isPlaceholder } from "./placeholders";
import { secretFinding } from "./shared";

/**
 * scheme://user:password@ — the user has no ":" or "@"; the password runs to the last "@" before the path (people
 * paste unencoded "@" in passwords), and a host must follow.
 */
const USERINFO = /([A-Za-z][A-Za-z0-9+.-]{1,30}):\/\/([^\s:@/?#"'<>`\\]{0,128}):([^\s/?#"'<>`\\]{1,256})@(?=[A-Za-z0-9[_-])/y;
const MAX_SCHEME = 31;

function isSchemeChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 46 || c === 45;
}

const DATABASE_SCHEMES = new Set(
  (
    "postgres postgresql mysql mariadb mongodb mongodb+srv redis rediss amqp amqps mssql sqlserver oracle " +
    "cockroachdb clickhouse cassandra neo4j couchdb elasticsearch memcached nats kafka ldap ldaps smtp smtps ftp ftps sftp"
  ).split(" "),
);

/** Defaults shipped by images and tutorials: worth a flag, not a redaction. */
const DEFAULT_PASSWORDS = new Set(["postgres", "mysql", "root", "admin", "guest", "redis", "rabbitmq", "mongo", "sa", "user"]);

/** Template slots and variable references ($DB_PASS, ${PW}, %(pw)s, {{pw}}, :password) are not values. */
const REFERENCE = /^(?:\$|%\(|%s$|:|\{)|\$\{|\{\{/;

function schemeBase(scheme: string): string {
  const lower = scheme.toLowerCase();
  // SQLAlchemy-style dialect+driver (postgresql+asyncpg), keeping mongodb+srv whole.
  return lower === "mongodb+srv" ? lower : (lower.split("+")[0] ?? lower);
}

export const urlCredentials: Detector = {
  id: "url_credentials",
  category: "secret",
  keywords: ["://"],
  maxLength: 32 + 3 + 128 + 1 + 256 + 1,
  detect(text) {
    const out: Finding[] = [];
    // Each "://" is expanded back to its scheme, then one sticky match reads the userinfo: no scan of every word.
    for (let at = text.indexOf("://"); at !== -1; at = text.indexOf("://", at + 3)) {
      let s = at;
      while (s > 0 && at - s < MAX_SCHEME && isSchemeChar(text.charCodeAt(s - 1))) s--;
      if (s > 0 && isSchemeChar(text.charCodeAt(s - 1))) continue; // glued to a longer run: not a scheme
      while (s < at && !/[A-Za-z]/.test(text.charAt(s))) s++;
      USERINFO.lastIndex = s;
      const m = USERINFO.exec(text);
      if (!m) continue;
      const scheme = m[1] ?? "";
      const user = m[2] ?? "";
      const password = m[3] ?? "";
      if (password.length < 4 || REFERENCE.test(password) || isPlaceholder(password)) continue;
      if (user.length > 0 && isPlaceholder(user) && /^(?:pass|pwd|secret)/i.test(password)) continue;
      const end = m.index + m[0].length - 1;
      const start = end - password.length;
      let confidence = DATABASE_SCHEMES.has(schemeBase(scheme)) ? 0.9 : 0.85;
      if (password === user || DEFAULT_PASSWORDS.has(password.toLowerCase())) confidence = 0.4;
      else if (password.length < 10 && charClassCount(password) === 1) confidence = 0.6;
      out.push(secretFinding("url_credentials", start, end, confidence));
    }
    return out;
  },
};
