import { describe, expect, it } from "vitest";
import { checkUpstreamUrl, parseTrustedHosts } from "../../src/providers/ssrf";

const none = parseTrustedHosts("");
const loopback = parseTrustedHosts("127.0.0.1, localhost ,[::1]");

describe("checkUpstreamUrl", () => {
  it("allows https to public hosts", () => {
    expect(checkUpstreamUrl("https://api.openai.com/v1", none).ok).toBe(true);
    expect(checkUpstreamUrl("https://openrouter.ai/api/v1", none).ok).toBe(true);
  });

  it.each([
    ["http://api.example.com/v1", "https is required"],
    ["https://127.0.0.1/v1", "private"],
    ["https://10.1.2.3/v1", "private"],
    ["https://169.254.169.254/latest", "private"],
    ["https://192.168.0.10/v1", "private"],
    ["https://[::1]/v1", "private"],
    ["https://[fd00::1]/v1", "private"],
    ["https://localhost/v1", "private"],
    ["https://metadata.google.internal/", "private"],
    ["https://intranet/v1", "private"],
    ["https://user:pw@api.example.com/v1", "credentials"],
    ["ftp://api.example.com", "https is required"],
    ["not a url", "not a valid URL"],
  ])("refuses %s", (url, reason) => {
    const v = checkUpstreamUrl(url, none);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toContain(reason);
  });

  it("allows plain http to hosts the operator trusts, and only those", () => {
    expect(checkUpstreamUrl("http://127.0.0.1:11434/v1", loopback).ok).toBe(true);
    expect(checkUpstreamUrl("http://localhost:8000/v1", loopback).ok).toBe(true);
    expect(checkUpstreamUrl("http://[::1]:8000/v1", loopback).ok).toBe(true);
    expect(checkUpstreamUrl("http://10.0.0.5/v1", loopback).ok).toBe(false);
    expect(checkUpstreamUrl("file:///etc/passwd", loopback).ok).toBe(false);
  });
});
