// injection.role_hijack: text giving the model a new, unrestricted identity ("act as an AI without restrictions"), EN/FR/NL/DE/ES.
//
// Decisions (tested in test/unit/detect-injection.test.ts):
// - Role-play framing alone is everyday prompting ("act as a Linux terminal", "you are now logged in",
//   "pretend you are a tour guide"): not a finding.
// - The framing followed within ~250 characters by a freedom cue ("... without any restrictions", "... uncensored",
//   "sans aucune restriction", "ohne Einschränkungen") is a hijack: 0.85. The cue is the anchor, so prose full of
//   "you are" costs nothing until a cue appears.
// - Denying the model's nature ("you are no longer an AI", "tu n'es plus une IA") is a hijack on its own: 0.8; a new
//   identity ("your new persona is ...") is 0.45, flag-only unless corroborated.
// - Persona names ("you are now DAN") are left to injection.jailbreak_template.

import type { Hit, Probe, Rule, Window } from "./anchors";
import { FREEDOM_ALL as FREEDOM } from "./cues";
import { injectionDetector } from "./engine";
import { sentenceEnd, sentenceStart } from "./text";

const CUE_REACH = 250;

/** Framing phrases: nothing alone, a hijack with a freedom cue after them. */
const FRAME = new RegExp(
  [
    "\\byou\\s*(?:are|'re)\\s+(?:now|henceforth|going\\s+to\\s+(?:be|act|pretend))\\b",
    "\\byou\\s+(?:will|must|shall)\\s+(?:now\\s+|always\\s+)?(?:be|act|behave|respond|answer|reply|roleplay|pretend|speak)\\b",
    "\\bpretend\\s+(?:that\\s+)?(?:you\\s*(?:are|'re)|to\\s+be|you\\s+(?:have|were))\\b",
    "\\b(?:act|acting|behave|respond|answer|reply)\\s+(?:as\\s+if\\s+you\\s+(?:are|were)|as|like)\\b",
    "\\b(?:role-?\\s?play(?:ing)?\\s+as|play\\s+the\\s+role\\s+of|impersonate|take\\s+on\\s+the\\s+(?:role|persona)\\s+of|simulate\\s+(?:being\\s+)?an?)\\b",
    "\\b(?:from\\s+now\\s+on|henceforth|going\\s+forward|for\\s+the\\s+rest\\s+of\\s+(?:this|our)\\s+conversation)\\s*,?\\s+(?:you|your)\\b",
    "\\b(?:tu\\s+es|vous\\s+êtes)\\s+(?:maintenant|désormais|dorénavant)\\b",
    "(?:à\\s+partir\\s+de\\s+maintenant|désormais|dorénavant)\\s*,?\\s+(?:tu|vous)\\b",
    "\\b(?:fais|faites)\\s+(?:semblant\\s+d'être|comme\\s+si\\s+(?:tu\\s+étais|vous\\s+étiez))",
    "\\b(?:agis|agissez)\\s+(?:comme|en\\s+tant\\s+que)\\b|\\b(?:joue|jouez)\\s+le\\s+rôle\\b",
    "\\bje\\s+bent\\s+(?:nu|vanaf\\s+nu)\\b|\\bvanaf\\s+nu\\s+(?:ben|moet|zal|ga)\\s+je\\b|\\bdoe\\s+alsof\\s+je\\b|\\bgedraag\\s+je\\s+als\\b|\\bspeel\\s+de\\s+rol\\s+van\\b",
    "\\b(?:du\\s+bist|sie\\s+sind)\\s+(?:jetzt|nun|ab\\s+sofort|ab\\s+jetzt)\\b|\\b(?:ab\\s+jetzt|von\\s+nun\\s+an|ab\\s+sofort)\\s*,?\\s+(?:bist|wirst|musst|sollst)\\s+du\\b",
    "\\btu\\s+so,?\\s+als\\s+(?:ob|wärst)\\b|\\bstell\\s+dir\\s+vor,?\\s+du\\s+(?:bist|wärst)\\b|\\bverhalte\\s+dich\\s+(?:wie|als)\\b|\\bspiele?\\s+die\\s+rolle\\b",
    "\\b(?:ahora|desde\\s+ahora|a\\s+partir\\s+de\\s+ahora)\\s*,?\\s+(?:eres|serás|vas\\s+a\\s+ser)\\b|\\bfinge\\s+(?:que\\s+eres|ser)\\b|\\bhaz\\s+de\\s+cuenta\\s+que\\s+eres\\b|\\bactúa\\s+como\\b|\\b(?:juega|interpreta)\\s+el\\s+papel\\b",
  ].join("|"),
  "gi",
);

