// Credentials of secret managers and infrastructure-as-code services: HashiCorp Vault (hvs./hvb.), Terraform Cloud
// (….atlasv1.…), Doppler (dp.pt. …), Pulumi (pul-), 1Password service accounts (ops_eyJ…) and age secret keys.
// 1Password's tokens run to 2,000 characters, the others to 300: two families, so that a Vault or Pulumi keyword does
// not make the scanner read 2,000 characters each side of it.
import { tokenFamily } from "./shared";

const EDGE = "A-Za-z0-9_+/=\\-";

export const secretsManagers = tokenFamily({
  id: "secrets_managers",
  keywords: [
    "hvs.",
    "hvb.",
    "atlasv1",
    "dp.pt.",
    "dp.st.",
    "dp.sa.",
    "dp.ct.",
    "dp.scim.",
    "dp.audit.",
    "pul-",
    "age-secret-key-1",
  ],
  maxLength: 304,
  formats: [
    {
      kind: "hashicorp_vault_token",
      source: "hvs\\.[A-Za-z0-9_-]{90,120}|hvb\\.[A-Za-z0-9_-]{138,300}",
      prefix: 4,
      confidence: 0.95,
    },
    {
      kind: "terraform_cloud_token",
      source: "[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}",
      prefix: 23,
      confidence: 0.95,
    },
    { kind: "doppler_token", source: "dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}", prefix: 6, confidence: 0.95 },
    { kind: "pulumi_access_token", source: "pul-[a-f0-9]{40}", prefix: 4, confidence: 0.95 },
    {
      kind: "age_secret_key",
      source: "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
      prefix: 16,
      confidence: 0.98,
    },
  ],
  edge: EDGE,
});

export const onePassword = tokenFamily({
  id: "onepassword_service_account_token",
  keywords: ["ops_eyj"],
  maxLength: 2010,
  formats: [
    {
      kind: "onepassword_service_account_token",
      source: "ops_eyJ[A-Za-z0-9+/]{250,2000}={0,3}",
      prefix: 4,
      confidence: 0.95,
    },
  ],
  edge: EDGE,
});
