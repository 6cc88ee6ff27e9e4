// The prompt-injection detectors, in one list for the scanner (importing them registers each for corroboration).
import type { Detector } from "../../types";
import { contextManipulation } from "./context-manipulation";
import { directOverride } from "./direct-override";
import { indirect } from "./indirect";
import { jailbreakTemplate } from "./jailbreak-template";
import { roleHijack } from "./role-hijack";

export const injectionDetectors: readonly Detector[] = [
  directOverride,
  roleHijack,
  jailbreakTemplate,
  contextManipulation,
  indirect,
];
