// One audit line per execution: who, how long, which tools, how it ended — never the code or its values.
import type { CapabilityClaims } from "../../src/tokens/claims";
import type { ExecuteAnswer } from "./executor";

export function logExecution(requestId: string, claims: CapabilityClaims, answer: ExecuteAnswer, ms: number): void {
  console.log(
    JSON.stringify({
      event: "codemode",
      requestId,
      org: claims.org,
      sub: claims.sub,
      token: claims.jti,
      ms,
      toolCalls: answer.toolCalls.map((t) => `${t.server}/${t.tool}${t.error ? `:${t.error}` : ""}`),
      ...(answer.error ? { error: answer.error.kind } : {}),
    }),
  );
}
