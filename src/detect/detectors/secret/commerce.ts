// Commerce and payment credentials besides Stripe: Shopify (shpat_/shpca_/shppa_/shpss_), Square (sq0atp-,
// sq0csp-, EAAA…) and Braintree production access tokens (access_token$production$…).
import { tokenFamily } from "./shared";

export const commerce = tokenFamily({
  id: "commerce",
  keywords: ["shpat_", "shpca_", "shppa_", "shpss_", "sq0atp-", "sq0csp-", "eaaa", "access_token$production$"],
  maxLength: 80,
  formats: [
    { kind: "shopify_token", source: "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", prefix: 6, confidence: 0.95 },
    {
      kind: "square_token",
      source: "sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_-]{60}",
      prefix: 7,
      confidence: 0.9,
    },
    {
      kind: "braintree_access_token",
      source: "access_token\\$production\\$[0-9a-z]{16}\\$[0-9a-f]{32}",
      prefix: 24,
      confidence: 0.95,
    },
  ],
});