/** Strong on their own: the model is told it is not what it is, or given a new identity. */
const RULES: readonly Rule[] = [
  {
    keys: ["are no longer", "'re no longer"],
    re: /\byou\s*(?:are|'re)\s+no\s+longer\s+(?:an?\s+)?(?:AI|assistant|language\s+model|LLM|chatbot|ChatGPT|Claude|GPT|model|bound|restricted|limited|required|constrained|subject|obligated)\b/gi,
    weight: 0.8,
  },
  {
    keys: ["n'es plus", "n'êtes plus"],
    re: /\b(?:tu\s+n'es|vous\s+n'êtes)\s+plus\s+(?:une?\s+)?(?:IA|assistant|modèle|chatbot|lié|limité|soumis)/gi,
    weight: 0.8,
  },
  {
    keys: ["geen ai", "geen assistent", "geen taalmodel", "geen chatbot", "niet langer"],
    re: /\bje\s+bent\s+(?:geen\s+(?:AI|assistent|taalmodel|chatbot)\s+meer|niet\s+langer\s+(?:een\s+)?(?:AI|assistent|gebonden))/gi,
    weight: 0.8,
  },
  {
    keys: ["du bist kein", "du bist nicht mehr"],
    re: /\bdu\s+bist\s+(?:keine?\s+(?:KI|AI|Assistent(?:in)?|Sprachmodell|Chatbot)\s+mehr|nicht\s+mehr\s+(?:an\s+\w+\s+)?(?:gebunden|eingeschränkt))/gi,
    weight: 0.8,
  },
  { keys: ["ya no eres"], re: /\bya\s+no\s+eres\s+(?:una?\s+)?(?:IA|asistente|modelo|chatbot)/gi, weight: 0.8 },
  {
    keys: ["your new"],
    re: /\byour\s+new\s+(?:role|persona|identity|name|purpose|personality)\s+(?:is|will\s+be)\b/gi,
    weight: 0.45,
  },
];

/** A framing phrase followed by a freedom cue: the frame's start to the cue's sentence end. */
function framedCues(text: string, windows: readonly Window[]): Hit[] {
  const hits: Hit[] = [];
  for (const w of windows) {
    const slice = text.slice(w.start, w.end);
    FREEDOM.lastIndex = 0;
    for (let cue = FREEDOM.exec(slice); cue !== null; cue = FREEDOM.exec(slice)) {
      const cueStart = w.start + cue.index;
      const cueEnd = cueStart + cue[0].length;
      const from = Math.max(0, cueStart - CUE_REACH);
      const before = text.slice(from, cueEnd);
      let frame: RegExpExecArray | null = null;
      FRAME.lastIndex = 0;
      for (let m = FRAME.exec(before); m !== null; m = FRAME.exec(before)) frame = m;
      if (!frame) continue;
      const at = from + frame.index;
      hits.push({ start: sentenceStart(text, at), end: Math.max(cueEnd, sentenceEnd(text, cueEnd)), at, weight: 0.85 });
    }
  }
  return hits;
}

/** What may follow "without", "no", "zero" in a freedom cue ("without any restrictions", "no ethical guidelines"). */
const FREEDOM_NOUNS = [
  "any",
  "restriction",
  "limit",
  "rule",
  "filter",
  "censor",
  "guideline",
  "boundar",
  "ethic",
  "moral",
  "constraint",
  "safety",
  "content",
];

/**
 * Freedom cues, the anchors of framedCues: every alternative of FREEDOM contains one. Each is a phrase ("without any",
 * not "without"; "not limited by", not "not limited", which every licence says).
 */
const FRAMED_CUES: Probe = {
  keys: [
    ...["without", "no", "zero"].flatMap((w) => FREEDOM_NOUNS.map((n) => `${w} ${n}`)),
    // "without" then odd white space ("without  any", a line break): rare in prose, and a cheap way to dodge the phrases.
    ...["  ", "\n", "\t", "\r", "\u00a0"].map((sep) => `without${sep}`),
    "unrestricted",
    "unfiltered",
    "uncensored",
    "jailbr",
    "amoral",
    "unethical",
    "not bound by",
    "not restricted by",
    "not limited by",
    ...["free from", "free of"].flatMap((f) =>
      ["all", "any", "restriction", "rule", "limitation", "constraint", "guideline", "filter", "censor", "polic"].map(
        (n) => `${f} ${n}`,
      ),
    ),
    "can do anything",
    ...["doesn't", "does not", "don't", "do not", "never", "won't", "will not"].flatMap((n) => [`${n} refuse`, `${n} follow`]),
    ...["break", "ignore"].flatMap((v) => [`${v}s`, `${v} all`, `${v} any`, `${v} the`]),
    "bypass",
    // "sans", "ohne", "sin" alone are in every French, German and Spanish text: the key includes what follows.
    "sans restric",
    "sans limit",
    "sans règle",
    "sans filtre",
    "sans censure",
    "sans contrainte",
    "sans aucun",
    "zonder beperking",
    "zonder regels",
    "zonder grenzen",
    "zonder filter",
    "zonder censuur",
    "zonder enige",
    "ohne einschränk",
    "ohne beschränk",
    "ohne regeln",
    "ohne grenzen",
    "ohne filter",
    "ohne zensur",
    "ohne jegliche",
    "ohne irgendwelche",
    "sin restric",
    "sin límite",
    "sin regla",
    "sin filtro",
    "sin censura",
    "sin ningun",
    "sin ningún",
  ],
  run: framedCues,
};

export const roleHijack = injectionDetector({ kind: "role_hijack", probes: [...RULES, FRAMED_CUES] });
