// `ringfence doctor`: is the gateway reachable, and does it accept this token? Exit 0 only when both hold.
import { connection } from "../connection.mjs";

export const doctor = {
  summary: "check that the gateway answers and accepts the token",
  async run(args) {
    const { url, token } = connection(args);
    const lines = [];
    let ok = true;
    try {
      const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
      lines.push(`${health.ok ? "ok  " : "FAIL"} gateway ${url} answers (${health.status})`);
      ok &&= health.ok;
      const models = await fetch(`${url}/v1/models`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5000),
      });
      const body = await models.json().catch(() => ({}));
      if (models.ok) {
        const ids = (body.data ?? []).map((m) => m.id);
        lines.push(
          `ok   token accepted; ${ids.length} model(s) allowed: ${ids.slice(0, 8).join(", ")}${ids.length > 8 ? ", …" : ""}`,
        );
      } else {
        ok = false;
        lines.push(`FAIL token refused (${models.status}): ${body.error?.message ?? "no message"}`);
      }
    } catch (err) {
      ok = false;
      lines.push(`FAIL gateway ${url} unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return ok ? 0 : 1;
  },
};
