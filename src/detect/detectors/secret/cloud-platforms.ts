// Cloud and data platform tokens with a vendor prefix: DigitalOcean (dop_v1_/doo_v1_/dor_v1_), Heroku (HRKU-AA),
// Databricks (dapi), Alibaba Cloud access key ids (LTAI), Dynatrace (dt0c01.), PlanetScale (pscale_),
// Supabase (sbp_) and Fly.io (fo1_).
import { tokenFamily } from "./shared";

export const cloudPlatforms = tokenFamily({
  id: "cloud_platforms",
  keywords: ["dop_v1_", "doo_v1_", "dor_v1_", "hrku-aa", "dapi", "ltai", "dt0c01.", "pscale_", "sbp_", "fo1_"],
  maxLength: 120,
  formats: [
    { kind: "digitalocean_token", source: "do[opr]_v1_[a-f0-9]{64}", prefix: 7, confidence: 0.95 },
    { kind: "heroku_api_key", source: "HRKU-AA[A-Za-z0-9_-]{58}", prefix: 7, confidence: 0.95 },
    { kind: "databricks_token", source: "dapi[a-f0-9]{32}(?:-\\d)?", prefix: 4, confidence: 0.9 },
    { kind: "alibaba_access_key_id", source: "LTAI[A-Za-z0-9]{12,20}", prefix: 4, confidence: 0.85 },
    { kind: "dynatrace_token", source: "dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}", prefix: 7, confidence: 0.95 },
    { kind: "planetscale_token", source: "pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_=-]{32,64}", prefix: 11, confidence: 0.95 },
    { kind: "supabase_token", source: "sbp_[a-f0-9]{40}", prefix: 4, confidence: 0.95 },
    { kind: "flyio_token", source: "fo1_[A-Za-z0-9_-]{43}", prefix: 4, confidence: 0.9 },
  ],
});
