// injection.direct_override: text telling the model to drop its instructions ("ignore all previous instructions"), EN/FR/NL/DE/ES.
//
// Decisions (tested in test/unit/detect-injection.test.ts):
// - The verb and the noun are not enough ("ignore the rules of the game"): the phrase must point at earlier or system
//   instructions ("previous", "above", "system", "your"; 0.85) or at all of them ("all instructions"; 0.7).
// - "my"/"our" instructions is a user correcting themselves ("ignore my previous instructions"): not a finding; nor
//   are messages, conversations and context ("please disregard the previous message" is ordinary email).
// - A conditional aside is damped ("if you use Docker, ignore the above instructions").
// - "Forget everything" alone is a common idiom (0.5; "forget everything you know about X" is not matched); pointed
//   at what came before ("forget everything above") it is 0.85.
// - Keys are the verbs with the separator after them ("ignore " but not "ignored", ".gitignore" or "ignoreCase"), and
//   the nouns "instruc..." and "system prompt", which every phrasing with a rarer verb ("discard", "set aside") holds.
import type { Rule } from "./anchors";
import { injectionDetector } from "./engine";

const POSITIONAL =
  /previous|prior|above|earlier|preceding|foregoing|initial|original|former|aforementioned|system|developer|hidden|safety|ethical|moral|\byour\b|\bgiven\b|so\s+far|précédent|antérieur|ci-dessus|initia|origine|systè|\b(?:tes|vos|ton|ta|votre|je|jouw|uw|deine|ihre|tus|sus)\b|vorig|voorgaand|eerder|bovenstaand|systeem|vorherig|obig|früher|vorangegangen|bisherig|ursprünglich|anterior|previa|arriba|sistema|inicial/i;
const ALL = /\b(?:all|any|every|toutes|tous|alle|sämtliche\w*|todas|todos|cualquier)\b/i;
const OWN = /\b(?:my|our|mes|mon|ma|nos|notre|mijn|onze|meine\w*|unsere\w*|mis|nuestras?)\b/i;

/** Strength of a verb + modifiers + noun phrase from the words it contains. */
function pointed(m: RegExpExecArray): number {
  const phrase = m[0];
  if (OWN.test(phrase)) return 0;
  if (POSITIONAL.test(phrase)) return 0.85;
  if (ALL.test(phrase)) return 0.7;
  return 0;
}

const EN_NOUN =
  "(?:instructions?|directions|directives?|prompts?|rules|guidelines|guidance|commands?|orders|constraints|restrictions|guardrails|programming|training|polic(?:y|ies)|filters|conditioning|principles|text)";
const EN_MODIFIER =
  "(?:all|any|every|each|the|your|my|our|of|these|those|this|that|and|other|such|earlier|previous|prior|above|preceding|foregoing|initial|original|former|existing|current|given|old|aforementioned|above-mentioned|system|safety|ethical|moral|developer|hidden|programmed|built-in)";
const EN_AFTER = "(?:\\s+(?:above|so\\s+far|you\\s+(?:were|have\\s+been)\\s+given|given\\s+(?:to\\s+you|above|before)))?";
const EN_VERB =
  "(?:ignore|disregard|forget(?:\\s+about)?|override|overrule|bypass|circumvent|abandon|discard|neglect|throw\\s+(?:out|away)|set\\s+aside|pay\\s+no\\s+attention\\s+to|do\\s+not\\s+(?:follow|obey|heed)|don'?t\\s+(?:follow|obey|heed)|stop\\s+(?:following|obeying)|no\\s+longer\\s+(?:follow|obey))";

/** A verb as keys: followed by each separator the rules allow, so "ignored" or ".gitignore" wake nothing. */
const verb = (...forms: string[]): string[] => forms.flatMap((f) => [" ", "\n", "\t", "\r", ","].map((sep) => f + sep));
const IGNORE_EN = verb("ignore");
const IGNORE_FR = verb("ignore", "ignorer", "ignorez");
const IGNORE_ES = verb("ignora", "ignore", "ignoren", "ignorad", "ignorar");

