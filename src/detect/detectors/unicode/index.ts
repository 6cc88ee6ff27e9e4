// The unicode-attack detectors, in one list for the scanner. Each but homoglyph is keyed by its own characters.
import type { Detector } from "../../types";
import { bidiOverride } from "./bidi-override";
import { homoglyph } from "./homoglyph";
import { invisible } from "./invisible";
import { tagCharacters } from "./tag-characters";

export const unicodeDetectors: readonly Detector[] = [invisible, tagCharacters, bidiOverride, homoglyph];
