// injection.context_manipulation: fake conversation structure in content — chat-template tokens, "System:" turns, closing tool tags, "END OF DOCUMENT".
//
// Decisions (tested in test/unit/detect-injection.test.ts):
// - Chat-template tokens (<|im_start|>, [INST], <<SYS>>, <start_of_turn>) never belong in user content: 0.85.
// - A "System:" line is strong only when what follows reads as an instruction ("System: you must ..."); a bug
//   report's "System: Ubuntu 22.04" is not a finding. Likewise "### Instruction:" headings.
// - Pasted transcripts ("User: ... / Assistant: ...") are weak (0.4, flag-only); an assistant turn that primes
//   compliance ("Assistant: Sure, here is ...") is 0.5. They corroborate stronger signals.
// - Boundary markers (</tool_result>, </document>, "END OF DOCUMENT", "--- end of context ---") are weak alone (0.4) and
//   strong (0.75-0.8) when instructions follow them. Prompt templates use the same structure legitimately
//   ("<context>...</context> Answer from the context"), so a closing tag counts only when it closes nothing (more
//   closers than openers of its name; the last closer is the template's), and an end marker only when it is not the
//   last one after a matching "BEGIN ..." marker. Authority tags (<system>, <admin>) count wherever they are.
//   Tags are matched in lower case only: <Document> is a JSX component.
// - Openers, later closers, "BEGIN" markers and human turns are looked for within STRUCTURE_REACH (1000 characters)
//   of the tag, marker or turn they excuse or accuse: a template whose opening tag is farther back than that reads as
//   a lone closer (flag-only unless instructions follow it). That bound keeps every verdict local (see engine.ts).
// - Keys are the tokens, tags and markers themselves, and "System:"-like labels with their colon: the words
//   "system", "assistant" and "developer" alone are in most technical text.

import { type Hit, MAX_FINDING, type Probe, type Rule, runRule, type Window } from "./anchors";
import { after } from "./cues";
import { injectionDetector } from "./engine";
import { countBelow } from "./text";

const FOLLOW = 300;
/** How far from a tag, marker or turn its excusing or accusing context is looked for. */
const STRUCTURE_REACH = 1000;
const INSTRUCTION_AFTER =
  /\b(?:ignore|disregard|forget|override|new\s+instructions?|from\s+now\s+on|you\s+(?:are|must|should|will|need\s+to|have\s+to|may\s+now)|your\s+(?:new|real|only|task|instructions)|instead|(?:AI|assistant|model|LLM)\b|now\s+(?:do|write|say|tell|print|output|respond|reply|send|call|execute|run|reveal)|please\s+(?:ignore|disregard|send|forward|email|upload|reveal|print|output|say|respond|reply|execute|run|call)|(?:send|forward|upload|reveal|print|output|execute)\s+(?:the|all|your|this|it)\b|(?:respond|reply)\s+(?:only\s+)?with)/i;
