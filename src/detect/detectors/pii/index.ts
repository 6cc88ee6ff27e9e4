// The PII detectors, in one list for the scanner.
import type { Detector } from "../../types";
import { beNationalNumber } from "./be-national-number";
import { email } from "./email";
import { esDni } from "./es-dni";
import { esNie } from "./es-nie";
import { frNir } from "./fr-nir";
import { iban } from "./iban";
import { ipAddress } from "./ip-address";
import { itCodiceFiscale } from "./it-codice-fiscale";
import { nlBsn } from "./nl-bsn";
import { paymentCard } from "./payment-card";
import { phone } from "./phone";
import { ukNino } from "./uk-nino";
import { usSsn, usSsnLabelled } from "./us-ssn";

export const piiDetectors: readonly Detector[] = [
  email,
  phone,
  paymentCard,
  iban,
  usSsn,
  usSsnLabelled,
  ukNino,
  beNationalNumber,
  nlBsn,
  frNir,
  esDni,
  esNie,
  itCodiceFiscale,
  ipAddress,
];
