// Google credentials: API keys (AIza…, GCP and Google AI / Gemini alike), OAuth access tokens (ya29.), OAuth
// refresh tokens (1//0…), OAuth client secrets (GOCSPX-) and Firebase Cloud Messaging server keys (…:APA91b…).
import { tokenFamily } from "./shared";

export const google = tokenFamily({
  id: "google",
  keywords: ["aiza", "ya29.", "1//0", "gocspx-", "apa91b"],
  maxLength: 2060,
  formats: [
    { kind: "gcp_api_key", source: "AIza[A-Za-z0-9_-]{35}", prefix: 4, confidence: 0.95 },
    { kind: "google_oauth_access_token", source: "ya29\\.[A-Za-z0-9_-]{30,2048}", prefix: 5, confidence: 0.92 },
    { kind: "google_oauth_refresh_token", source: "1//0[A-Za-z0-9_-]{40,512}", prefix: 4, confidence: 0.88 },
    { kind: "google_oauth_client_secret", source: "GOCSPX-[A-Za-z0-9_-]{28}", prefix: 7, confidence: 0.95 },
    {
      kind: "firebase_cloud_messaging_key",
      source: "AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134}",
      prefix: 0,
      confidence: 0.95,
      body: (t) => t.slice(t.indexOf(":APA91b") + 7),
    },
  ],
});