/** What a fake "System:" turn says: an order or a statement about the model, right after the label. */
const SYSTEM_CONTENT =
  /^\s*(?:you\b|your\b|ignore|disregard|forget|override|new\s+(?:instructions?|rules|task)|always\b|never\b|do\s+not|don't|from\s+now\s+on|the\s+(?:assistant|ai|model)\b|respond|reply|answer|follow|obey|important|updated?\s+instructions?|priority|reveal|print|output|send|forward|(?:the\s+)?user\s+(?:is|has)|as\s+an?\s+(?:ai|assistant))/i;
const COMPLIANCE = /^\s*(?:sure|certainly|of\s+course|absolutely|okay|ok|yes|i\s+will|i'll|here\s+is|here's|as\s+DAN)\b/i;

function instructed(text: string, end: number): boolean {
  return INSTRUCTION_AFTER.test(after(text, end, FOLLOW));
}

/** A boundary marker: weak alone, strong when instructions follow it. */
function boundary(base: number, strong: number) {
  return (m: RegExpExecArray, text: string): number => (instructed(text, m.index + m[0].length) ? strong : base);
}

const RULES: readonly Rule[] = [
  {
    keys: ["<|"],
    re: /<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|eom_id|python_tag|end|start|channel|message|return|call|constrain|fim_prefix|fim_suffix|fim_middle|tool_call|tool_calls_begin|tool_sep|tool_response)\|>(?:[ \t]*\n?[ \t]*(?:system|user|assistant|developer|tool)\b)?/g,
    weight: 0.85,
    span: "match",
  },
  { keys: ["<｜"], re: /<｜[^｜\n]{1,40}｜>/g, weight: 0.85, span: "match" },
  { keys: ["[inst]", "[/inst]"], re: /\[\/?INST\]/g, weight: 0.85, span: "match" },
  { keys: ["<<sys>>", "<</sys>>"], re: /<<\/?SYS>>/g, weight: 0.85, span: "match" },
  {
    keys: ["<start_of_turn>", "<end_of_turn>", "</start_of_turn>", "</end_of_turn>"],
    re: /<\/?(?:start|end)_of_turn>(?:[ \t]*\n?[ \t]*(?:system|user|model)\b)?/g,
    weight: 0.85,
    span: "match",
  },
  {
    keys: ["<system", "</system", "<sys", "</sys", "<admin", "</admin", "<antml", "</antml"],
    re: /<\/?(?:system|system_prompt|system-prompt|sys|admin|antml:[a-z_]{1,40})(?:\s[^<>\n]{0,80})?>/g,
    weight: boundary(0.5, 0.8),
    span: "match",
  },
  {
    keys: ["[system", "[admin", "[developer", "[sys", "[root", "[operator", "(system", "(admin", "(developer"],
    re: /\[(?:system|admin|developer|sys|root|operator)(?:\s+(?:note|message|notice|override|instructions?|prompt|update|alert))?\]|\((?:system|admin|developer)\s+(?:note|message|override|instructions?)\)/gi,
    weight: boundary(0.4, 0.8),
  },
  {
    keys: ["system", "admin", "developer", "root"].flatMap((w) =>
      ["override", "note", "notice", "message", "instruction", "prompt", "update", "alert", "command"].map((n) => `${w} ${n}`),
    ),
    re: /\b(?:SYSTEM|ADMIN|DEVELOPER|ROOT)\s+(?:OVERRIDE|NOTE|NOTICE|MESSAGE|INSTRUCTIONS?|PROMPT|UPDATE|ALERT|COMMAND)\b/g,
    weight: (m, text) => {
      if (/OVERRIDE|PROMPT|INSTRUCTION/.test(m[0])) return 0.65;
      return instructed(text, m.index + m[0].length) ? 0.75 : 0.3;
    },
  },
  {
    keys: [
      "# system",
      "#system",
      "# new instruction",
      "#new instruction",
      "# instruction",
      "#instruction",
      "# response",
      "#response",
      "# developer message",
      "#developer message",
    ],
    re: /^#{1,6}[ \t]*(?:system(?:\s+(?:prompt|message))?|new\s+instructions?|instruction|response|developer\s+message)[ \t]*(:?)[ \t]*$/gim,
    weight: (m, text) => (instructed(text, m.index + m[0].length) ? 0.7 : m[1] ? 0.5 : 0.3),
  },
];

/** Structural tags of prompt templates and tool plumbing. Group 1: "/" for a closer; group 2: the name. */
const STRUCTURE_TAG =
  /<(\/?)(tool_results?|tool_response|tool_output|function_results?|function_response|function_call|tool_call|tool_use|search_results?|document_content|documents?|context|retrieved(?:_[a-z]{1,20})?|instructions?|assistant|human|user_(?:query|input|message))(?:\s[^<>\n]{0,80})?>/g;

/**
 * Closing tags that close nothing, among those in the windows (every closer is a key, so each sits in one): when
 * closers of its name outnumber openers within STRUCTURE_REACH, a closer with no opener nearby, or with another
 * closer of its name after it nearby (the last one is the template's).
 */
