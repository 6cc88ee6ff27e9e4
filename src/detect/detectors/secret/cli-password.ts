// secret.cli_password: passwords given to command-line tools by their short flags, where no "password=" name is
// written: mysql -p'…' / -p…, sshpass -p …, redis-cli -a …, ldapsearch -w …, docker login -p …, sqlcmd -P …,
// mongosh -p …, openssl -passin pass:…, htpasswd -b file user …. The span is the password.
// (--password=… and --password … are generic_assignment's.)
import type { Detector, Finding } from "../../types";
import { eachMatch, secretFinding } from "./shared";
import { literalSecretConfidence } from "./value-shape";

/** The rest of the command line after the command's name, without crossing into the next command. */
const ARGS = "(?=[ \\t])[^\\n|;&]{0,200}?\\s";
const VALUE = `(["']?)([^\\s"']{1,128})\\1(?=[\\s;|&)]|$)`;

const COMMANDS: readonly RegExp[] = [
  // mysql glues the password to -p; "-p" alone (or followed by a space) prompts for it.
  new RegExp(`\\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mariadb|mariadb-dump)${ARGS}-p${VALUE}`, "g"),
  new RegExp(`\\bsshpass[ \\t]+-p[ \\t]*${VALUE}`, "g"),
  new RegExp(`\\bredis-cli${ARGS}-a[ \\t]+${VALUE}`, "g"),
  new RegExp(`\\bldap(?:search|modify|add|delete|passwd|whoami)${ARGS}-w[ \\t]+${VALUE}`, "g"),
  new RegExp(`\\b(?:docker|podman|nerdctl)[ \\t]+login${ARGS}-p[ \\t]+${VALUE}`, "g"),
  new RegExp(`\\bsqlcmd${ARGS}-P[ \\t]*${VALUE}`, "g"),
  new RegExp(`\\bmongo(?:sh|dump|restore|import|export)?${ARGS}-p[ \\t]+${VALUE}`, "g"),
  /-pass(?:in|out)?[ \t]+(["']?)pass:([^\s"']{1,128})\1(?=[\s;|&)]|$)/g,
  // htpasswd -b[c] file user password: -b takes the password from the command line.
  new RegExp(
    `\\bhtpasswd(?=[^\\n]{0,40}?[ \\t]-[a-zA-Z]{0,4}b)(?:[ \\t]+-[a-zA-Z]{1,5}){1,4}[ \\t]+\\S{1,128}[ \\t]+\\S{1,64}[ \\t]+${VALUE}`,
    "g",
  ),
];

export const cliPassword: Detector = {
  id: "cli_password",
  category: "secret",
  keywords: [
    "mysql",
    "mariadb",
    "sshpass",
    "redis-cli",
    "ldap",
    "-pass",
    "docker login",
    "podman login",
    "sqlcmd",
    "mongo",
    "htpasswd",
  ],
  maxLength: 420,
  detect(text) {
    const out: Finding[] = [];
    for (const pattern of COMMANDS) {
      eachMatch(pattern, text, (m) => {
        const password = m[2] ?? "";
        const confidence = literalSecretConfidence(password, 6);
        if (confidence === undefined) return;
        const end = m.index + m[0].length - (m[1] ?? "").length;
        out.push(secretFinding("cli_password", end - password.length, end, confidence));
      });
    }
    return out.sort((a, b) => a.start - b.start);
  },
};
