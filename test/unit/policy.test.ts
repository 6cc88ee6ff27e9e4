import { describe, expect, it } from "vitest";
import { RingfenceError } from "../../src/errors";
import { PRESETS } from "../../src/policy/presets";
import { actionFor, compilePolicy, parseFlags, tighten } from "../../src/policy/resolve";
import { STRENGTH } from "../../src/policy/schema";

describe("presets", () => {
  it("standard keeps secrets and structured PII from the provider and redacts secrets from answers", () => {
    const p = PRESETS.standard;
    expect(actionFor(p.request, "secret.github_pat")).toBe("redact");
    expect(actionFor(p.request, "secret.private_key")).toBe("block");
    expect(actionFor(p.request, "pii.email")).toBe("tokenize");
    expect(actionFor(p.request, "pii.ip_address")).toBe("flag");
    expect(actionFor(p.request, "injection.direct_override")).toBe("flag");
    expect(actionFor(p.response, "secret.aws_access_key_id")).toBe("redact");
    expect(p.mode).toBe("enforce");
  });

  it("regulated blocks secrets and injection and requires zero-retention routes", () => {
    const p = PRESETS.regulated;
    expect(actionFor(p.request, "secret.jwt")).toBe("block");
    expect(actionFor(p.request, "injection.role_hijack")).toBe("block");
    expect(p.noTrain.requireZeroRetention).toBe(true);
  });
});

describe("org overrides", () => {
  it("merge rule by rule over the preset, and may switch to shadow mode explicitly", () => {
    const p = compilePolicy("standard", { mode: "shadow", request: { "pii.email": "redact" } });
    expect(p.mode).toBe("shadow");
    expect(actionFor(p.request, "pii.email")).toBe("redact");
    expect(actionFor(p.request, "pii.phone")).toBe("tokenize");
  });
});

describe("flags", () => {
  it("parse both directions or one", () => {
    const f = parseFlags("block:secret.*, response:redact:pii.*, no-train, enforce");
    expect(f.request).toEqual({ "secret.*": "block" });
    expect(f.response).toEqual({ "secret.*": "block", "pii.*": "redact" });
    expect(f.noTrain).toBe(true);
    expect(f.enforce).toBe(true);
  });

  it("refuse nonsense with a clear error naming the header", () => {
    for (const bad of ["explode:secret.*", "block:Secret", "sideways:block:pii.*"]) {
      expect(() => parseFlags(bad)).toThrow(RingfenceError);
    }
  });

  it("only ever tighten: no kind gets a weaker action, whatever the flags say", () => {
    const base = PRESETS.standard;
    const loosened = tighten(base, parseFlags("allow:*,allow:secret.*,flag:pii.*"));
    for (const kind of [
      "secret.github_pat",
      "secret.private_key",
      "pii.email",
      "pii.ip_address",
      "injection.indirect",
      "exfil.dns_tunnel",
    ]) {
      for (const dir of ["request", "response"] as const) {
        expect(STRENGTH[actionFor(loosened[dir], kind)]).toBeGreaterThanOrEqual(STRENGTH[actionFor(base[dir], kind)]);
      }
    }
  });

  it("a family flag lifts the weaker specific rules of that family too", () => {
    const p = tighten(PRESETS.standard, parseFlags("request:block:pii.*"));
    expect(actionFor(p.request, "pii.ip_address")).toBe("block");
    expect(actionFor(p.request, "pii.email")).toBe("block");
    expect(actionFor(p.request, "secret.jwt")).toBe("redact");
  });

  it("enforce turns shadow mode off; nothing turns it on", () => {
    const shadow = compilePolicy("standard", { mode: "shadow" });
    expect(tighten(shadow, parseFlags("enforce")).mode).toBe("enforce");
    expect(tighten(PRESETS.standard, parseFlags("flag:*")).mode).toBe("enforce");
  });
});