function strayClosers(text: string, windows: readonly Window[]): Hit[] {
  // The tags within reach of the windows, each stretch searched once; tags hold no "<", so where a search starts
  // cannot change what it finds.
  const opens = new Map<string, number[]>();
  const closers = new Map<string, RegExpExecArray[]>();
  let to = 0;
  for (let i = 0; i < windows.length; ) {
    const from = Math.max(to, windows[i]!.start - STRUCTURE_REACH);
    to = Math.min(text.length, windows[i]!.end + STRUCTURE_REACH);
    for (i++; i < windows.length && windows[i]!.start - STRUCTURE_REACH <= to; i++)
      to = Math.min(text.length, windows[i]!.end + STRUCTURE_REACH);
    const part = text.slice(from, to);
    STRUCTURE_TAG.lastIndex = 0;
    for (let m = STRUCTURE_TAG.exec(part); m !== null; m = STRUCTURE_TAG.exec(part)) {
      m.index += from;
      const name = m[2] ?? "";
      if (m[1]) {
        const list = closers.get(name);
        if (list) list.push(m);
        else closers.set(name, [m]);
      } else {
        const list = opens.get(name);
        if (list) list.push(m.index);
        else opens.set(name, [m.index]);
      }
    }
  }
  const hits: Hit[] = [];
  for (const [name, list] of closers) {
    const starts = list.map((m) => m.index);
    const openers = opens.get(name) ?? [];
    let w = 0;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      while (w < windows.length && windows[w]!.end <= c.index) w++;
      if (w === windows.length || windows[w]!.start > c.index) continue;
      const nearOpens = countBelow(openers, c.index + STRUCTURE_REACH + 1) - countBelow(openers, c.index - STRUCTURE_REACH);
      const nearClosers = countBelow(starts, c.index + STRUCTURE_REACH + 1) - countBelow(starts, c.index - STRUCTURE_REACH);
      const later = i + 1 < list.length && list[i + 1]!.index <= c.index + STRUCTURE_REACH;
      if (nearClosers <= nearOpens || (nearOpens > 0 && !later)) continue;
      const end = c.index + c[0].length;
      hits.push({ start: c.index, end, weight: instructed(text, end) ? 0.8 : 0.4 });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

const DATA_NOUN =
  "(?:document|context|input|text|file|data|email|message|content|page|article|search\\s+results?|results?|tool\\s+(?:output|result)|output|transcript|conversation|user\\s+(?:input|query|message))";
const LINE_DECOR_BEFORE = "^[ \\t]{0,8}[-=#*_~[(<>|]{0,40}[ \\t]{0,8}";
const LINE_DECOR_AFTER = "[ \\t]{0,8}[-=#*_~\\])<>|.!:]{0,40}[ \\t]{0,8}$";
/** A line that only says where data ends (or instructions begin): "--- END OF CONTEXT ---", "=== fin du document ===". */
const END_LINE = new RegExp(
  `${LINE_DECOR_BEFORE}(?:end\\s+of\\s+(?:the\\s+)?(?:${DATA_NOUN}|instructions?|system\\s+prompt|prompt)|(?:document|context|input|data|text)\\s+ends?(?:\\s+here)?|begin(?:ning)?\\s+of\\s+(?:new\\s+)?(?:instructions?|system\\s+prompt|prompt)|new\\s+(?:instructions?|system\\s+prompt)\\s+(?:begins?|starts?)(?:\\s+here)?|fin\\s+du\\s+(?:document|contexte|texte|message)|ende\\s+des\\s+(?:dokuments|kontexts|textes)|einde\\s+van\\s+(?:het\\s+)?(?:document|context|bericht)|fin\\s+del\\s+(?:documento|contexto|texto|mensaje))${LINE_DECOR_AFTER}`,
  "gim",
);
const END_CAPS =
  /\bEND\s+OF\s+(?:DOCUMENT|CONTEXT|INPUT|TEXT|FILE|DATA|EMAIL|MESSAGE|CONTENT|PROMPT|INSTRUCTIONS|CONVERSATION)\b/g;
/** The template's own opening marker, which makes its (last) end marker legitimate. */
const BEGIN_DATA = new RegExp(
  `\\b(?:begin(?:ning)?|start)\\s+of\\s+(?:the\\s+)?${DATA_NOUN}\\b|\\b(?:BEGIN|START)\\s+(?:DOCUMENT|CONTEXT|INPUT|TEXT|DATA)\\b`,
  "i",
);

const MARKER: Rule = { keys: [], re: END_LINE, weight: boundary(0.4, 0.75), span: "match" };
const MARKER_CAPS: Rule = { keys: [], re: END_CAPS, weight: boundary(0.4, 0.75), span: "match" };

function endMarkers(text: string, windows: readonly Window[]): Hit[] {
  const lines = runRule(text, MARKER, windows);
  // An all-caps marker inside a marker line is the same marker.
  const found = [...lines];
  let i = 0;
  for (const h of runRule(text, MARKER_CAPS, windows)) {
    while (i < lines.length && lines[i]!.end <= h.start) i++;
    const line = lines[i];
    if (!line || line.start >= h.end) found.push(h);
  }
  found.sort((a, b) => a.start - b.start);
  // The template's own end marker: the last one nearby, after its "BEGIN" marker.
  return found.filter((h, k) => {
    const next = found[k + 1];
    if (next && next.start - h.start <= STRUCTURE_REACH) return true;
    if (!/\b(?:end|fin|ende|einde)\b/i.test(text.slice(h.start, h.end))) return true;
    return !BEGIN_DATA.test(text.slice(Math.max(0, h.start - STRUCTURE_REACH), h.start));
  });
}

/** System and assistant turn labels at line starts: "System:", "**Assistant:**", "> system message:". Group 1: the role. */
const TURN =
  /^[ \t>*#-]{0,8}(?:\*\*|__)?(system|système|systeem|sistema|developer|assistant|assistent|asistente)(?:[ \t]+(?:message|prompt|note|override|instructions?|update))?(?:\*\*|__)?[ \t]*:(?:\*\*|__)?/gim;
const SYSTEM_ROLES = new Set(["system", "système", "systeem", "sistema", "developer"]);

/** The end of the line holding `from`, looking at most a finding's length ahead. */
function lineEndFrom(text: string, from: number): number {
  const stop = Math.min(text.length, from + MAX_FINDING);
  const nl = text.slice(from, stop).indexOf("\n");
  return nl === -1 ? stop : from + nl;
}

/** What follows a turn label: the rest of its line, or the next line when the label stands alone. */
function turnContent(text: string, end: number): { content: string; lineEnd: number } {
  let lineEnd = lineEndFrom(text, end);
  let content = text.slice(end, Math.min(lineEnd, end + 200));
  if (content.trim() === "" && lineEnd < text.length && text.charCodeAt(lineEnd) === 10) {
    const next = lineEndFrom(text, lineEnd + 1);
    content = text.slice(lineEnd + 1, Math.min(next, lineEnd + 201));
    lineEnd = next;
  }
  return { content, lineEnd };
}

/** A human turn (within STRUCTURE_REACH) before an assistant turn makes a fake dialogue. */
const HUMAN_TURN = /^[ \t>*#-]{0,8}(?:\*\*|__)?(?:human|user|usuario|utilisateur|gebruiker|benutzer)(?:\*\*|__)?[ \t]*:/im;

function humanTurnBefore(text: string, at: number): boolean {
  return HUMAN_TURN.test(text.slice(Math.max(0, at - STRUCTURE_REACH), at));
}

function turns(text: string, windows: readonly Window[]): Hit[] {
  const hits: Hit[] = [];
  for (const w of windows) {
    const slice = text.slice(w.start, w.end);
    TURN.lastIndex = 0;
    for (let m = TURN.exec(slice); m !== null; m = TURN.exec(slice)) {
      const at = w.start + m.index;
      const role = (m[1] ?? "").toLowerCase();
      const { content, lineEnd } = turnContent(text, at + m[0].length);
      let weight = 0;
      if (SYSTEM_ROLES.has(role)) weight = SYSTEM_CONTENT.test(content) ? 0.7 : 0;
      else if (COMPLIANCE.test(content)) weight = 0.5;
      else weight = humanTurnBefore(text, at) ? 0.4 : 0;
      if (weight > 0) hits.push({ start: at, end: lineEnd, weight });
    }
  }
  return hits;
}

/** Closing tags that only a fake boundary would need. */
const CLOSERS = [
  "</tool",
  "</function",
  "</search_result",
  "</document",
  "</context",
  "</retrieved",
  "</instruction",
  "</assistant",
  "</human",
  "</user_",
];

/** Turn labels as keys: each role with what may follow it before the colon ("System:", "**System**:", "System prompt:"). */
const TURN_KEYS = ["system", "système", "systeem", "sistema", "developer", "assistant", "assistent", "asistente"].flatMap((r) => [
  `${r}:`,
  `${r} :`,
  `${r}\t:`,
  `${r}**`,
  `${r}__`,
  ...["message", "prompt", "note", "override", "instruction", "update"].map((w) => `${r} ${w}`),
]);

const PROBES: readonly (Rule | Probe)[] = [
  ...RULES,
  { keys: CLOSERS, run: strayClosers },
  {
    keys: [
      "end of",
      ...["document", "context", "input", "data", "text"].map((n) => `${n} end`),
      "begin of",
      "beginning of",
      "fin du",
      "fin del",
      "ende des",
      "einde van",
      "new instruction",
      "new system prompt",
    ],
    run: endMarkers,
  },
  { keys: TURN_KEYS, run: turns },
];

export const contextManipulation = injectionDetector({ kind: "context_manipulation", probes: PROBES });
