// secret.docker_config_auth: a base64-encoded Docker config (.dockerconfigjson of a Kubernetes pull secret,
// DOCKER_AUTH_CONFIG), which carries registry passwords. It starts with base64 of '{"auths":'; the span is the blob.
// (A plain config.json's "auth": "<base64 user:password>" entry is found by generic_assignment.)
import type { Detector, Finding } from "../../types";
import { decodeBase64, eachMatch, secretFinding } from "./shared";

const BLOB = /(?<![A-Za-z0-9+/])eyJhdXRocyI6[A-Za-z0-9+/]{20,8000}={0,2}(?![A-Za-z0-9+/=])/g;
const CREDENTIAL = /"(?:auth|password|identitytoken)"\s*:\s*"[^"]{4,}"/;

export const dockerConfig: Detector = {
  id: "docker_config_auth",
  category: "secret",
  keywords: ["eyjhdxrocyi6"],
  maxLength: 8020,
  detect(text) {
    const out: Finding[] = [];
    eachMatch(BLOB, text, (m) => {
      const json = decodeBase64(m[0]);
      if (json && CREDENTIAL.test(json)) out.push(secretFinding("docker_config_auth", m.index, m.index + m[0].length, 0.92));
    });
    return out;
  },
};
