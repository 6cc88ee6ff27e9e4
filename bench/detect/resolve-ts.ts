// Module resolve hook: lets Node's type stripping load src/, whose relative imports omit the ".ts" extension
// (the bundler resolves them in the Worker build; plain Node needs the file name).
import type { ResolveHook } from "node:module";

const RELATIVE = /^\.{1,2}\//;
const HAS_EXTENSION = /\.[cm]?[jt]s$|\.json$/;

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (!RELATIVE.test(specifier) || HAS_EXTENSION.test(specifier)) throw err;
    for (const suffix of [".ts", "/index.ts"]) {
      try {
        return await nextResolve(specifier + suffix, context);
      } catch {
        // try the next shape
      }
    }
    throw err;
  }
};
