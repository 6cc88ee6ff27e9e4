// The command registry: one entry per command folder file.
import { doctor } from "./commands/doctor.mjs";
import { env } from "./commands/env.mjs";

export { UserError } from "./connection.mjs";
export const commands = { env, doctor };
