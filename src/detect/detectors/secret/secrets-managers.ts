// Credentials of secret managers and infrastructure-as-code services: HashiCorp Vault (hvs./hvb.), Terraform Cloud
// (….atlasv1.…), Doppler (dp.pt. …), Pulumi (pul-), 1Password service accounts (ops_eyJ…) and age secret keys.
import { tokenFamily } from "./shared";

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
    "ops_eyj",
    "age-secret-key-1",
  ],
  maxLength: 2010,
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
      kind: "onepassword_service_account_token",
      source: "ops_eyJ[A-Za-z0-9+/]{250,2000}={0,3}",
      prefix: 4,
      confidence: 0.95,
    },
    {
      kind: "age_secret_key",
      source: "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
      prefix: 16,
      confidence: 0.98,
    },
  ],
  edge: "A-Za-z0-9_+/=\\-",
});
