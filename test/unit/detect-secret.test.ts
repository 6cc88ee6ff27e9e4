import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { secretDetectors } from "../../src/detect/detectors/secret";
import { isPlaceholder } from "../../src/detect/detectors/secret/placeholders";
import { charClassCount, shannonEntropy } from "../../src/detect/entropy";
import { compile, scan, selectDetectors } from "../../src/detect/scan";
import type { Finding } from "../../src/detect/types";

// ---------------------------------------------------------------------------------------------------------------
// Fake credentials: random (seeded, so failures reproduce) but shaped exactly like the real thing. None is real.

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20240611);
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = UPPER + LOWER + DIGITS;
const pick = (chars: string, n: number): string => {
  let s = "";
  for (let i = 0; i < n; i++) s += chars.charAt(Math.floor(random() * chars.length));
  return s;
};
const alnum = (n: number) => pick(ALNUM, n);
const letters = (n: number) => pick(UPPER + LOWER, n);
const lowerAlnum = (n: number) => pick(LOWER + DIGITS, n);
const upperAlnum = (n: number) => pick(UPPER + DIGITS, n);
const hex = (n: number) => pick("0123456789abcdef", n);
const digits = (n: number) => pick("123456789", 1) + pick(DIGITS, n - 1);
const urlsafe = (n: number) => alnum(1) + pick(`${ALNUM}_-`, n - 2) + alnum(1);
const b64 = (n: number) => pick(`${ALNUM}+/`, n);
const base32 = (n: number) => pick(`${UPPER}234567`, n);
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const toBase64 = (s: string) => Buffer.from(s, "latin1").toString("base64");
const toBase64Url = (s: string) => toBase64(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

// ---------------------------------------------------------------------------------------------------------------
// Running the detectors the way the scanner does (keyword prefilter), but without merging overlaps, so each
// detector's own finding and span can be checked.

const compiled = compile(secretDetectors);
function findAll(text: string): Finding[] {
  return selectDetectors(text, compiled).flatMap((d) => d.detect(text));
}

function expectSpan(text: string, kind: string, value: string): void {
  const start = text.indexOf(value);
  expect(start, "value must occur in the text").toBeGreaterThanOrEqual(0);
  const found = findAll(text).filter((f) => f.kind === `secret.${kind}`);
  expect(
    found.map((f) => [f.start, f.end]),
    `${kind} in:\n${text}`,
  ).toContainEqual([start, start + value.length]);
}

/** Benign text: nothing a policy would act on (findings below 0.5 are flag-only). */
function expectNothingActionable(text: string): void {
  const found = findAll(text).filter((f) => f.confidence >= 0.5);
  expect(
    found.map((f) => `${f.kind} "${text.slice(f.start, f.end)}" ${f.confidence}`),
    `in:\n${text}`,
  ).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------------------
// Realistic surroundings a prefixed token is pasted into.

type Context = (value: string, name: string) => string;
const CONTEXTS: readonly Context[] = [
  (v, n) => `# production settings\nAPP_ENV=production\n${n}=${v}\nLOG_LEVEL=info\n`,
  (v, n) => `{\n  "service": "billing",\n  "${n.toLowerCase()}": "${v}",\n  "retries": 3\n}`,
  (v) =>
    `curl -sS https://api.internal.example/v1/items \\\n  -H "X-Request-Id: 42" \\\n  -H 'X-Credential: ${v}' -d '{"limit":10}'`,
  (v, n) => `services:\n  worker:\n    image: ghcr.io/acme/worker:1.4.2\n    environment:\n      ${n}: "${v}"\n`,
  (v) => `hey, can you see why this fails? I'm calling the API with ${v} and get a 401 since this morning`,
  (v) =>
    `Traceback (most recent call last):\n  File "/srv/app/sync.py", line 88, in run\n    client = Client(credential="${v}")\nAuthenticationError: 401 Unauthorized`,
  (v, n) => `\`\`\`bash\nexport ${n}='${v}'\n./deploy.sh --env staging\n\`\`\``,
  (v) => `| env | credential |\n|---|---|\n| prod | ${v} |\n| dev | (see vault) |`,
];

interface Format {
  kind: string;
  /** Variable name a user would store it under. */
  name: string;
  make: () => string;
}

const FORMATS: readonly Format[] = [
  // AWS
  { kind: "aws_access_key_id", name: "AWS_ACCESS_KEY_ID", make: () => `AKIA${base32(16)}` },
  { kind: "aws_access_key_id", name: "AWS_ACCESS_KEY_ID", make: () => `ASIA${base32(16)}` },
  { kind: "aws_session_token", name: "AWS_SESSION_TOKEN", make: () => `IQoJb3JpZ2luX2Vj${b64(600)}` },
  // Google
  { kind: "gcp_api_key", name: "GOOGLE_API_KEY", make: () => `AIzaSy${urlsafe(33)}` },
  { kind: "google_oauth_access_token", name: "GOOGLE_ACCESS_TOKEN", make: () => `ya29.a0${urlsafe(160)}` },
  { kind: "google_oauth_refresh_token", name: "GOOGLE_REFRESH_TOKEN", make: () => `1//0g${urlsafe(98)}` },
  { kind: "google_oauth_client_secret", name: "GOOGLE_CLIENT_SECRET", make: () => `GOCSPX-${urlsafe(28)}` },
  {
    kind: "firebase_cloud_messaging_key",
    name: "FCM_SERVER_KEY",
    make: () => `AAAA${urlsafe(7)}:APA91b${urlsafe(134)}`,
  },
  // Azure
  {
    kind: "azure_ad_client_secret",
    name: "AZURE_CLIENT_SECRET",
    make: () => `${alnum(3)}8Q~${pick(`${ALNUM}_~.-`, 33)}${alnum(1)}`,
  },
  { kind: "azure_devops_pat", name: "AZURE_DEVOPS_EXT_PAT", make: () => `${alnum(76)}AZDO${alnum(4)}` },
  // GitHub
  { kind: "github_pat", name: "GITHUB_TOKEN", make: () => `ghp_${alnum(36)}` },
  { kind: "github_fine_grained_pat", name: "GH_TOKEN", make: () => `github_pat_${alnum(22)}_${alnum(59)}` },
  { kind: "github_oauth_token", name: "GITHUB_OAUTH", make: () => `gho_${alnum(36)}` },
  { kind: "github_user_token", name: "GITHUB_USER_TOKEN", make: () => `ghu_${alnum(36)}` },
  { kind: "github_app_token", name: "GITHUB_APP_TOKEN", make: () => `ghs_${alnum(36)}` },
  { kind: "github_refresh_token", name: "GITHUB_REFRESH", make: () => `ghr_${alnum(76)}` },
  // GitLab
  { kind: "gitlab_pat", name: "GITLAB_TOKEN", make: () => `glpat-${urlsafe(20)}` },
  { kind: "gitlab_pat", name: "GITLAB_TOKEN", make: () => `glpat-${urlsafe(27)}.${lowerAlnum(9)}` },
  { kind: "gitlab_deploy_token", name: "CI_DEPLOY_PASSWORD", make: () => `gldt-${urlsafe(20)}` },
  { kind: "gitlab_runner_token", name: "RUNNER_TOKEN", make: () => `glrt-${urlsafe(20)}` },
  { kind: "gitlab_runner_token", name: "RUNNER_TOKEN", make: () => `glrt-t1_${urlsafe(27)}.${lowerAlnum(9)}` },
  { kind: "gitlab_runner_registration_token", name: "REGISTRATION_TOKEN", make: () => `GR1348941${urlsafe(20)}` },
  { kind: "gitlab_pipeline_trigger_token", name: "TRIGGER_TOKEN", make: () => `glptt-${hex(40)}` },
  { kind: "gitlab_ci_job_token", name: "CI_JOB_TOKEN", make: () => `glcbt-${alnum(3)}_${urlsafe(20)}` },
  { kind: "gitlab_feed_token", name: "GITLAB_FEED", make: () => `glft-${urlsafe(20)}` },
  { kind: "gitlab_incoming_mail_token", name: "GITLAB_MAIL", make: () => `glimt-${urlsafe(25)}` },
  { kind: "gitlab_oauth_app_secret", name: "GITLAB_APP_SECRET", make: () => `gloas-${urlsafe(64)}` },
  { kind: "gitlab_scim_token", name: "GITLAB_SCIM", make: () => `glsoat-${urlsafe(20)}` },
  { kind: "gitlab_agent_token", name: "KAS_TOKEN", make: () => `glagent-${urlsafe(50)}` },
  { kind: "gitlab_feature_flag_token", name: "UNLEASH_TOKEN", make: () => `glffct-${urlsafe(20)}` },
  // Atlassian
  { kind: "bitbucket_app_password", name: "BITBUCKET_APP_PASSWORD", make: () => `ATBB${alnum(32)}` },
  { kind: "atlassian_api_token", name: "JIRA_API_TOKEN", make: () => `ATATT3xFfGF0${urlsafe(170)}=${hex(8).toUpperCase()}` },
  { kind: "bitbucket_access_token", name: "BITBUCKET_TOKEN", make: () => `ATCTT3xFfGN0${urlsafe(170)}=${hex(8).toUpperCase()}` },
  // Slack
  { kind: "slack_bot_token", name: "SLACK_BOT_TOKEN", make: () => `xoxb-${digits(12)}-${digits(13)}-${alnum(24)}` },
  { kind: "slack_user_token", name: "SLACK_USER_TOKEN", make: () => `xoxp-${digits(12)}-${digits(12)}-${digits(13)}-${hex(32)}` },
  { kind: "slack_app_token", name: "SLACK_APP_TOKEN", make: () => `xapp-1-A${upperAlnum(10)}-${digits(13)}-${hex(64)}` },
  { kind: "slack_config_token", name: "SLACK_CONFIG_TOKEN", make: () => `xoxe.xoxp-1-${alnum(160)}` },
  { kind: "slack_config_token", name: "SLACK_REFRESH_TOKEN", make: () => `xoxe-1-${alnum(146)}` },
  { kind: "slack_legacy_token", name: "SLACK_LEGACY", make: () => `xoxa-2-${alnum(40)}` },
  {
    kind: "slack_webhook_url",
    name: "SLACK_WEBHOOK_URL",
    make: () => `https://hooks.slack.com/services/T${upperAlnum(8)}/B${upperAlnum(10)}/${alnum(24)}`,
  },
  // Stripe
  { kind: "stripe_secret_key", name: "STRIPE_SECRET_KEY", make: () => `sk_live_51${alnum(97)}` },
  { kind: "stripe_secret_key", name: "STRIPE_KEY", make: () => `sk_live_${alnum(24)}` },
  { kind: "stripe_restricted_key", name: "STRIPE_RESTRICTED_KEY", make: () => `rk_live_51${alnum(97)}` },
  { kind: "stripe_test_key", name: "STRIPE_TEST_KEY", make: () => `sk_test_51${alnum(97)}` },
  { kind: "stripe_webhook_secret", name: "STRIPE_WEBHOOK_SECRET", make: () => `whsec_${alnum(32)}` },
  // Twilio, SendGrid
  { kind: "twilio_api_key", name: "TWILIO_API_KEY", make: () => `SK${hex(32)}` },
  { kind: "sendgrid_api_key", name: "SENDGRID_API_KEY", make: () => `SG.${urlsafe(22)}.${urlsafe(43)}` },
  // OpenAI and compatible
  { kind: "openai_api_key", name: "OPENAI_API_KEY", make: () => `sk-proj-${urlsafe(74)}T3BlbkFJ${urlsafe(74)}` },
  { kind: "openai_api_key", name: "OPENAI_API_KEY", make: () => `sk-${alnum(20)}T3BlbkFJ${alnum(20)}` },
  { kind: "openai_service_account_key", name: "OPENAI_KEY", make: () => `sk-svcacct-${urlsafe(74)}T3BlbkFJ${urlsafe(74)}` },
  { kind: "openai_admin_key", name: "OPENAI_ADMIN_KEY", make: () => `sk-admin-${urlsafe(74)}T3BlbkFJ${urlsafe(74)}` },
  { kind: "openrouter_api_key", name: "OPENROUTER_API_KEY", make: () => `sk-or-v1-${hex(64)}` },
  { kind: "sk_api_key", name: "DEEPSEEK_API_KEY", make: () => `sk-${hex(30)}a1` },
  // Anthropic
  { kind: "anthropic_api_key", name: "ANTHROPIC_API_KEY", make: () => `sk-ant-api03-${urlsafe(93)}AA` },
  { kind: "anthropic_admin_key", name: "ANTHROPIC_ADMIN_KEY", make: () => `sk-ant-admin01-${urlsafe(93)}AA` },
  { kind: "anthropic_oauth_token", name: "CLAUDE_CODE_OAUTH_TOKEN", make: () => `sk-ant-oat01-${urlsafe(93)}AA` },
  // Other model providers
  { kind: "huggingface_token", name: "HF_TOKEN", make: () => `hf_${letters(34)}` },
  { kind: "huggingface_org_token", name: "HF_ORG_TOKEN", make: () => `api_org_${letters(34)}` },
  { kind: "groq_api_key", name: "GROQ_API_KEY", make: () => `gsk_${alnum(52)}` },
  { kind: "xai_api_key", name: "XAI_API_KEY", make: () => `xai-${alnum(80)}` },
  { kind: "perplexity_api_key", name: "PPLX_API_KEY", make: () => `pplx-${alnum(48)}` },
  { kind: "replicate_api_token", name: "REPLICATE_API_TOKEN", make: () => `r8_${alnum(37)}` },
  { kind: "langsmith_api_key", name: "LANGSMITH_API_KEY", make: () => `lsv2_pt_${hex(32)}_${hex(10)}` },
  // Package registries
  { kind: "npm_token", name: "NPM_TOKEN", make: () => `npm_${alnum(36)}` },
  { kind: "pypi_token", name: "TWINE_PASSWORD", make: () => `pypi-AgEIcHlwaS5vcmc${urlsafe(160)}` },
  { kind: "pypi_token", name: "TEST_PYPI_TOKEN", make: () => `pypi-AgENdGVzdC5weXBpLm9yZw${urlsafe(160)}` },
  { kind: "docker_hub_pat", name: "DOCKERHUB_TOKEN", make: () => `dckr_pat_${urlsafe(27)}` },
  { kind: "docker_hub_org_token", name: "DOCKER_ORG_TOKEN", make: () => `dckr_oat_${urlsafe(32)}` },
  { kind: "rubygems_api_key", name: "GEM_HOST_API_KEY", make: () => `rubygems_${hex(48)}` },
  { kind: "clojars_token", name: "CLOJARS_PASSWORD", make: () => `CLOJARS_${lowerAlnum(60)}` },
  { kind: "artifactory_api_key", name: "ARTIFACTORY_API_KEY", make: () => `AKCp${alnum(69)}` },
  // Cloud platforms
  { kind: "digitalocean_token", name: "DIGITALOCEAN_TOKEN", make: () => `dop_v1_${hex(64)}` },
  { kind: "heroku_api_key", name: "HEROKU_API_KEY", make: () => `HRKU-AA${urlsafe(58)}` },
  { kind: "databricks_token", name: "DATABRICKS_TOKEN", make: () => `dapi${hex(32)}` },
  { kind: "alibaba_access_key_id", name: "ALIBABA_CLOUD_ACCESS_KEY_ID", make: () => `LTAI${alnum(20)}` },
  { kind: "dynatrace_token", name: "DT_API_TOKEN", make: () => `dt0c01.${upperAlnum(24)}.${upperAlnum(64)}` },
  { kind: "planetscale_token", name: "PLANETSCALE_TOKEN", make: () => `pscale_tkn_${urlsafe(43)}` },
  { kind: "supabase_token", name: "SUPABASE_ACCESS_TOKEN", make: () => `sbp_${hex(40)}` },
  { kind: "flyio_token", name: "FLY_API_TOKEN", make: () => `fo1_${urlsafe(43)}` },
  // Secret managers and IaC
  { kind: "hashicorp_vault_token", name: "VAULT_TOKEN", make: () => `hvs.${urlsafe(95)}` },
  { kind: "terraform_cloud_token", name: "TF_TOKEN_app_terraform_io", make: () => `${alnum(14)}.atlasv1.${urlsafe(67)}` },
  { kind: "doppler_token", name: "DOPPLER_TOKEN", make: () => `dp.st.${alnum(43)}` },
  { kind: "pulumi_access_token", name: "PULUMI_ACCESS_TOKEN", make: () => `pul-${hex(40)}` },
  { kind: "onepassword_service_account_token", name: "OP_SERVICE_ACCOUNT_TOKEN", make: () => `ops_eyJ${b64(400)}` },
  { kind: "age_secret_key", name: "SOPS_AGE_KEY", make: () => `AGE-SECRET-KEY-1${pick("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)}` },
  // Developer SaaS
  { kind: "linear_api_key", name: "LINEAR_API_KEY", make: () => `lin_api_${alnum(40)}` },
  { kind: "notion_token", name: "NOTION_TOKEN", make: () => `ntn_${digits(11)}${alnum(35)}` },
  { kind: "postman_api_key", name: "POSTMAN_API_KEY", make: () => `PMAK-${hex(24)}-${hex(34)}` },
  { kind: "sentry_token", name: "SENTRY_AUTH_TOKEN", make: () => `sntryu_${hex(64)}` },
  { kind: "grafana_token", name: "GRAFANA_SA_TOKEN", make: () => `glsa_${alnum(32)}_${hex(8)}` },
  { kind: "grafana_token", name: "GRAFANA_CLOUD_TOKEN", make: () => `glc_eyJ${alnum(120)}` },
  // Commerce
  { kind: "shopify_token", name: "SHOPIFY_ACCESS_TOKEN", make: () => `shpat_${hex(32)}` },
  { kind: "square_token", name: "SQUARE_ACCESS_TOKEN", make: () => `EAAA${urlsafe(60)}` },
  { kind: "square_token", name: "SQUARE_TOKEN", make: () => `sq0atp-${urlsafe(22)}` },
  {
    kind: "braintree_access_token",
    name: "BRAINTREE_ACCESS_TOKEN",
    make: () => `access_token$production$${lowerAlnum(16)}$${hex(32)}`,
  },
  // Email
  { kind: "mailchimp_api_key", name: "MAILCHIMP_KEY", make: () => `${hex(32)}-us21` },
  { kind: "brevo_api_key", name: "BREVO_API_KEY", make: () => `xkeysib-${hex(64)}-${alnum(16)}` },
  // Social
  { kind: "facebook_access_token", name: "FB_PAGE_ACCESS_TOKEN", make: () => `EAAG${alnum(180)}` },
  // Chat
  {
    kind: "discord_webhook_url",
    name: "DISCORD_WEBHOOK",
    make: () => `https://discord.com/api/webhooks/${digits(19)}/${urlsafe(68)}`,
  },
  {
    kind: "teams_webhook_url",
    name: "TEAMS_WEBHOOK",
    make: () => `https://contoso.webhook.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/${hex(32)}/${uuid()}`,
  },
  { kind: "telegram_bot_token", name: "TELEGRAM_BOT_TOKEN", make: () => `${digits(10)}:AA${urlsafe(33)}` },
];

describe("prefixed credential formats", () => {
  const cases = FORMATS.flatMap((f, i) =>
    [0, 1, 2].map((j) => {
      const context = CONTEXTS[(i * 3 + j) % CONTEXTS.length]!;
      const value = f.make();
      return { kind: f.kind, value, text: context(value, f.name), label: `${f.kind} #${j + 1}` };
    }),
  );

  it.each(cases)("finds $label with its exact span", ({ text, kind, value }) => {
    expectSpan(text, kind, value);
  });

  it("reports the vendor kind, not a generic one, once overlaps are merged", () => {
    for (const f of FORMATS) {
      const value = f.make();
      const text = `${f.name}=${value}\n`;
      const merged = scan(text, secretDetectors);
      const start = text.indexOf(value);
      expect(
        merged.map((m) => [m.kind, m.start, m.end]),
        text,
      ).toContainEqual([`secret.${f.kind}`, start, start + value.length]);
    }
  });

  it("does not report the token when it is only part of a longer string", () => {
    for (const f of FORMATS) {
      const value = f.make();
      for (const text of [`id=${value}Q7`, `id=Q7${value}`]) {
        const spans = findAll(text)
          .filter((x) => x.kind === `secret.${f.kind}`)
          .map((x) => text.slice(x.start, x.end));
        expect(spans, `${f.kind} in ${text}`).not.toContain(value);
      }
    }
  });

  it("counts at least 40 kinds of credential", () => {
    const kinds = new Set([
      ...FORMATS.map((f) => f.kind),
      "aws_secret_access_key",
      "gcp_service_account_key",
      "azure_storage_account_key",
      "azure_shared_access_key",
      "azure_sas_token",
      "twilio_auth_token",
      "mailgun_api_key",
      "private_key",
      "jwt",
      "url_credentials",
      "generic_assignment",
      "bearer_token",
      "basic_auth",
      "cli_password",
      "docker_config_auth",
      "twilio_api_secret",
    ]);
    expect(kinds.size).toBeGreaterThanOrEqual(40);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Formats found by their context.

/** 40 characters of base64 with all three classes, as AWS generates. */
const awsSecret = () => `${alnum(12)}/${alnum(13)}+${alnum(13)}`;

describe("AWS secret access keys", () => {
  it.each([
    [
      "credentials file",
      (id: string, s: string) => `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${s}\nregion = eu-west-1\n`,
    ],
    [
      "STS JSON",
      (id: string, s: string) =>
        `{"Credentials": {"AccessKeyId": "${id}", "SecretAccessKey": "${s}", "Expiration": "2025-06-01T12:00:00Z"}}`,
    ],
    [
      "console CSV",
      (id: string, s: string) =>
        `User name,Password,Access key ID,Secret access key,Console login link\ndeploy-bot,,${id},${s},https://123456789012.signin.aws.amazon.com/console\n`,
    ],
    [
      "aws configure prompt",
      (id: string, s: string) =>
        `$ aws configure\nAWS Access Key ID [None]: ${id}\nAWS Secret Access Key [None]: ${s}\nDefault region name [None]: us-east-1\n`,
    ],
    ["SDK call", (id: string, s: string) => `AWSCredentials creds = new BasicAWSCredentials("${id}", "${s}");`],
    ["env export", (_: string, s: string) => `export AWS_SECRET_ACCESS_KEY=${s}`],
  ])("finds the secret in a %s", (_label, make) => {
    const id = `AKIA${base32(16)}`;
    const secret = awsSecret();
    const text = make(id, secret);
    expectSpan(text, "aws_secret_access_key", secret);
  });

  it.each([
    [
      "AWS's documented example pair",
      "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ],
    ["a git SHA next to a key id", `key AKIA${base32(16)} rotated in commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904`],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI interpolation, literally
    ["a reference", "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}"],
    ["40 base64 characters without AWS context", `checksum: ${awsSecret()}`],
  ])("does not take %s for a secret key", (_label, text) => {
    expect(findAll(text).filter((f) => f.kind === "secret.aws_secret_access_key")).toEqual([]);
  });

  it("does not report AWS's example key id", () => {
    expectNothingActionable("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE");
  });
});

function pemBody(lines: number, width = 64): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(b64(width));
  out.push(`${b64(40)}==`);
  return out;
}
const pem = (label: string, lines = 25, width = 64) =>
  [`-----BEGIN ${label}-----`, ...pemBody(lines, width), `-----END ${label}-----`].join("\n");

describe("GCP service-account key files", () => {
  const keyFile = (privateKey: string) => ({
    type: "service_account",
    project_id: "acme-prod-381204",
    private_key_id: hex(40),
    private_key: privateKey,
    client_email: "deployer@acme-prod-381204.iam.gserviceaccount.com",
    client_id: digits(21),
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
  });

  it.each([
    ["pretty-printed file", (o: object) => JSON.stringify(o, null, 2)],
    [
      "minified JSON in a chat message",
      (o: object) => `here is the key the CI uses, can you check the scopes? ${JSON.stringify(o)}`,
    ],
  ])("finds the private key of a %s", (_label, render) => {
    const key = `${pem("PRIVATE KEY")}\n`;
    const text = render(keyFile(key));
    expectSpan(text, "gcp_service_account_key", JSON.stringify(key).slice(1, -1));
    // The merged result keeps the service-account finding, which covers the whole JSON string.
    const merged = scan(text, secretDetectors).filter((f) => f.kind === "secret.gcp_service_account_key");
    expect(merged).toHaveLength(1);
  });

  it("does not report other JSON with a private_key field as a service account", () => {
    const text = JSON.stringify({ type: "authorized_user", private_key: "", client_id: "123" });
    expect(findAll(text).filter((f) => f.kind === "secret.gcp_service_account_key")).toEqual([]);
  });
});

describe("Azure storage and Service Bus connection strings", () => {
  it.each([
    [
      "appsettings.json",
      (k: string) =>
        `{ "ConnectionStrings": { "Blob": "DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${k};EndpointSuffix=core.windows.net" } }`,
    ],
    [
      "an .env line",
      (k: string) => `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey=${k}"`,
    ],
  ])("finds the storage account key in %s", (_label, make) => {
    const key = `${b64(86)}==`;
    expectSpan(make(key), "azure_storage_account_key", key);
  });

  it.each([
    [
      "Service Bus",
      (k: string) =>
        `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${k}`,
    ],
    [
      "Event Hubs in YAML",
      (k: string) =>
        `eventhub:\n  connection: "Endpoint=sb://acme-events.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=${k};EntityPath=clicks"`,
    ],
  ])("finds the shared access key in a %s connection string", (_label, make) => {
    const key = `${b64(43)}=`;
    expectSpan(make(key), "azure_shared_access_key", key);
  });

  it("does not report the storage emulator's published key", () => {
    expectNothingActionable(
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
    );
  });
});

describe("Azure SAS tokens", () => {
  const signature = () => encodeURIComponent(toBase64(pick(ALNUM, 32)));
  it.each([
    [
      "a blob URL in chat",
      (s: string) =>
        `download it from https://acmeprod.blob.core.windows.net/exports/q3.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-01-31T18:00:00Z&spr=https&sig=${s} before Friday`,
    ],
    [
      "a JSON config",
      (s: string) =>
        `{"containerSasUrl": "https://acme.blob.core.windows.net/uploads?sp=racwl&st=2025-03-01T09:00:00Z&se=2025-03-08T09:00:00Z&spr=https&sv=2024-11-04&sr=c&sig=${s}"}`,
    ],
  ])("finds the signature in %s", (_label, make) => {
    const sig = signature();
    expectSpan(make(sig), "azure_sas_token", sig);
  });

  it.each([
    ["a sig parameter without SAS version", `https://cdn.example.com/img.png?w=200&sig=${signature()}`],
    ["a placeholder signature", "https://acme.blob.core.windows.net/c?sv=2022-11-02&sp=r&se=2025-01-01&sig=<signature>"],
  ])("does not report %s", (_label, text) => {
    expect(findAll(text).filter((f) => f.kind === "secret.azure_sas_token")).toEqual([]);
  });
});

describe("Twilio auth tokens", () => {
  it.each([
    ["an .env file", (sid: string, t: string) => `TWILIO_ACCOUNT_SID=${sid}\nTWILIO_AUTH_TOKEN=${t}\nTWILIO_FROM=+15005550006\n`],
    [
      "Python code",
      (sid: string, t: string) =>
        `from twilio.rest import Client\n\nclient = Client("${sid}", "${t}")\nclient.messages.create(to=to, from_=sender, body=text)`,
    ],
    [
      "a curl command",
      (sid: string, t: string) =>
        `curl -X POST https://api.twilio.com/2010-04-01/Accounts/${sid}/Messages.json -u ${sid}:${t} --data-urlencode "Body=hi"`,
    ],
    [
      "a JS config",
      (_: string, t: string) => `// twilio\nexport const config = { accountSid: process.env.SID, authToken: "${t}" };`,
    ],
  ])("finds the token in %s", (_label, make) => {
    const sid = `AC${hex(32)}`;
    const token = hex(32);
    expectSpan(make(sid, token), "twilio_auth_token", token);
  });

  it("needs Twilio context for a bare 32-hex value", () => {
    const text = `AC${hex(32)} checksum ${hex(32)}\nauth_token: ${hex(32)}`;
    expect(findAll(text).filter((f) => f.kind === "secret.twilio_auth_token")).toEqual([]);
  });
});

describe("Twilio API key secrets", () => {
  it.each([
    ["a Client call", (sk: string, v: string, ac: string) => `client = Client("${sk}", "${v}", "${ac}")\n`],
    [
      "a Node setup",
      (sk: string, v: string, ac: string) => `// twilio\nconst client = twilio("${sk}", "${v}", { accountSid: "${ac}" });`,
    ],
  ])("finds the secret after the key SID in %s", (_label, render) => {
    const secret = `${alnum(14)}Xa9${alnum(15)}`;
    expectSpan(render(`SK${hex(32)}`, secret, `AC${hex(32)}`), "twilio_api_secret", secret);
  });

  // (This replaced "does not take a value after an SK SID outside Twilio context": in Client(key, secret, account) the
  // context comes after the secret, and the stream guard, which holds back only unfinished values, had let it out.)
  it("takes the secret right after the key SID before any other Twilio context arrives, less sure", () => {
    const secret = `${alnum(14)}Xa9${alnum(15)}`;
    const sk = `SK${hex(32)}`;
    const apiSecret = (text: string) => findAll(text).find((f) => f.kind === "secret.twilio_api_secret");
    const alone = apiSecret(`client = Client("${sk}", "${secret}", `);
    const withAccount = apiSecret(`client = Client("${sk}", "${secret}", "AC${hex(32)}")`);
    expect(alone?.confidence).toBeGreaterThanOrEqual(0.5);
    expect(withAccount?.confidence).toBeGreaterThan(alone?.confidence ?? 1);
  });

  it("does not take a value from another line than the key SID's", () => {
    const text = `// twilio\nexport TWILIO_API_KEY=SK${hex(32)}\ncache ${alnum(14)}Xa9${alnum(15)}`;
    expect(findAll(text).filter((f) => f.kind === "secret.twilio_api_secret")).toEqual([]);
  });
});

describe("Mailgun keys", () => {
  it.each([
    ["an .env file", () => `key-${hex(32)}`, (k: string) => `MAILGUN_DOMAIN=mg.acme.io\nMAILGUN_API_KEY=${k}\n`],
    [
      "a curl command",
      () => `key-${hex(32)}`,
      (k: string) => `curl -s --user 'api:${k}' https://api.mailgun.net/v3/mg.acme.io/messages -F to=ops@acme.io`,
    ],
    [
      "current-format key in YAML",
      () => `${hex(32)}-${hex(8)}-${hex(8)}`,
      (k: string) => `mailgun:\n  domain: mg.acme.io\n  api_key: ${k}\n`,
    ],
  ])("finds the key in %s", (_label, make, render) => {
    const key = make();
    expectSpan(render(key), "mailgun_api_key", key);
  });

  it("keeps a key-<hex> cache entry without Mailgun context below the action threshold", () => {
    expectNothingActionable(`cache miss for key-${hex(32)} (ttl 300s)`);
    expectNothingActionable(`mailgun public validation key: pubkey-${hex(32)}`);
  });
});

describe("private keys", () => {
  it.each([
    [
      "an RSA key pasted in chat",
      "RSA PRIVATE KEY",
      (k: string) => `I generated this for the bastion, is it ok?\n\n${k}\n\nthanks!`,
    ],
    ["a PKCS#8 key in a file dump", "PRIVATE KEY", (k: string) => `$ cat tls/server.key\n${k}\n$ `],
    ["an encrypted PKCS#8 key", "ENCRYPTED PRIVATE KEY", (k: string) => `key file:\n${k}`],
    ["a DSA key", "DSA PRIVATE KEY", (k: string) => `${k}\n`],
  ])("finds %s, spanning the whole block", (_label, label, render) => {
    const key = pem(label);
    expectSpan(render(key), "private_key", key);
  });

  it("finds an EC key indented in a YAML block", () => {
    const key = pem("EC PRIVATE KEY").split("\n").join("\n    ");
    expectSpan(`tls:\n  key: |\n    ${key}\n  cert: ./cert.pem\n`, "private_key", key);
  });

  it("finds an OpenSSH key (70-character lines)", () => {
    const key = pem("OPENSSH PRIVATE KEY", 20, 70);
    expectSpan(`~/.ssh/id_ed25519:\n${key}\n`, "private_key", key);
  });

  it("finds a PEM key with Proc-Type and DEK-Info headers", () => {
    const key = [
      "-----BEGIN RSA PRIVATE KEY-----",
      "Proc-Type: 4,ENCRYPTED",
      `DEK-Info: AES-128-CBC,${hex(32).toUpperCase()}`,
      "",
      ...pemBody(20),
      "-----END RSA PRIVATE KEY-----",
    ].join("\n");
    expectSpan(`legacy key:\n${key}`, "private_key", key);
  });

  it("finds a PGP private key block with armor headers and checksum", () => {
    const key = [
      "-----BEGIN PGP PRIVATE KEY BLOCK-----",
      "Version: GnuPG v2",
      "",
      ...pemBody(30),
      `=${b64(4)}`,
      "-----END PGP PRIVATE KEY BLOCK-----",
    ].join("\n");
    expectSpan(`gpg --export-secret-keys output:\n${key}\n`, "private_key", key);
  });

  it("finds a key with escaped newlines inside a string", () => {
    const key = pem("PRIVATE KEY").split("\n").join("\\n");
    expectSpan(`PRIVATE_KEY="${key}\\n"\nNODE_ENV=production`, "private_key", key);
  });

  it("finds a key cut short (a truncated paste or the start of a stream)", () => {
    const lines = ["-----BEGIN RSA PRIVATE KEY-----", ...pemBody(12).slice(0, 12)];
    const partial = lines.join("\n");
    expectSpan(`${partial}\nsorry, the rest got cut off`, "private_key", partial);
    // At the very end of the text a last, shorter line may be mid-way.
    const cut = `${partial}\n${b64(20)}`;
    expectSpan(`here:\n${cut}`, "private_key", cut);
  });

  it("finds the tail of a key whose BEGIN line is out of sight", () => {
    const tail = [...pemBody(10), "-----END PRIVATE KEY-----"].join("\n");
    expectSpan(`…continued\n${tail}\n`, "private_key", tail);
  });

  it("finds a base64-encoded PEM key (kubeconfig client-key-data)", () => {
    const encoded = toBase64(`${pem("RSA PRIVATE KEY")}\n`);
    expectSpan(`users:\n- name: admin\n  user:\n    client-key-data: ${encoded}\n`, "private_key", encoded);
  });

  it.each([
    ["an elided example", "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"],
    ["an elided example with one line", `-----BEGIN RSA PRIVATE KEY-----\n${b64(64)}\n...\n-----END RSA PRIVATE KEY-----`],
    [
      "prose naming the markers",
      "A PEM file starts with -----BEGIN RSA PRIVATE KEY----- and ends with -----END RSA PRIVATE KEY----- lines.",
    ],
    ["a public key", pem("PUBLIC KEY")],
    ["a certificate", pem("CERTIFICATE")],
    ["prose before an END marker", `${"the quick brown fox jumps over the lazy dog ".repeat(5)}-----END PRIVATE KEY-----`],
  ])("does not report %s", (_label, text) => {
    expectNothingActionable(text);
  });
});

describe("passwords on command lines", () => {
  it.each([
    [
      "mysql -p glued and quoted",
      (p: string) => `mysqldump -h db.internal -u backup -p'${p}' --single-transaction shop > shop.sql`,
    ],
    ["mysql -p glued", (p: string) => `mysql -uroot -p${p} -e "show databases"`],
    ["sshpass", (p: string) => `sshpass -p '${p}' ssh deploy@bastion.acme.io 'sudo systemctl restart api'`],
    ["redis-cli -a", (p: string) => `redis-cli -h cache-01 -p 6379 -a ${p} INFO replication`],
    [
      "ldapsearch -w",
      (p: string) => `ldapsearch -x -H ldaps://ldap.acme.io -D "cn=admin,dc=acme,dc=io" -w ${p} -b "dc=acme,dc=io"`,
    ],
    ["docker login -p", (p: string) => `docker login registry.acme.io -u ci -p ${p}`],
    ["sqlcmd -P", (p: string) => `sqlcmd -S tcp:db.acme.io,1433 -U sa -P '${p}' -Q "SELECT 1"`],
    ["openssl -passin", (p: string) => `openssl rsa -in key.pem -passin pass:${p} -out key.dec.pem`],
    ["htpasswd -b", (p: string) => `htpasswd -b -c /etc/nginx/.htpasswd admin ${p}`],
  ])("finds the password in %s", (_label, render) => {
    const password = `${alnum(9)}${pick("#%^", 1)}${alnum(6)}`;
    expectSpan(render(password), "cli_password", password);
  });

  it.each([
    "mysql -u root -p shop < dump.sql",
    "mysql -h db -P 3306 -u app -p",
    'sshpass -p "$SSH_PASS" ssh host',
    "redis-cli -a $REDIS_PASSWORD ping",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CI interpolation, literally
    "docker login -u ci -p ${{ secrets.REGISTRY_TOKEN }} ghcr.io",
  ])("does not act on %s", (text) => {
    expectNothingActionable(text);
  });
});

describe("base64 Docker configs", () => {
  it.each([
    [
      "a Kubernetes pull secret",
      (b: string) => `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b}\n`,
    ],
    ["a CI variable", (b: string) => `DOCKER_AUTH_CONFIG=${b}`],
  ])("finds the config in %s", (_label, render) => {
    const blob = toBase64(JSON.stringify({ auths: { "registry.acme.io": { username: "robot$ci", password: `${alnum(20)}!` } } }));
    expectSpan(render(blob), "docker_config_auth", blob);
  });

  it("does not report a config without credentials", () => {
    const blob = toBase64(JSON.stringify({ auths: { "registry.acme.io": {} }, credsStore: "desktop" }));
    expect(findAll(`config: ${blob}`).filter((f) => f.kind === "secret.docker_config_auth")).toEqual([]);
  });
});

function makeJwt(header: object, payload: object): string {
  return `${toBase64Url(JSON.stringify(header))}.${toBase64Url(JSON.stringify(payload))}.${urlsafe(43)}`;
}

describe("JWTs", () => {
  const token = () =>
    makeJwt(
      { alg: "RS256", typ: "JWT", kid: hex(16) },
      { sub: uuid(), iss: "https://auth.acme.io/", exp: 1767225600, scope: "read write" },
    );

  it.each([
    ["an Authorization header", (t: string) => `GET /v1/orders HTTP/1.1\nHost: api.acme.io\nAuthorization: Bearer ${t}\n`],
    ["a cookie", (t: string) => `Set-Cookie: session=${t}; Path=/; HttpOnly; Secure`],
    ["an OAuth response", (t: string) => `{"access_token":"${t}","token_type":"Bearer","expires_in":3600}`],
  ])("finds a JWT in %s", (_label, render) => {
    const t = token();
    expectSpan(render(t), "jwt", t);
  });

  it.each([
    [
      "jwt.io's sample token",
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ],
    ["three base64 JSON parts without alg", makeJwt({ foo: "bar" }, { a: 1 })],
    ["a header alone", toBase64Url(JSON.stringify({ alg: "HS256", typ: "JWT" }))],
  ])("does not report %s", (_label, text) => {
    expect(findAll(text).filter((f) => f.kind === "secret.jwt")).toEqual([]);
  });
});

describe("credentials in URLs (the span is the password)", () => {
  it.each([
    ["postgres", (p: string) => `DATABASE_URL=postgres://app_user:${p}@db.internal:5432/orders?sslmode=require`],
    ["postgresql+asyncpg", (p: string) => `engine = create_async_engine("postgresql+asyncpg://svc:${p}@10.0.3.7/analytics")`],
    ["mysql", (p: string) => `"dsn": "mysql://root:${p}@mysql.prod.svc.cluster.local:3306/shop"`],
    ["mongodb+srv", (p: string) => `MONGO_URI=mongodb+srv://reporting:${p}@cluster0.ab1cd.mongodb.net/?retryWrites=true`],
    ["redis with an empty user", (p: string) => `REDIS_URL=redis://:${p}@cache-01:6379/0`],
    ["rediss", (p: string) => `celery broker: rediss://default:${p}@eu1-redis.upstash.io:6379`],
    ["amqps", (p: string) => `amqps://worker:${p}@b-1234.mq.eu-west-1.amazonaws.com:5671`],
    ["https (git remote)", (p: string) => `git clone https://deploy:${p}@git.acme.io/platform/infra.git`],
    ["a password with an unencoded @", (p: string) => `postgres://ops:${p}@x@db:5432/app`],
  ])("finds the password in a %s URL", (_label, render) => {
    const password = `${alnum(10)}${pick("!$*", 1)}${alnum(5)}`;
    const text = render(password);
    const value = text.includes(`${password}@x@`) ? `${password}@x` : password;
    expectSpan(text, "url_credentials", value);
  });

  it.each([
    ["a placeholder password", "postgres://user:password@localhost:5432/db"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI interpolation, literally
    ["a variable", "postgres://app:${DB_PASSWORD}@db:5432/app"],
    ["a template slot", "mysql://{{ user }}:{{ password }}@{{ host }}/app"],
    ["an angle-bracket slot", "mongodb://admin:<password>@cluster0.mongodb.net/"],
    ["a port, not a password", "https://example.com:8443/path?q=1"],
    ["an scp-style remote", "git@github.com:acme/infra.git"],
    ["an ssh URL without a password", "ssh://git@github.com/acme/infra.git"],
    ["an image default (flag only)", "postgres://postgres:postgres@localhost:5432/app"],
  ])("does not act on %s", (_label, text) => {
    expectNothingActionable(text);
  });
});

describe("generic secret assignments (the span is the value)", () => {
  const strong = () => `${alnum(8)}${pick("!#%^", 1)}${alnum(7)}`;
  it.each([
    [".env", (v: string) => `DB_HOST=db.internal\nDB_PASSWORD=${v}\nDB_PORT=5432`],
    ["YAML", (v: string) => `database:\n  user: app\n  password: ${v}\n  pool: 10`],
    ["quoted YAML", (v: string) => `smtp:\n  password: "${v}"`],
    ["JSON", (v: string) => `{"oauth": {"client_id": "web-app", "client_secret": "${v}"}}`],
    ["TOML", (v: string) => `[service]\napi_key = "${v}"\ntimeout = 30`],
    ["Python", (v: string) => `SECRET_KEY = '${v}'\nDEBUG = False`],
    ["PHP", (v: string) => `return ['db' => ['username' => 'shop', 'password' => '${v}']];`],
    ["Ruby", (v: string) => `config.secret_token = "${v}"`],
    ["Java properties", (v: string) => `spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password=${v}`],
    ["a CLI flag with =", (v: string) => `mysqldump -h db.internal -u backup --password=${v} shop > shop.sql`],
    ["a CLI flag with a space", (v: string) => `vault login -method=userpass username=ops --token ${v}`],
    ["an HTTP header", (v: string) => `curl https://api.acme.io/v2/report -H "X-API-Key: ${v}"`],
    ["a query string", (v: string) => `GET https://maps.example.net/geocode?address=Main+St&api_key=${v}&format=json`],
    ["XML", (v: string) => `<datasource>\n  <username>app</username>\n  <password>${v}</password>\n</datasource>`],
    ["JSON inside a JSON string", (v: string) => `{"payload": "{\\"apiKey\\":\\"${v}\\",\\"region\\":\\"eu\\"}"}`],
    ["a glued name", (v: string) => `PGPASSWORD=${v} psql -h db -U app`],
    ["camelCase in TypeScript", (v: string) => `const client = new Api({ baseUrl, accessToken: "${v}" });`],
    ["a kebab-case key", (v: string) => `--access-key=${v}`],
    ["SECRET_KEY_BASE", (v: string) => `SECRET_KEY_BASE=${v}`],
  ])("finds a value in %s", (_label, render) => {
    const value = strong();
    expectSpan(render(value), "generic_assignment", value);
  });

  it.each([
    [
      "a PHP define",
      (v: string) => `define( 'DB_NAME', 'wordpress' );\ndefine( 'DB_PASSWORD', '${v}' );\ndefine( 'DB_HOST', 'localhost' );`,
    ],
    [
      "a markdown table",
      (v: string) => `| Name | Value |\n|------|-------|\n| endpoint | https://api.partner.io |\n| api_secret | ${v} |\n`,
    ],
    ["a CSV export", (v: string) => `name,type,value\npartner-api,token,${v}\nregion,config,eu-west-1\n`],
    ["a chat message (is)", (v: string) => `the admin password for the staging Grafana is ${v} — change it after you log in`],
    ["a chat message (colon)", (v: string) => `use this access token for the partner sandbox: ${v}`],
    ["prose naming an API key", (v: string) => `Your API key is ${v}. Keep it safe.`],
  ])("finds a generated value in %s", (_label, render) => {
    const value = `${alnum(12)}${pick("#%^", 1)}${alnum(10)}`;
    expectSpan(render(value), "generic_assignment", value);
  });

  it.each([
    "the password for the wiki is on the whiteboard",
    "Your token: expired, please sign in again",
    "type,token,count\nword,the,42\n",
    "| password | required |\n| token | optional |",
    'PKCS8: { label: "PRIVATE KEY", head: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" }',
    "credential: X509Credential | undefined",
    "const fetchWithAuth = x509Authentication ? a : b;",
    "auth: BetaManagedAgentsMCPOAuthAuthResponse | null",
    "AKP JWK priv (Private Key): base64url-encoded private key",
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/stripe-Ab3dEf",
    "Private key material: Base64urlUInt for RSA keys",
    "pass: matchResult?.pass ?? false,",
    "token: Config::DEFAULT_TOKEN_V2x,",
  ])("does not act on prose or code: %s", (text) => {
    expectNothingActionable(text);
  });

  it("finds the contract's example: password=hunter2", () => {
    expectSpan("password=hunter2", "generic_assignment", "hunter2");
  });

  it("finds a docker config auth entry", () => {
    const auth = toBase64(`deploy:${strong()}`);
    expectSpan(`{"auths": {"registry.acme.io": {"auth": "${auth}"}}}`, "generic_assignment", auth);
  });

  it("accepts generated values of every common alphabet (hex, alphanumeric, base64, base64url)", () => {
    const makers = [
      () => hex(32),
      () => hex(40),
      () => hex(64),
      () => alnum(20),
      () => alnum(32),
      () => b64(40),
      () => urlsafe(43),
    ];
    for (const make of makers) {
      let missed = 0;
      for (let i = 0; i < 500; i++) {
        const v = make();
        if (!findAll(`API_SECRET=${v}`).some((f) => f.kind === "secret.generic_assignment")) missed++;
      }
      expect(missed, make.toString()).toBeLessThanOrEqual(2);
    }
  });

  it("grows confidence with length and entropy", () => {
    const short = findAll("password=hunter2")[0]?.confidence ?? 0;
    const long = findAll(`password=${alnum(24)}`)[0]?.confidence ?? 0;
    expect(short).toBeGreaterThanOrEqual(0.5);
    expect(long).toBeGreaterThan(short);
    expect(long).toBeLessThanOrEqual(0.85);
  });

  it.each([
    ["aligned columns", (v: string) => `DB_HOST              = "db.internal"\nDB_PASSWORD          = "${v}"\n`],
    ["a tab before the value", (v: string) => `password:\t${v}`],
    ["a camelCase flag", (v: string) => `node scripts/seed.js --dbPassword ${v} --verbose`],
    ["a single-dash flag", (v: string) => `./server -admin-password ${v}`],
    ["a single-dash compound flag", (v: string) => `Connect-Service -ApiKey ${v}`],
    ["a qualified kebab flag", (v: string) => `rails-run --secret-key-base ${v}`],
    ["chat (to)", (v: string) => `fyi the password to the office wifi is ${v}`],
    ["chat (on)", (v: string) => `the password on the staging router is ${v}`],
    ["chat (from)", (v: string) => `the token from the partner dashboard is ${v}`],
  ])("finds a value in %s", (_label, render) => {
    const value = `${alnum(12)}${pick("#%^", 1)}${alnum(10)}`;
    expectSpan(render(value), "generic_assignment", value);
  });

  const generic = secretDetectors.find((d) => d.id === "generic_assignment");

  it("is not selected by secret words in ordinary prose and loops", () => {
    const text =
      "Rotate the key of each tenant and keep tokens short-lived; the secret of good keys is entropy.\n" +
      "for (const key of Object.keys(map)) total += map.get(key);\nfor token in tokens:\n    total += len(token)\n";
    expect(selectDetectors(text, compiled)).not.toContain(generic);
  });

  // The scanner runs the detector only around its keywords: whatever it finds in a whole text, it must find there.
  it("finds through the keyword windows everything it finds in the whole text (property)", () => {
    if (!generic) throw new Error("generic_assignment is not in the secret set");
    const filler = fc
      .array(
        fc.constantFrom(
          "the token for the build",
          "keys and tokens rotate",
          "password policy",
          "const total = items.length;",
          '{"level":"info","msg":"ok"}',
          "| a | b |",
          "for (const key of keys) {}",
          "\n",
          " ",
        ),
        { minLength: 0, maxLength: 400 },
      )
      .map((ws) => ws.join(" "));
    const name = fc.constantFrom(
      "password",
      "DB_PASSWORD",
      "PGPASSWORD",
      "apiKey",
      "api_key",
      "x-api-key",
      "SECRET_KEY_BASE",
      "apiKeyValue",
      "clientSecret",
      "auth_token",
      "spring.datasource.password",
      "accessToken",
      "token",
      "secret",
      "credentials",
      "passphrase",
    );
    const assignment = fc
      .tuple(
        name,
        fc.constantFrom("", " ", "  ", "\t", "        "),
        fc.constantFrom("=", ":", "=>", ":=", "?="),
        fc.constantFrom("", " ", "\t", "   "),
        fc.constantFrom("", '"', "'"),
      )
      .map(
        ([n, b1, op, b2, q]) =>
          (v: string) =>
            `${n}${b1}${op}${b2}${q}${v}${q}`,
      );
    const shaped = fc.constantFrom(
      (v: string) => `<password>${v}</password>`,
      (v: string) => `"apiKey": "${v}"`,
      (v: string) => `define('DB_PASSWORD', '${v}');`,
      (v: string) => `--token ${v}`,
      (v: string) => `--dbPassword\t${v}`,
      (v: string) => `run --dbPassword ${v}`,
      (v: string) => `(--dbPassword ${v})`,
      (v: string) => `--dbPassword ${v}`,
      (v: string) => `-AdminPassword ${v}`,
      (v: string) => `-db-password ${v}`,
      (v: string) => `-apiKey ${v}`,
      (v: string) => `-secret-key-base ${v}`,
      (v: string) => `-tokenValue ${v}`,
      (v: string) => `| api_secret | ${v} |`,
      (v: string) => `partner,token,${v}`,
      (v: string) => `the admin password for the wiki is ${v}`,
      (v: string) => `the password  to the wifi is: ${v}`,
      (v: string) => `Your API key is ${v}.`,
    );
    const value = fc.constantFrom(alnum(20), `${alnum(9)}#${alnum(9)}`, hex(40), b64(44), "hunter2!x", "changeme");
    fc.assert(
      fc.property(filler, fc.oneof(assignment, shaped), value, filler, (before, render, v, after) => {
        const text = `${before}\n${render(v)}\n${after}`;
        const whole = generic.detect(text).map((f) => [f.start, f.end]);
        const windowed = scan(text, [generic]).map((f) => [f.start, f.end]);
        expect(windowed).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});

describe("authorization headers and curl -u", () => {
  it.each([
    ["a Bearer header", (v: string) => `curl -H "Authorization: Bearer ${v}" https://api.acme.io/v1/me`],
    ["GitHub's token scheme", (v: string) => `-H 'Authorization: token ${v}' https://api.github.example/user`],
    [
      "a raw HTTP request",
      (v: string) => `POST /graphql HTTP/1.1\r\nauthorization: bearer ${v}\r\ncontent-type: application/json`,
    ],
  ])("finds the token in %s", (_label, render) => {
    const v = `${alnum(24)}.${alnum(16)}`;
    expectSpan(render(v), "bearer_token", v);
  });

  it.each([
    [
      "Okta's SSWS scheme",
      (v: string) => `curl -H "Accept: application/json" -H "Authorization: SSWS ${v}" "https://acme.okta.com/api/v1/users"`,
    ],
    ["a scheme-less header", (v: string) => `headers = {"Authorization": "${v}", "Content-Type": "application/json"}`],
  ])("finds the token with %s", (_label, render) => {
    const v = `00${alnum(20)}_${alnum(19)}`;
    expectSpan(render(v), "bearer_token", v);
  });

  it("finds Basic credentials (the base64 blob)", () => {
    const blob = toBase64(`admin:${alnum(14)}!`);
    expectSpan(`Authorization: Basic ${blob}\nAccept: */*`, "basic_auth", blob);
  });

  it.each([
    ["-u", (p: string) => `curl -u admin:${p} https://jenkins.acme.io/api/json`],
    ["--user with quotes", (p: string) => `curl --user "ci-bot:${p}" -X POST https://registry.acme.io/v2/token`],
  ])("finds the password after curl %s", (_label, render) => {
    const password = `${alnum(10)}#${alnum(5)}`;
    expectSpan(render(password), "basic_auth", password);
  });

  it.each([
    "Authorization: Bearer <token>",
    "Authorization: Bearer $TOKEN",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI interpolation, literally
    "Authorization: Bearer ${API_KEY}",
    "Authorization: Bearer YOUR_API_KEY",
    "Authorization: Basic dXNlcjpwYXNzd29yZA==",
    "Bearer tokens are short-lived; basic authentication is disabled.",
    "docker run -u 1000:1000 --rm alpine id",
    "sudo -u postgres psql -c 'select 1'",
    'curl -u "$USER:$PASS" https://example.com',
  ])("does not act on %s", (text) => {
    expectNothingActionable(text);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Look-alikes: text that resembles a credential but is not one.

describe("benign look-alikes", () => {
  it.each([
    // identifiers and hashes
    "request_id: 3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b",
    "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nMerge: a1b2c3d e4f5a6b",
    "image: registry.acme.io/api@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "md5sum: d41d8cd98f00b204e9800998ecf8427e  empty.txt",
    '"integrity": "sha512-Fw8bHbmBfkJsJ0nAg5ZSh7s1xq4cVUDfyCTq8XmXqPJjzK6GqTcVh3FbYbBHTsO9A1Wr7Kh3sWmHsm5bNmQe4A=="',
    "SGVsbG8sIHdvcmxkISBUaGlzIGlzIGp1c3QgYSBtZXNzYWdlIGVuY29kZWQgaW4gYmFzZTY0Lg==",
    "order #4532015112830366 shipped; tracking 1Z999AA10123456784",
    // versions
    "node v22.12.0, npm 10.9.0, typescript 5.9.3, token-bucket@2.1.0",
    'version: "1.4.2-rc.1+build.20240611"',
    // documented examples and placeholders
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "OPENAI_API_KEY=YOUR_API_KEY",
    "OPENAI_API_KEY=sk-...",
    "openai.api_key = 'sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'",
    "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "token: glpat-XXXXXXXXXXXXXXXXXXXX",
    "STRIPE_SECRET_KEY=sk_live_000000000000000000000000",
    "stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'",
    "api_key: <your-token>",
    "password: changeme",
    'secret: "REPLACE_ME"',
    "token=xxxxxxxx",
    "password: dummy",
    "api_key = example",
    "password=test123",
    "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "ANTHROPIC_API_KEY=sk-ant-api03-...",
    // code that names secrets without holding one
    "password = getPassword()",
    "password: string",
    '"password": ""',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI interpolation, literally
    "password=${PASSWORD}",
    'password = os.environ["DB_PASSWORD"]',
    "<password>",
    "const token = await getToken(client, { scope });",
    "if (password.length < 8) throw new Error('too short');",
    "def check_password(password: str) -> bool:",
    "apiKey: process.env.OPENAI_API_KEY,",
    "api_key=settings.OPENAI_KEY",
    "secret: ENC[AES256_GCM,data:Tr7o=,iv:1=,tag:k=,type:str]",
    "password: !vault |",
    'password: "{{ vault_db_password }}"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI interpolation, literally
    "password: ${{ secrets.DB_PASSWORD }}",
    "PWD=/home/deploy/releases/20240611",
    "TOKEN_URL=https://oauth2.googleapis.com/token",
    "auth_type: oauth2\nauth: required",
    "Enter your password: ",
    "The password must contain at least 8 characters.",
    'token_type: "Bearer"',
    '{"token": " Hello", "logprob": -0.0012, "bytes": [32, 72]}',
    "max_tokens: 4096\nprompt_tokens: 1234\ncompletion_tokens: 567",
    'next_page_token: "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA5dHFpdWJqNxIFCgMIhgM"',
    'csrf_token = "d8e8fca2dc0f896fd7cb4cb0031ba249"',
    "public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@acme",
    'password_hash = "$2b$12$KIXQJf2o0nQ3m6o4s1Yb5uQv7Xb0l3m5J6t9k2H8cY1pZ3aW7eR0S"',
    "secretName: db-credentials\nkind: Secret\nvalueFrom:\n  secretKeyRef:\n    name: api",
    "primary_key = 'id'\nsort_key: created_at\ncache_key = f'user:{uid}'",
    "keyboard layout: qwerty; monkey-patching keys is risky",
    "token: 42",
    "The access key for the lab is on the whiteboard.",
    "sk-learn-model-selection-and-evaluation-guide",
    "npm_config_cache=/tmp/.npm",
    "from huggingface_hub import hf_hub_download",
    "AKIA is the prefix of long-term AWS access key ids",
  ])("leaves alone: %s", (text) => {
    expectNothingActionable(text);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The helpers.

describe("entropy and placeholders", () => {
  it("measures entropy in bits per character", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abab")).toBeCloseTo(1);
    expect(shannonEntropy("0123456789abcdef")).toBeCloseTo(4);
    expect(charClassCount("aB3!")).toBe(4);
    expect(charClassCount("abc")).toBe(1);
  });

  it.each([
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "YOUR_API_KEY",
    "<your-token>",
    "xxxxxxxx",
    "changeme",
    "REPLACE_ME",
    "test123",
    "dummy",
    "0000000000000000",
    "abcdefghijklmnop",
    "abc123abc123",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI interpolation, literally
    "${TOKEN}",
    "{{ token }}",
    "sk-...",
  ])("treats %s as a placeholder", (v) => {
    expect(isPlaceholder(v)).toBe(true);
  });

  it("does not treat generated values as placeholders", () => {
    for (let i = 0; i < 200; i++) expect(isPlaceholder(alnum(36))).toBe(false);
    for (let i = 0; i < 200; i++) expect(isPlaceholder(hex(40))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Robustness: no detector throws or reports a span outside the text, and none backtracks catastrophically.

describe("robustness", () => {
  const vocabulary = secretDetectors.flatMap((d) => d.keywords);

  it("never throws and reports spans inside the text (property)", () => {
    const piece = fc.oneof(
      fc.constantFrom(...vocabulary, "=", ":", '"', "'", "\n", "\\n", "-----BEGIN ", "PRIVATE KEY-----", "://", "@", "eyJ", "."),
      fc.string({ maxLength: 12 }),
      fc.stringMatching(/^[A-Za-z0-9+/=_-]{1,80}$/),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join("");
        for (const d of secretDetectors) {
          for (const f of d.detect(text)) {
            if (f.start < 0 || f.end > text.length || f.start >= f.end || f.category !== "secret") return false;
            if (f.confidence < 0 || f.confidence > 1 || !f.kind.startsWith("secret.")) return false;
            if (f.end - f.start > d.maxLength) return false;
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  const MB = 1 << 20;
  const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  const randomRun = pick(ALNUM, MB);
  const base64Run = pick(`${ALNUM}+/`, MB);
  /** Repeated near-misses of each detector's structure: unclosed values, blocks without bodies, tails, slots. */
  const shapes = [
    fill("-----BEGIN RSA PRIVATE KEY-----\n"),
    fill(`-----BEGIN PRIVATE KEY-----\n${pick(ALNUM, 64)}\n${pick(ALNUM, 64)}\n-----END PRIVATE KEY-----\n`),
    fill(`${pick(ALNUM, 64)}\n-----END PRIVATE KEY-----\n`),
    fill(`eyJ${pick(ALNUM, 40)}.`),
    fill("a://b:c@d"),
    fill("?sv=2020-01-01&sig="),
    fill("<password>"),
    fill('"password": "'),
    fill("| password | "),
    fill("token,"),
    fill("the password for x is "),
    fill("-u a:"),
  ];

  it.each(secretDetectors.map((d) => [d.id, d] as const))(
    "%s handles 1 MB adversarial inputs without pathological backtracking",
    (_id, d) => {
      const inputs = [randomRun, base64Run, fill("a"), fill("0"), ...shapes];
      for (const k of d.keywords.slice(0, 6)) {
        inputs.push(fill(k), fill(`${k}=`), fill(`${k} `), `${k}${randomRun}`, fill(`${k}${pick(ALNUM, 61)}\n`));
      }
      for (const input of inputs) {
        const t0 = performance.now();
        d.detect(input);
        // A guard against catastrophic cases, not a benchmark.
        expect(performance.now() - t0, `${d.id} on ${JSON.stringify(input.slice(0, 40))}…`).toBeLessThan(2000);
      }
    },
    60_000,
  );
});
