// The unicode-attack detectors, in one list for the scanner. All run on every text; pure ASCII returns at once.
import type { Detector } from "../../types";
import { bidiOverride } from "./bidi-override";
import { homoglyph } from "./homoglyph";
import { invisible } from "./invisible";
import { tagCharacters } from "./tag-characters";

export const unicodeDetectors: readonly Detector[] = [invisible, tagCharacters, bidiOverride, homoglyph];
