#!/usr/bin/env node
// `ringfence`: a tiny bin over one command registry; user errors print a message and exit 2, bugs print a stack.
import { commands, UserError } from "./registry.mjs";

const [name, ...args] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
try {
  if (!command) {
    const list = Object.entries(commands)
      .map(([n, c]) => `  ${n.padEnd(8)} ${c.summary}`)
      .join("\n");
    if (name && name !== "help" && name !== "--help") throw new UserError(`unknown command '${name}'\n\nCommands:\n${list}`);
    process.stdout.write(`Usage: ringfence <command> [options]\n\nCommands:\n${list}\n`);
  } else {
    process.exitCode = (await command.run(args)) ?? 0;
  }
} catch (err) {
  if (err instanceof UserError) {
    process.stderr.write(`ringfence: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`ringfence: internal error\n${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  }
}
