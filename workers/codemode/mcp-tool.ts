// Code mode as a tool of the /mcp aggregate, so any MCP client gets it: `codemode__execute`, whose description carries
// the TypeScript declaration of exactly the tools the caller may use.
import { type DeclaredTool, declarationsHeader, toolDeclarations } from "../../src/codemode/declarations";
import { logExecution } from "./audit";
import { admitAndExecute, ExecuteBodySchema, MAX_CODE_CHARS, type Runner } from "./executor";

export const CODEMODE_TOOL = "codemode__execute";

export function codemodeToolDefinition(tools: readonly DeclaredTool[]): Record<string, unknown> {
  return {
    name: CODEMODE_TOOL,
    title: "Run a program that calls tools",
    description: [
      "Runs a short JavaScript or TypeScript program in a fresh sandbox (no network) and returns what it returns, with its",
      "console output and the tool calls it made. Prefer it to one-by-one tool calls when a task needs several calls,",
      "loops or filtering: only the program's result comes back. The tools it can call:",
      "",
      declarationsHeader(),
      toolDeclarations(tools),
    ].join("\n"),
    inputSchema: {
      type: "object",
      properties: {
        code: { type: "string", maxLength: MAX_CODE_CHARS, description: "The body of an async function." },
        language: { type: "string", enum: ["js", "ts"], default: "js" },
        timeoutMs: { type: "integer", minimum: 1, description: "Lowers the policy's wall-time limit." },
      },
      required: ["code"],
      additionalProperties: false,
    },
  };
}

/** A CallToolResult: the executor's answer as text and as structured content; an execution error is a tool error. */
export async function callCodemodeTool(run: Runner, args: unknown): Promise<Record<string, unknown>> {
  const parsed = ExecuteBodySchema.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const text = `Invalid arguments${issue?.path.length ? ` at '${issue.path.join(".")}'` : ""}: ${issue?.message ?? "invalid"}`;
    return { content: [{ type: "text", text }], isError: true };
  }
  const started = Date.now();
  const { answer } = await admitAndExecute(run, parsed.data);
  logExecution(run.requestId, run.claims, answer, Date.now() - started);
  return {
    content: [{ type: "text", text: JSON.stringify(answer) }],
    structuredContent: answer,
    isError: answer.error !== undefined,
  };
}
