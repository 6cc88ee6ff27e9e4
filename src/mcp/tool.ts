// An MCP tool definition as a server lists it: the fields the broker reads, everything else kept as sent.
import { z } from "zod";

/** A JSON object (a JSON Schema, annotations): its own fields are not constrained here. */
const JsonObjectSchema = z.record(z.string(), z.unknown());

export const ToolDefSchema = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: JsonObjectSchema,
  outputSchema: JsonObjectSchema.optional(),
  annotations: JsonObjectSchema.optional(),
});
export type ToolDef = z.infer<typeof ToolDefSchema>;
