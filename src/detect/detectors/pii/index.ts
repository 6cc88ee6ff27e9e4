// The PII detectors, in one list for the scanner: the identifier kinds share one pass (identifiers.ts); labelled
// formats run only near their labels.
import type { Detector } from "../../types";
import { email } from "./email";
import { identifiers } from "./identifiers";
import { nlBsn } from "./nl-bsn";
import { usSsnLabelled } from "./us-ssn";

export const piiDetectors: readonly Detector[] = [email, identifiers, usSsnLabelled, nlBsn];
