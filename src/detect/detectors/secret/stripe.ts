// Stripe keys: live secret (sk_live_), live restricted (rk_live_), webhook signing secrets (whsec_) and test-mode
// keys (sk_test_/rk_test_), which reach only test data and so carry a lower confidence.
import { tokenFamily } from "./shared";

export const stripe = tokenFamily({
  id: "stripe",
  keywords: ["sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_"],
  maxLength: 255,
  formats: [
    { kind: "stripe_secret_key", source: "sk_live_[A-Za-z0-9]{20,247}", prefix: 8, confidence: 0.95 },
    { kind: "stripe_restricted_key", source: "rk_live_[A-Za-z0-9]{20,247}", prefix: 8, confidence: 0.95 },
    { kind: "stripe_test_key", source: "[sr]k_test_[A-Za-z0-9]{20,247}", prefix: 8, confidence: 0.55 },
    { kind: "stripe_webhook_secret", source: "whsec_[A-Za-z0-9+/]{32,88}={0,2}", prefix: 6, confidence: 0.9 },
  ],
  edge: "A-Za-z0-9_+/=\\-",
});
