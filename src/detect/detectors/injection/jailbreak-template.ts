// injection.jailbreak_template: the known jailbreak scripts (DAN, developer mode, AIM, STAN, grandma, "hypothetically, no rules").
//
// Decisions (tested in test/unit/detect-injection.test.ts):
// - Persona names are case-sensitive ("DAN", not "Dan"). "DAN mode", "DAN:" or a persona given to the model ("you are
//   now DAN", "act as DAN") is 0.75-0.8; any other bare "DAN", and "let's play a game", only corroborate (below the
//   0.3 reporting floor alone).
// - "Developer mode" is an Android and browser setting: it counts only near AI words ("ChatGPT", "content policy",
//   "uncensored", the 🔓 output markers).
// - Grandma and hypothetical framings need their payload: a grandmother who "used to tell me" (or a dangerous topic),
//   a hypothetical world "with no rules". A bedtime story about a late grandmother is not a finding.

import type { Rule } from "./anchors";
import { after, FREEDOM } from "./cues";
import { injectionDetector } from "./engine";

const AI_CONTEXT =
  /chatgpt|\bgpt\b|openai|anthropic|\bai\b|\bllm\b|language\s+model|content\s+polic|censor|restrictions|jailbr|🔓|🔒|normal\s+(?:response|output)|two\s+responses|\b(?:KI|IA)\b/i;
const GRANDMA_STORY = /\b(?:used\s+to|would)\s+(?:tell|read|sing|recite|whisper|explain|give|say|list)\b/i;
const DANGEROUS =
  /napalm|windows\s+(?:\d+\s+)?(?:pro\s+)?(?:product\s+|activation\s+|license\s+|serial\s+)?keys?|serial\s+(?:numbers?|keys?)|license\s+keys?|\bmeth\b|methamphetamine|explosives?|\bbombs?\b|weapons?|poisons?|malware|ransomware|passwords?/i;
const NO_RULES_WORLD =
  /\b(?:no|without)\s+(?:any\s+)?(?:rules|laws|restrictions|consequences|ethics|morals|limits|guidelines|censorship)\b/i;
