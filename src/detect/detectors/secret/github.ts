// GitHub tokens: classic PAT (ghp_), fine-grained PAT (github_pat_), OAuth (gho_), user-to-server (ghu_),
// installation / server-to-server (ghs_) and refresh (ghr_), each with its exact length and charset.
import { tokenFamily } from "./shared";

export const github = tokenFamily({
  id: "github",
  keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
  maxLength: 93,
  formats: [
    { kind: "github_pat", source: "ghp_[A-Za-z0-9]{36}", prefix: 4, confidence: 0.95 },
    // 22 characters of id, an underscore, 59 of secret: 93 in all.
    { kind: "github_fine_grained_pat", source: "github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}", prefix: 11, confidence: 0.97 },
    { kind: "github_oauth_token", source: "gho_[A-Za-z0-9]{36}", prefix: 4, confidence: 0.95 },
    { kind: "github_user_token", source: "ghu_[A-Za-z0-9]{36}", prefix: 4, confidence: 0.95 },
    { kind: "github_app_token", source: "ghs_[A-Za-z0-9]{36}", prefix: 4, confidence: 0.95 },
    // Refresh tokens have been issued at 36 and at 76 characters.
    { kind: "github_refresh_token", source: "ghr_[A-Za-z0-9]{36}(?:[A-Za-z0-9]{40})?", prefix: 4, confidence: 0.95 },
  ],
});
