// Package registry tokens besides npm, PyPI and Docker Hub (own files): RubyGems (rubygems_), Clojars (CLOJARS_)
// and JFrog Artifactory API keys (AKCp).
import { tokenFamily } from "./shared";

export const packageRegistries = tokenFamily({
  id: "package_registries",
  keywords: ["rubygems_", "clojars_", "akcp"],
  maxLength: 73,
  formats: [
    { kind: "rubygems_api_key", source: "rubygems_[a-f0-9]{48}", prefix: 9, confidence: 0.95 },
    { kind: "clojars_token", source: "CLOJARS_[a-z0-9]{60}", prefix: 8, confidence: 0.95 },
    { kind: "artifactory_api_key", source: "AKCp[A-Za-z0-9]{69}", prefix: 4, confidence: 0.9 },
  ],
});
