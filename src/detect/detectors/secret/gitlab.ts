// GitLab tokens, by their documented prefixes (docs.gitlab.com "token prefixes"), legacy and routable forms.
import { tokenFamily } from "./shared";

/** A routable token ends in ".<2 chars><7-char checksum>" after a payload of 27 or more characters. */
const routable = (prefix: string): string => `${prefix}[A-Za-z0-9_-]{27,300}\\.[0-9a-z]{9}`;

export const gitlab = tokenFamily({
  id: "gitlab",
  keywords: [
    "glpat-",
    "gldt-",
    "glrt-",
    "gr1348941",
    "glptt-",
    "glcbt-",
    "glft-",
    "glimt-",
    "gloas-",
    "glsoat-",
    "glagent-",
    "glffct-",
  ],
  maxLength: 320,
  formats: [
    { kind: "gitlab_pat", source: `${routable("glpat-")}|glpat-[A-Za-z0-9_-]{20}`, prefix: 6, confidence: 0.95 },
    { kind: "gitlab_deploy_token", source: "gldt-[A-Za-z0-9_-]{20}", prefix: 5, confidence: 0.95 },
    { kind: "gitlab_runner_token", source: `${routable("glrt-t\\d_")}|glrt-[A-Za-z0-9_-]{20}`, prefix: 5, confidence: 0.95 },
    { kind: "gitlab_runner_registration_token", source: "GR1348941[A-Za-z0-9_-]{20}", prefix: 9, confidence: 0.95 },
    { kind: "gitlab_pipeline_trigger_token", source: "glptt-[0-9a-f]{40}", prefix: 6, confidence: 0.95 },
    { kind: "gitlab_ci_job_token", source: "glcbt-[0-9a-zA-Z]{1,5}_[A-Za-z0-9_-]{20}", prefix: 6, confidence: 0.95 },
    { kind: "gitlab_feed_token", source: "glft-[A-Za-z0-9_-]{20}", prefix: 5, confidence: 0.9 },
    { kind: "gitlab_incoming_mail_token", source: "glimt-[A-Za-z0-9_-]{25}", prefix: 6, confidence: 0.9 },
    { kind: "gitlab_oauth_app_secret", source: "gloas-[A-Za-z0-9_-]{64}", prefix: 6, confidence: 0.95 },
    { kind: "gitlab_scim_token", source: "glsoat-[A-Za-z0-9_-]{20}", prefix: 7, confidence: 0.95 },
    { kind: "gitlab_agent_token", source: "glagent-[A-Za-z0-9_-]{50}", prefix: 8, confidence: 0.95 },
    { kind: "gitlab_feature_flag_token", source: "glffct-[A-Za-z0-9_-]{20}", prefix: 7, confidence: 0.9 },
  ],
});
