// The shared denylist: published example keys and placeholder shapes are documentation, not leaks.

/** Example credentials published in vendor documentation and tutorials, compared exactly. */
const KNOWN_EXAMPLES: ReadonlySet<string> = new Set([
  // AWS documentation.
  "AKIAIOSFODNN7EXAMPLE",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
  // jwt.io's default token.
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
  // Stripe documentation test keys.
  "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
  "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
  "sk_test_26PHem9AhJZvU623DfE1x4sd",
  // The Azure storage emulator's (Azurite's) fixed account key, present in every local development config.
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
  // GitHub documentation.
  "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
]);

/** Values people type when they mean "a secret goes here", or that nobody would guard as a secret. */
const WEAK_VALUES: ReadonlySet<string> = new Set(
  (
    "password password1 password123 passw0rd p@ssw0rd p@ssword pass pass123 passwd secret secret123 s3cr3t supersecret " +
    "topsecret test test123 test1234 testing testpass testpassword admin admin123 administrator root toor guest user " +
    "username 123456 1234567 12345678 123456789 1234567890 qwerty letmein welcome default foobar foo bar baz abc123 " +
    "none null nil undefined true false empty hidden masked token apikey api_key mypassword mysecret mytoken " +
    "yourpassword changeme secretkey secret_key demo demo123 sample example dummy"
  ).split(" "),
);

/**
 * Words and shapes that mark a value as a stand-in: "YOUR_API_KEY", "<your-token>", "sk-...", "xxxx", "${TOKEN}",
 * "{{ secret }}", "REPLACE_ME", "insert-key-here". Long enough that a random token contains one by chance only rarely.
 */
const MARKERS =
  /example|sample|dummy|placeholder|redacted|changeme|change[_-]me|changeit|replace[_-]?(?:me|with|this)|insert[_-]?(?:your|here)|your[_-]?(?:api|access|secret|own|token|key|pass|app|client|account|org|project|real)|(?:key|token|secret|password)[_-]?here|not[_-]?a[_-]?real|fake[_-]?(?:key|token|secret)|xxxx|\*\*\*|\.\.\.|…|•••|<[^>]*>|\$\{|\{\{|qwerty|asdfgh/i;

export function isKnownExample(value: string): boolean {
  return KNOWN_EXAMPLES.has(value);
}

/** True when `value` (a whole value, or the random body of a prefixed token) is a placeholder rather than a secret. */
export function isPlaceholder(value: string): boolean {
  if (value.length === 0) return true;
  if (KNOWN_EXAMPLES.has(value) || WEAK_VALUES.has(value.toLowerCase())) return true;
  if (MARKERS.test(value)) return true;
  return lowVariety(value);
}

/**
 * Few distinct symbols, a run of one symbol, a counting run ("abcdef", "987654") or a short unit repeated
 * ("abc123abc123"): what people type by hand, not what a generator emits.
 */
function lowVariety(v: string): boolean {
  const n = v.length;
  if (n >= 4 && fewSymbols(v, 3)) return true;
  let same = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < n; i++) {
    const d = v.charCodeAt(i) - v.charCodeAt(i - 1);
    same = d === 0 ? same + 1 : 1;
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    if (same >= 6 || up >= 6 || down >= 6) return true;
  }
  // A unit repeated: every character equals the one a unit earlier (no copies made; random text fails at once).
  for (let unit = 1; unit <= 12 && unit * 2 <= n; unit++) {
    if (n % unit !== 0) continue;
    let i = unit;
    while (i < n && v.charCodeAt(i) === v.charCodeAt(i - unit)) i++;
    if (i === n) return true;
  }
  return false;
}

/** At most `max` distinct symbols (code points) in `v`; stops at the first one too many. */
function fewSymbols(v: string, max: number): boolean {
  const seen: number[] = [];
  for (const ch of v) {
    const c = ch.codePointAt(0) as number;
    if (seen.includes(c)) continue;
    if (seen.length === max) return false;
    seen.push(c);
  }
  return true;
}
