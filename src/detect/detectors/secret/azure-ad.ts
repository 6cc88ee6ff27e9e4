// Microsoft credentials with a fixed marker: Entra ID (Azure AD) client secrets ("…8Q~…", 40 characters) and Azure
// DevOps personal access tokens in the current 84-character format ("AZDO" at positions 77–80).
import { tokenFamily } from "./shared";

export const azureAd = tokenFamily({
  id: "azure_ad",
  keywords: ["q~", "azdo"],
  maxLength: 84,
  formats: [
    {
      kind: "azure_ad_client_secret",
      source: "[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}",
      prefix: 0,
      confidence: 0.9,
    },
    { kind: "azure_devops_pat", source: "[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}", prefix: 0, confidence: 0.9 },
  ],
  edge: "A-Za-z0-9_~.\\-",
});
