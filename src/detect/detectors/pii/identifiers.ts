// pii.identifiers: every identifier-shaped PII kind (phone, card, IBAN, national ids, IP) in one shared pass, each
// finding with its own kind; the per-kind detectors (phone, iban, …) run the same code for one kind alone.
import type { Detector } from "../../types";
import { beNationalNumberKind } from "./be-national-number";
import { identifierDetector } from "./clusters";
import { esDniKind } from "./es-dni";
import { esNieKind } from "./es-nie";
import { frNirKind } from "./fr-nir";
import { ibanKind } from "./iban";
import { ipAddressKind } from "./ip-address";
import { itCodiceFiscaleKind } from "./it-codice-fiscale";
import { paymentCardKind } from "./payment-card";
import { phoneKind } from "./phone";
import { ukNinoKind } from "./uk-nino";
import { usSsnKind } from "./us-ssn";

export const identifierKinds = [
  phoneKind,
  paymentCardKind,
  ibanKind,
  usSsnKind,
  ukNinoKind,
  beNationalNumberKind,
  frNirKind,
  esDniKind,
  esNieKind,
  itCodiceFiscaleKind,
  ipAddressKind,
] as const;

export const identifiers: Detector = identifierDetector("identifiers", identifierKinds);
