// The three presets. `standard` (the default) keeps every detected secret and structured PII value from the provider.
import type { Policy, Preset } from "./schema";

export const PRESETS: Readonly<Record<Preset, Policy>> = {
  /** Secrets never leave; everything else is recorded only. */
  starter: {
    preset: "starter",
    mode: "enforce",
    request: { "*": "flag", "secret.*": "redact" },
    response: { "*": "flag", "secret.*": "redact" },
    minConfidence: 0.5,
    noTrain: { storeFalse: true, requireZeroRetention: false },
    mcp: {
      access: { default: "allow", servers: {} },
      arguments: { "*": "flag", "secret.*": "block" },
      results: { "*": "flag", "secret.*": "redact" },
      definitions: "flag",
      pinning: "record",
      constraints: {},
      loop: { maxRepeats: 20, windowSeconds: 60 },
    },
    codemode: {
      enabled: true,
      egress: [],
      limits: {
        wallMs: 30_000,
        cpuMs: 30_000,
        steps: 50_000_000,
        toolCalls: 100,
        subRequests: 50,
        logBytes: 256 << 10,
        resultBytes: 4 << 20,
      },
    },
  },
  /** Secrets redacted both ways, private keys blocked; structured PII tokenized (restored in the answer); invisible-text attacks stripped; exfil links in answers neutralised. */
  standard: {
    preset: "standard",
    mode: "enforce",
    request: {
      "*": "flag",
      "secret.*": "redact",
      "secret.private_key": "block",
      "pii.*": "tokenize",
      "pii.ip_address": "flag",
      "unicode.tag_characters": "redact",
      "unicode.bidi_override": "redact",
    },
    response: {
      "*": "flag",
      "secret.*": "redact",
      "exfil.markdown_image": "redact",
      "unicode.tag_characters": "redact",
      "unicode.bidi_override": "redact",
    },
    minConfidence: 0.5,
    noTrain: { storeFalse: true, requireZeroRetention: false },
    /** Tools: secrets and exfil never leave through arguments; injection, secrets and hidden text are cut from results. */
    mcp: {
      access: { default: "allow", servers: {} },
      arguments: { "*": "flag", "secret.*": "block", "exfil.*": "block" },
      results: {
        "*": "flag",
        "secret.*": "redact",
        "injection.*": "redact",
        "unicode.*": "redact",
        "exfil.*": "redact",
      },
      definitions: "block",
      pinning: "enforce",
      constraints: {},
      loop: { maxRepeats: 5, windowSeconds: 60, maxCallsPerSession: 500 },
    },
    /** Code mode: on, no network, tools only through the broker. */
    codemode: {
      enabled: true,
      egress: [],
      limits: {
        wallMs: 30_000,
        cpuMs: 10_000,
        steps: 20_000_000,
        toolCalls: 50,
        subRequests: 20,
        logBytes: 64 << 10,
        resultBytes: 1 << 20,
      },
    },
  },
  /** Deny by default: secrets and injection block, all PII tokenized, exfil and hidden text removed, zero-retention routes only. */
  regulated: {
    preset: "regulated",
    mode: "enforce",
    request: {
      "*": "flag",
      "secret.*": "block",
      "pii.*": "tokenize",
      "injection.*": "block",
      "unicode.*": "redact",
      "exfil.*": "redact",
    },
    response: {
      "*": "flag",
      "secret.*": "redact",
      "pii.*": "redact",
      "exfil.*": "redact",
      "unicode.*": "redact",
    },
    minConfidence: 0.6,
    noTrain: { storeFalse: true, requireZeroRetention: true },
    /** Tools: deny unless a server is allowed; anything sensitive in arguments blocks; injection in results blocks. */
    mcp: {
      access: { default: "deny", servers: {} },
      arguments: { "*": "flag", "secret.*": "block", "pii.*": "block", "exfil.*": "block", "injection.*": "block" },
      results: {
        "*": "flag",
        "secret.*": "redact",
        "pii.*": "redact",
        "injection.*": "block",
        "unicode.*": "redact",
        "exfil.*": "redact",
      },
      definitions: "block",
      pinning: "enforce",
      constraints: {},
      loop: { maxRepeats: 3, windowSeconds: 60, maxCallsPerSession: 200 },
    },
    codemode: {
      enabled: true,
      egress: [],
      limits: {
        wallMs: 15_000,
        cpuMs: 5_000,
        steps: 10_000_000,
        toolCalls: 20,
        subRequests: 0,
        logBytes: 64 << 10,
        resultBytes: 1 << 20,
      },
    },
  },
};
