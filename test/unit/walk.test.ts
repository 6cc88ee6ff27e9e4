import { describe, expect, it } from "vitest";
import { standardDetectors } from "../../src/detect";
import { guardJson } from "../../src/detect/guard-json";
import { Vault } from "../../src/detect/vault";
import { rewriteStrings } from "../../src/detect/walk";
import { PRESETS } from "../../src/policy/presets";

const visited = (value: unknown): string[] => {
  const out: string[] = [];
  rewriteStrings(value, (text, path) => {
    out.push(path);
    return text;
  });
  return out;
};

// A real 1x1 PNG, and bytes that are not any binary format, both base64.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const AWS_KEY = "AKIAQ7XJ2LMZ4RT6WP3N";
const NOT_BINARY = btoa(`my key is ${AWS_KEY} ok`);

describe("which strings are content", () => {
  it("skips wire-format identifiers and enums", () => {
    const body = {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      tool_choice: "auto",
    };
    expect(visited(body)).toEqual(["messages[0].content"]);
  });

  it("scans every string of a tool input, schema or metadata, whatever its key", () => {
    const body = {
      messages: [
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "toolu_1", name: "save", input: { id: AWS_KEY, status: "x", nested: [{ type: "y" }] } },
          ],
        },
      ],
      tools: [{ name: "save", input_schema: { type: "object", properties: { id: { type: "string", description: "d" } } } }],
      metadata: { role: "r" },
    };
    const paths = visited(body);
    expect(paths).toContain("messages[0].content[0].input.id");
    expect(paths).toContain("messages[0].content[0].input.status");
    expect(paths).toContain("messages[0].content[0].input.nested[0].type");
    expect(paths).toContain("tools[0].input_schema.properties.id.description");
    expect(paths).toContain("metadata.role");
    expect(paths).not.toContain("messages[0].content[0].id"); // the block's own id is structural
  });

  it("leaves real binary alone and scans anything that only looks like it", () => {
    const body = {
      a: `data:image/png;base64,${PNG}`,
      b: { type: "base64", media_type: "image/png", data: PNG },
      c: { input_audio: { data: btoa("RIFF\u0000\u0000\u0000\u0000WAVEfmt abcdefgh"), format: "wav" } },
      d: `data:${AWS_KEY}`,
      e: `data:text/plain;base64,${NOT_BINARY}`,
      f: { type: "base64", data: NOT_BINARY },
      g: "data:text/plain,hello",
    };
    expect(visited(body).sort()).toEqual(["d", "e", "f.data", "g"]);
  });

  it("a secret hidden under a structural key inside a tool input is redacted by the standard policy", () => {
    const vault = new Vault();
    const body = {
      messages: [{ role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "save", input: { id: AWS_KEY } }] }],
    };
    const g = guardJson(body, {
      detectors: standardDetectors,
      rules: PRESETS.standard.request,
      minConfidence: PRESETS.standard.minConfidence,
      enforce: true,
      vault,
      restore: false,
    });
    expect(JSON.stringify(g.value)).not.toContain(AWS_KEY);
    expect(g.decisions.map((d) => d.kind)).toContain("secret.aws_access_key_id");
  });

  it("free-form values (MCP arguments and results) have no structural keys: a secret under `id` or `status` is found", () => {
    const args = { id: AWS_KEY, status: `key ${AWS_KEY}`, nested: { type: AWS_KEY } };
    const options = {
      detectors: standardDetectors,
      rules: PRESETS.standard.mcp.arguments,
      minConfidence: PRESETS.standard.minConfidence,
      enforce: true,
      vault: new Vault(),
      restore: false,
    };
    const wire = guardJson(args, options);
    expect(wire.decisions).toHaveLength(0);
    const free = guardJson(args, { ...options, freeForm: true });
    expect(free.decisions.map((d) => d.path).sort()).toEqual(["id", "nested.type", "status"]);
    expect(free.blocked?.kind).toBe("secret.aws_access_key_id");
  });
});
