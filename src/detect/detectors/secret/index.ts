// The secret detectors, in one list for the scanner: vendor formats with exact structure first, then context-gated
// formats, then the generic ones (overlaps are merged by the scanner, highest confidence first).
import type { Detector } from "../../types";
import { aiProviders } from "./ai-providers";
import { anthropic } from "./anthropic";
import { atlassian } from "./atlassian";
import { authorization } from "./authorization";
import { awsAccessKeyId, awsSecretAccessKey, awsSessionToken } from "./aws";
import { azureAd } from "./azure-ad";
import { azureConnectionString } from "./azure-connection-string";
import { azureSas } from "./azure-sas";
import { chatWebhooks } from "./chat-webhooks";
import { cliPassword } from "./cli-password";
import { cloudPlatforms } from "./cloud-platforms";
import { commerce } from "./commerce";
import { devTools } from "./dev-tools";
import { dockerConfig } from "./docker-config";
import { dockerHub } from "./docker-hub";
import { emailMarketing } from "./email-marketing";
import { facebook } from "./facebook";
import { gcpServiceAccount } from "./gcp-service-account";
import { genericAssignment } from "./generic-assignment";
import { github } from "./github";
import { gitlab } from "./gitlab";
import { google } from "./google";
import { huggingface } from "./huggingface";
import { jwt } from "./jwt";
import { mailgun } from "./mailgun";
import { npm } from "./npm";
import { openai } from "./openai";
import { openaiCompatible } from "./openai-compatible";
import { packageRegistries } from "./package-registries";
import { privateKey } from "./private-key";
import { pypi } from "./pypi";
import { onePassword, secretsManagers } from "./secrets-managers";
import { sendgrid } from "./sendgrid";
import { slack } from "./slack";
import { slackWebhook } from "./slack-webhook";
import { stripe } from "./stripe";
import { telegram } from "./telegram";
import { twilioApiKey, twilioAuthToken } from "./twilio";
import { urlCredentials } from "./url-credentials";

const detectors: readonly Detector[] = [
  awsAccessKeyId,
  awsSecretAccessKey,
  awsSessionToken,
  google,
  gcpServiceAccount,
  azureConnectionString,
  azureSas,
  azureAd,
  github,
  gitlab,
  atlassian,
  slack,
  slackWebhook,
  stripe,
  twilioApiKey,
  twilioAuthToken,
  sendgrid,
  mailgun,
  openai,
  openaiCompatible,
  anthropic,
  huggingface,
  aiProviders,
  npm,
  pypi,
  dockerHub,
  packageRegistries,
  cloudPlatforms,
  secretsManagers,
  onePassword,
  devTools,
  commerce,
  emailMarketing,
  chatWebhooks,
  telegram,
  facebook,
  dockerConfig,
  privateKey,
  jwt,
  urlCredentials,
  authorization,
  cliPassword,
  genericAssignment,
];

/**
 * Adds to each detector the other detectors' keywords that contain one of its own ("--password" holds "pass",
 * "secret_access_key" holds "secret"): a prefilter that reports one match per position, longest first, would
 * otherwise never see the shorter keyword there and skip this detector.
 */
function withImpliedKeywords(list: readonly Detector[]): Detector[] {
  const all = [...new Set(list.flatMap((d) => d.keywords))];
  return list.map((d) => {
    const implied = all.filter((k) => !d.keywords.includes(k) && d.keywords.some((own) => k.includes(own)));
    return implied.length === 0 ? d : { ...d, keywords: [...d.keywords, ...implied] };
  });
}

export const secretDetectors: readonly Detector[] = withImpliedKeywords(detectors);
