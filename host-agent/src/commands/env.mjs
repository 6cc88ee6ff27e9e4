// `ringfence env`: the environment variables that point OpenAI and Anthropic clients (and Claude Code) at the gateway.
import { connection } from "../connection.mjs";

export const env = {
  summary: "print the exports that route OpenAI / Anthropic clients through ringfence",
  run(args) {
    const { url, token } = connection(args);
    const q = (v) => `'${v.replaceAll("'", "'\\''")}'`;
    process.stdout.write(
      [
        `export OPENAI_BASE_URL=${q(`${url}/v1`)}`,
        `export OPENAI_API_KEY=${q(token)}`,
        `export ANTHROPIC_BASE_URL=${q(url)}`,
        `export ANTHROPIC_API_KEY=${q(token)}`,
        "",
      ].join("\n"),
    );
    return 0;
  },
};
