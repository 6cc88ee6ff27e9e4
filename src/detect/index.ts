// The standard detector set: every category, compiled once per isolate by the scanner.
import { exfilDetectors } from "./detectors/exfil";
import { injectionDetectors } from "./detectors/injection";
import { piiDetectors } from "./detectors/pii";
import { secretDetectors } from "./detectors/secret";
import { unicodeDetectors } from "./detectors/unicode";
import type { Detector } from "./types";

export const standardDetectors: readonly Detector[] = [
  ...secretDetectors,
  ...piiDetectors,
  ...injectionDetectors,
  ...unicodeDetectors,
  ...exfilDetectors,
];

export { scan } from "./scan";
export type { Category, Detector, Finding } from "./types";