/** What hands a persona to the model: "you are now", "act as", "pretend to be", "called". */
const PERSONA_FRAME =
  /(?:\byou\s*(?:are|'re)(?:\s+now)?|\b(?:act|acting|respond|answer)\s+as|\bpretend\s+to\s+be|\bbecome|\bcalled|\bnamed|\bknown\s+as|\broleplay\s+as)\s+(?:an?\s+|the\s+)?["'“]?$/i;

function near(text: string, m: RegExpExecArray, reach: number): string {
  return text.slice(Math.max(0, m.index - reach), Math.min(text.length, m.index + m[0].length + reach));
}

/**
 * "DAN" as a word: "dan" alone is in "standard", "guidance", "redundant" ..., so the keys carry what surrounds it.
 * Every match of the rules below starts at "DAN" after one of these openers or ends with one of these closers.
 */
const DAN_KEYS = [
  ...[" ", "\n", "\t", "(", '"', "'", "“", "["].flatMap((before) =>
    [" ", ",", ".", ":", "!", "?", ";", "\n", ")", '"', "'", "”", "]"].map((after) => `${before}dan${after}`),
  ),
  "dan:",
  "dan mode",
  "dan prompt",
  "dan jailbreak",
];

const RULES: readonly Rule[] = [
  { keys: ["do anything now"], re: /\bdo\s+anything\s+now\b/gi, weight: 0.85 },
  { keys: DAN_KEYS, re: /\bDAN\b(?:\s*(?:[Mm]ode|[Pp]rompt|[Jj]ailbreak|\d{1,2}(?:\.\d{1,2})?\b)|\s*:)/g, weight: 0.75 },
  {
    keys: DAN_KEYS,
    re: /\bDAN\b(?!\s*(?:[Mm]ode|[Pp]rompt|[Jj]ailbreak|\d|:))/g,
    weight: (m, text) => (PERSONA_FRAME.test(text.slice(Math.max(0, m.index - 60), m.index)) ? 0.8 : 0.28),
  },
  {
    keys: [
      "developer mode",
      "dev mode",
      "mode développeur",
      "entwicklermodus",
      "ontwikkelaarsmodus",
      "modo desarrollador",
      "modo de desarrollador",
    ],
    re: /\b(?:developer|dev)\s+mode\b|\bmode\s+développeur\b|\bentwicklermodus\b|\bontwikkelaarsmodus\b|\bmodo\s+(?:de\s+)?desarrollador\b/gi,
    weight: (m, text) => (AI_CONTEXT.test(near(text, m, 150)) ? 0.8 : 0),
  },
  { keys: ["always intelligent"], re: /\balways\s+intelligent\s+and\s+machiavellian\b/gi, weight: 0.9 },
  { keys: ["niccol"], re: /\bNiccol[oò][\s\S]{0,300}?\bAIM\b/g, weight: 0.8 },
  { keys: ["strive to avoid"], re: /\bstrive\s+to\s+avoid\s+norms\b/gi, weight: 0.9 },
  { keys: ["mongo tom"], re: /\bMongo\s+Tom\b/g, weight: 0.7 },
  {
    keys: ["grandm", "granny", "grandpa", "grandfather"],
    re: /\b(?:my|our)\s+(?:dead|deceased|late|departed|beloved\s+late|dear\s+departed)\s+(?:grandma|grandmother|granny|nana|grandpa|grandfather)\b/gi,
    weight: (m, text) => {
      const tail = after(text, m.index, 400);
      if (DANGEROUS.test(tail)) return 0.85;
      return GRANDMA_STORY.test(tail) && /\b(?:act|pretend|roleplay|please)\b/i.test(near(text, m, 200)) ? 0.7 : 0;
    },
  },
  {
    keys: [
      "hypothetical",
      "fictional",
      "fictitious",
      "imaginary",
      "parallel world",
      "parallel universe",
      "alternate universe",
      "alternate reality",
    ],
    re: /\bhypothetical(?:ly)?\b|\bin\s+an?\s+(?:fictional|fictitious|imaginary|parallel|alternate)\s+(?:world|universe|reality|story|scenario|setting)\b/gi,
    weight: (m, text) => {
      const tail = after(text, m.index, 250);
      return FREEDOM.test(tail) || NO_RULES_WORLD.test(tail) ? 0.6 : 0;
    },
  },
  {
    keys: ["🔓", "🔒", "/jailbr"],
    re: /(?:🔓|🔒)\s*(?:JAILBREAK|CLASSIC|Developer\s+Mode|Normal)(?:\s+Output)?|\/jailbr(?:oken|eak)\b/g,
    weight: 0.85,
    span: "match",
  },
  {
    keys: ["let's play a game", "lets play a game", "let us play a game"],
    re: /\blet(?:'s|s|\s+us)\s+play\s+a\s+game\b/gi,
    weight: 0.25,
  },
  {
    keys: ["in character", "break character", "breaking character"],
    re: /\b(?:stay|staying|remain)\s+in\s+character\b|\bbreak(?:ing)?\s+character\b/gi,
    weight: 0.28,
  },
  {
    keys: [
      "unrestricted mode",
      "evil mode",
      "jailbreak mode",
      "jailbroken mode",
      "opposite mode",
      "chaos mode",
      "unfiltered mode",
      "uncensored mode",
    ],
    re: /\b(?:enter|entering|switch\s+(?:to|into)|activate|enable|engage|you\s*(?:are|'re)\s+(?:now\s+)?in)\s+(?:the\s+)?(?:unrestricted|evil|jailbreak|jailbroken|opposite|chaos|unfiltered|uncensored|DAN)\s+mode\b/gi,
    weight: 0.8,
  },
];

export const jailbreakTemplate = injectionDetector({ kind: "jailbreak_template", probes: RULES });
