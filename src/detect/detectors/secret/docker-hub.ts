// Docker Hub personal access tokens (dckr_pat_) and organization access tokens (dckr_oat_).
import { tokenFamily } from "./shared";

export const dockerHub = tokenFamily({
  id: "docker_hub",
  keywords: ["dckr_pat_", "dckr_oat_"],
  maxLength: 50,
  formats: [
    { kind: "docker_hub_pat", source: "dckr_pat_[A-Za-z0-9_-]{27,40}", prefix: 9, confidence: 0.95 },
    { kind: "docker_hub_org_token", source: "dckr_oat_[A-Za-z0-9_-]{27,40}", prefix: 9, confidence: 0.95 },
  ],
});
