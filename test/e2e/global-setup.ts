// Vitest globalSetup for the e2e project: bundle the Worker once per run and hand its folder to every test file.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { build } from "../../scripts/serve.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The output of `wrangler deploy --dry-run --outdir`, read by test/e2e/harness.ts. */
    ringfenceBuildDir?: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ringfence-e2e-build-"));
  build(dir);
  project.provide("ringfenceBuildDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