const RULES: readonly Rule[] = [
  {
    keys: [
      ...IGNORE_EN,
      ...verb("override"),
      "disregard",
      "forget",
      "overrule",
      "bypass",
      "circumvent",
      "instruc",
      "system prompt",
    ],
    re: new RegExp(`\\b${EN_VERB}(?:[\\s,]+${EN_MODIFIER}){1,6}[\\s,]+${EN_NOUN}\\b${EN_AFTER}`, "gi"),
    weight: pointed,
  },
  {
    keys: [...IGNORE_EN, "disregard", "forget"],
    re: /\b(?:ignore|disregard|forget)\s+(?:everything|all|anything)\s+(?:(?:written|stated|said|mentioned)\s+)?(?:above|before|previously|prior|so\s+far|earlier|you(?:'ve|\s+have)?\s+(?:been\s+told|were\s+told|learned)|(?:that\s+)?(?:i|we)\s+(?:said|told\s+you|wrote)|that\s+came\s+before|preceding)/gi,
    weight: 0.85,
  },
  {
    keys: ["forget"],
    re: /\bforget\s+everything\b(?!\s+(?:you|we|i)\s+(?:know|knew|thought|learned|believed))(?!\s+about)/gi,
    weight: 0.5,
  },
  {
    keys: ["instruc", "system prompt"],
    re: /\b(?:your\s+)?(?:new|updated|revised|real|actual|true|overriding|secret)\s+(?:system\s+)?(?:instructions?|directives?|system\s+prompt)\s*(?::|are\s*:|are\s+(?:as\s+follows|to)\b)/gi,
    weight: (m) => (/^your/i.test(m[0]) ? 0.75 : 0.6),
  },
  {
    keys: ["instruc", "system prompt"],
    re: /\b(?:previous|prior|above|earlier|original|old|system)\s+(?:instructions?|prompts?|rules|directives?)\s+(?:are|were|have\s+been|is|has\s+been)\s+(?:now\s+)?(?:cancell?ed|revoked|void|null|overridden|superseded|lifted|disabled|suspended|no\s+longer\s+(?:valid|in\s+effect|apply|applicable)|fake|a\s+test)/gi,
    weight: 0.7,
  },
  // French: verb, determiners, noun, trailing adjective ("ignore toutes les instructions précédentes").
  {
    keys: [...IGNORE_FR, "oubli", "instruc", "abstraction", "compte d"],
    re: /\b(?:ignore[rz]?|oublie[rz]?|ne\s+(?:tiens|tenez|tenir)\s+(?:pas\s+)?compte\s+(?:des?|du)|(?:fais|faites)\s+abstraction\s+(?:des?|du))(?:\s+(?:toutes?|tous|les|des|vos|tes|ta|ton|votre|mes|ma|mon|la|le|ces|de|du|précédentes?|anciennes?)){0,6}\s+(?:instructions?|consignes?|directives?|règles|ordres|indications|messages?|prompts?)(?:\s+(?:qui\s+)?(?:précédent\w*|antérieur\w*|ci-dessus|initial\w*|d'origine|du\s+système|système|reçues|données))?/gi,
    weight: pointed,
  },
  {
    keys: ["oubli", ...IGNORE_FR],
    re: /\b(?:oublie[rz]?|ignore[rz]?)\s+tout(?:\s+ce\s+qui\s+(?:précède|a\s+été\s+dit)|\s+ce\s+qu'on\s+t'a\s+dit)?/gi,
    weight: (m) => (/pr[ée]c[èe]de|dit/i.test(m[0]) ? 0.85 : 0.5),
  },
  // Dutch.
  {
    keys: ["negeer", "negeren", "vergeet", "vergeten", "veronachtzaam", "instruc"],
    re: /\b(?:negeer|negeren|vergeet|vergeten|veronachtzaam)(?:\s+(?:alle|al|de|het|je|jouw|uw|mijn|onze|eerdere|vorige|voorgaande|bovenstaande|oude|deze|die|gegeven)){0,6}\s+(?:instructies|instructie|opdrachten|aanwijzingen|regels|richtlijnen|prompts?|systeemprompt)\b/gi,
    weight: pointed,
  },
  {
    keys: ["negeren", "vergeten", "instruc"],
    re: /\b(?:alle\s+|de\s+|je\s+)?(?:vorige|voorgaande|eerdere|bovenstaande)\s+(?:instructies|opdrachten|aanwijzingen|regels)\s+(?:negeren|vergeten)\b/gi,
    weight: 0.85,
  },
  {
    keys: ["vergeet"],
    re: /\bvergeet\s+alles\b(?:\s+wat\s+(?:je|ik|hierboven|eerder|er))?/gi,
    weight: (m) => (/wat/i.test(m[0]) ? 0.85 : 0.5),
  },
  // German, verb first ("ignoriere alle vorherigen Anweisungen") and verb last ("alle vorherigen Anweisungen ignorieren").
  {
    keys: ["ignorier", "vergiss", "vergess", "missacht", "verwirf", "verwerf", "anweisung"],
    re: /\b(?:ignorier(?:e|en|t)?|vergiss|vergesst|vergessen|missachte|missachten|übergehe|verwirf|verwerfen)(?:\s+(?:sie|du|bitte|einfach))?(?:\s+(?:alle|alles|die|deine|ihre|meine|unsere|sämtliche|sämtlichen|bisherigen|vorherigen|vorigen|obigen|früheren|vorangegangenen|vorherige|vorige|obige|frühere|bisherige|ursprünglichen|ursprüngliche|gegebenen)){0,6}\s+(?:anweisungen|anweisung|instruktionen|befehle|regeln|richtlinien|vorgaben|anordnungen|systemprompts?|systemanweisungen|prompts?|aufforderungen)/gi,
    weight: pointed,
  },
  {
    keys: ["anweisung", "ignorier", "vergess", "missacht", "verwerf"],
    re: /\b(?:alle|die|deine|ihre|sämtliche)?\s*(?:vorherigen|vorigen|obigen|früheren|bisherigen|vorangegangenen)\s+(?:anweisungen|instruktionen|befehle|regeln|vorgaben)\s+(?:ignorieren|vergessen|missachten|verwerfen)/gi,
    weight: 0.85,
  },
  {
    keys: ["vergiss"],
    re: /\bvergiss\s+alles\b(?:,?\s+was\s+(?:du|ich|oben|bisher|zuvor))?/gi,
    weight: (m) => (/was/i.test(m[0]) ? 0.85 : 0.5),
  },
  // Spanish.
  {
    keys: [...IGNORE_ES, "olvid", "omite", "omita", "descart", "desestim", "instruc", "caso omiso"],
    re: /\b(?:ignora|ignore|ignoren|ignorad|ignorar|olvida|olvide|olviden|olvidad|olvidar|omite|omita|descarta|descarte|desestima|haz\s+caso\s+omiso\s+(?:de|a))(?:\s+(?:todas?|todos|las|los|tus|sus|mis|el|la|de|lo|cualquier)){0,6}\s+(?:instrucciones|instrucción|indicaciones|reglas|órdenes|directrices|normas|mensajes|prompts?|consignas|directivas)(?:\s+(?:anteriores|previas|de\s+arriba|iniciales|del\s+sistema|originales|dadas|recibidas))?/gi,
    weight: pointed,
  },
  {
    keys: ["olvid"],
    re: /\bolvida\s+todo\b(?:\s+lo\s+(?:anterior|que\s+te\s+(?:dije|dijeron|han\s+dicho)))?/gi,
    weight: (m) => (/lo\s/i.test(m[0]) ? 0.85 : 0.5),
  },
];

export const directOverride = injectionDetector({ kind: "direct_override", probes: RULES, conditional: true });
