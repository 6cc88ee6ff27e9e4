// Tool poisoning and cross-server shadowing, found in a tool's definition when a server lists it.
//
// Decisions (tested in test/unit/mcp-poison.test.ts, on realistic benign definitions and poisoned variants):
// - Every human-readable string is read: title, description, annotations, and in the input and output schemas every
//   string but the structural ones (type, format, pattern, $ref, required ...): property descriptions and titles, enum,
//   default, const and example strings. Property names are identifiers, not prose: read only when they are not
//   identifiers (spaces, markup, more than 64 characters), since they reach the model too (code mode declares them).
// - The detection engine reads each string (injection, unicode, exfil and secret findings at confidence >= 0.5, the
//   level at which the policy enforces), then the MCP checks below read it sentence by sentence, with invisible
//   characters removed, tag characters decoded and the text NFKC-normalised, so hiding a phrase does not hide it.
// - mcp.hidden_instruction: pseudo-tags addressed to the model (<IMPORTANT>, <SYSTEM>, [INST]); keeping things from the
//   user ("do not tell the user", "without informing the user", "the user must not know", and in French, Spanish,
//   German); an order to read or pass on secret files or data (~/.ssh, id_rsa, .env, credentials, mcp.json, API keys,
//   the conversation) — an order, not a mention: "Path to the key (default ~/.ssh/id_rsa)" is no finding; and any
//   "sidenote" channel.
// - mcp.hidden_content: an HTML comment or a markdown comment ("[//]: # (...)") with words in it: renderers hide it
//   from the person approving the tool, the model still reads it.
// - mcp.shadowing: a sentence that gives instructions (when, before, after, instead of, always, never, must ...) and
//   names a tool of another server ("send_email", "mail__send_email", the server's name next to "tool"/"server") or
//   tools in general ("all other tools", "every tool call"), the cue right before them ("before calling any other
//   tool") or a modal right after ("other tools must not"). Naming another server's tool is rare in honest text, so
//   there "if", "use", "call" and "not" count as instruction too. A tool's own tools are not another server's: pass
//   `ownTools`. Tool names that are plain words ("search") count only where written as a tool ("the search tool",
//   `search`), and server names only next to "server"/"tools" or in "<server>__<tool>", so prose does not name them.
import { scan, standardDetectors } from "../detect";
import type { Finding } from "../detect/types";
import type { ToolDef } from "./tool";

export interface DefinitionFinding {
  kind: string;
  /** Where in the definition: "description", "inputSchema.properties.path.description", "annotations.title". */
  where: string;
  detail: string;
}

export interface PoisonContext {
  server: string;
  otherServers: readonly { name: string; tools: readonly string[] }[];
  /** This server's tools: naming them is not shadowing. */
  ownTools?: readonly string[];
  /** Engine findings below this are left out (default 0.5). */
  minConfidence?: number;
}

const KEPT_CATEGORIES = new Set(["injection", "unicode", "exfil", "secret"]);
/** Schema keywords whose strings are machine syntax or names, not prose. */
const STRUCTURAL = new Set([
  "type",
  "format",
  "pattern",
  "$ref",
  "$schema",
  "$id",
  "$anchor",
  "$dynamicRef",
  "$dynamicAnchor",
  "contentEncoding",
  "contentMediaType",
  "required",
  "dependentRequired",
]);

/** A property name an honest schema writes. */
const IDENTIFIER = /^[A-Za-z0-9_$.@:-]{1,64}$/;

interface Text {
  where: string;
  text: string;
}

function collect(value: unknown, where: string, into: Text[], depth = 0): void {
  if (depth > 64) return;
  if (typeof value === "string") {
    if (value.length > 0) into.push({ where, text: value });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) collect(value[i], `${where}.${i}`, into, depth + 1);
  } else if (typeof value === "object" && value !== null) {
    const named = where.endsWith(".properties") || where.endsWith(".patternProperties");
    for (const [k, v] of Object.entries(value)) {
      if (named && !IDENTIFIER.test(k)) into.push({ where: `${where}.${k.slice(0, 40)}(name)`, text: k });
      if (!STRUCTURAL.has(k)) collect(v, `${where}.${k}`, into, depth + 1);
    }
  }
}

function texts(tool: ToolDef): Text[] {
  const out: Text[] = [];
  if (tool.title) out.push({ where: "title", text: tool.title });
  if (tool.description) out.push({ where: "description", text: tool.description });
  collect(tool.annotations, "annotations", out);
  collect(tool.inputSchema, "inputSchema", out);
  collect(tool.outputSchema, "outputSchema", out);
  return out;
}

// ---- text preparation

// biome-ignore lint/suspicious/noMisleadingCharacterClass: single code points, each removed on its own.
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]/g;
const TAGS = /\udb40([\udc00-\udc7f])/g;

/** The text as a model reads it: tag characters as the ASCII they hide, invisible characters gone, NFKC. */
function reveal(text: string): string {
  return text
    .replace(TAGS, (_, low: string) => String.fromCharCode(low.charCodeAt(0) - 0xdc00))
    .replace(INVISIBLE, "")
    .normalize("NFKC");
}

/** Sentences, with markdown emphasis dropped and white space collapsed. */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) =>
      s
        .replace(/\*+/g, "")
        .replace(/^[\s#>-]+/, "")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .filter((s) => s.length > 0);
}

const clip = (s: string): string => (s.length > 160 ? `${s.slice(0, 157)}...` : s);

// ---- hidden instructions

const MARKER =
  /<\s*\/?\s*(?:important|system|instructions?|hidden|secret|admin|critical|sudo|override|ai|assistant|llm|agent)(?:[\s_-][^>]{0,40})?>|\[\s*(?:system|inst|admin|important)\s*\]|<\|\s*(?:im_start|system)\s*\|>/i;

const USER = "(?:the\\s+|your\\s+|this\\s+)?(?:user|human|person|operator|requester|caller)s?\\b";
const TELL = "(?:tell|mention|inform|notify|reveal|disclose|alert|warn|show|explain|report|let)(?:ing)?";
const SECRECY: readonly RegExp[] = [
  new RegExp(
    `(?:^|[.,:;!(]\\s*|\\b(?:and|but|please|also|you|must|should)\\s+)(?:do\\s+not|don't|never)\\s+${TELL}\\b[^.]{0,60}?\\b${USER}`,
    "i",
  ),
  new RegExp(`\\bwithout\\s+(?:tell|inform|notify|alert|warn|let)ing\\s+${USER}`, "i"),
  new RegExp(
    `\\b${USER}\\s+(?:must|should|shall|will|need|needs|does|do)\\s*(?:not|n't)\\s+(?:\\w+\\s+)?(?:know|see|notice|learn|find\\s+out|be\\s+(?:told|informed|notified|aware))`,
    "i",
  ),
  /\b(?:keep|hide)\s+(?:this|it|these|that)(?:\s+\w+){0,3}\s+(?:secret\s+|hidden\s+|confidential\s+)?from\s+(?:the\s+|your\s+)?(?:user|human)/i,
  /\bno\s+need\s+to\s+(?:tell|inform|mention|notify)\b/i,
  /\b(?:unbeknownst\s+to|behind\s+the\s+back\s+of)\s+(?:the\s+)?user|\bbehind\s+the\s+user's\s+back|\bwithout\s+the\s+user'?s?\s+(?:knowledge|knowing|awareness|noticing)/i,
  /\b(?:silently|secretly|quietly|covertly|discreetly|invisibly)\s+(?:\w+\s+)?(?:send|forward|email|upload|post|call|run|execute|transfer|add|include|append|insert|read|copy|pass)/i,
  // French, Spanish, German.
  /\bne\s+(?:le\s+|la\s+|lui\s+|leur\s+|rien\s+)?(?:dis|dites|mentionne[zr]?|informe[zr]?|révèle[zr]?|signale[zr]?|montre[zr]?)\s+(?:jamais|pas|rien)\b[^.]{0,60}\butilisateur/i,
  /\bsans\s+(?:le\s+|en\s+)?(?:dire|informer|prévenir|avertir|mentionner)\b[^.]{0,30}\butilisateur/i,
  /\bno\s+(?:le\s+|les\s+)?(?:digas|diga|menciones|mencione|informes|informe|reveles|revele|cuentes|cuente|muestres|muestre)\b[^.]{0,60}\busuario/i,
  /\bsin\s+(?:decir|informar|avisar|notificar)(?:le|les)?\b[^.]{0,30}\busuario/i,
  /\b(?:sag|sage|sagen|erwähne|erwähnen|informiere|informieren|zeige|zeigen)\b[^.]{0,40}\b(?:benutzer|nutzer|anwender)\w*\b[^.]{0,30}\b(?:nichts|nicht|niemals)\b/i,
  /\bohne\s+(?:den|dem|die)\s+(?:benutzer|nutzer|anwender)\w*\s+(?:zu\s+)?(?:informieren|benachrichtigen|sagen|warnen)/i,
  /\b(?:benutzer|nutzer|anwender)\w*\s+(?:darf|soll|muss)\s+(?:davon\s+)?(?:nichts|nicht)\s+(?:wissen|erfahren|merken|sehen)/i,
];

const SECRET_FILE =
  /(?:(?:~|\$HOME|%USERPROFILE%)[\\/]|(?<![\w.])[\\/]?)\.(?:ssh|aws|gnupg|kube|docker|azure|gcloud)(?![\w.-])|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\bauthorized_keys\b|(?:^|[\s'"`(/\\])\.env(?:\.[\w-]+)?\b|\.(?:npmrc|pypirc|netrc|pgpass|git-credentials|bash_history|zsh_history)\b|\bcredentials(?:\.json|\.txt|\.ya?ml|\s+files?)\b|\bmcp\.json\b|\bclaude_desktop_config\.json\b|\/etc\/(?:passwd|shadow|sudoers)\b|\bwallet\.dat\b/i;
/** "The contents of ~/.ssh/id_rsa": whatever verb comes before, no tool description needs it. */
const SECRET_FILE_CONTENTS = new RegExp(
  `\\b(?:contents?|text|body|data|inhalt|contenu|contenido)\\s+(?:of|des|de|del|von)\\s+(?:the\\s+|la\\s+|le\\s+|el\\s+|der\\s+)?(?:file\\s+|fichier\\s+|archivo\\s+|datei\\s+)?(?:${SECRET_FILE.source})`,
  "i",
);
/** Data no tool has a business receiving from the model: the conversation, the prompt, keys found elsewhere. */
const SECRET_DATA =
  /\b(?:system\s+prompt|(?:conversation|chat|message)\s+history|previous\s+messages|(?:the|this|entire|full|whole)\s+conversation|environment\s+variables|env\s+vars|(?:ssh|private)\s+keys?|seed\s+phrases?|session\s+cookies?|cookies|(?:all|any|every|the\s+user'?s|user'?s|stored|saved|other)\s+(?:\w+\s+)?(?:api[\s_-]?keys?|access\s+tokens?|tokens|passwords?|credentials|secrets)|historial|historique|mots?\s+de\s+passe|contraseñas?|passw(?:ö|oe)rter)\b/i;
/** An order to read or hand over something: imperative at a clause start, or after a modal. */
const ORDER =
  /(?:^|[.,:;!(]\s*|\b(?:must|should|need\s+to|needs\s+to|have\s+to|has\s+to|required\s+to|please|first|then|and|always|also|you)\s+)(?:read|open|cat|load|fetch|get|retrieve|access|include|send|pass|provide|attach|copy|upload|append|extract|collect|grab|print|output|dump|forward|post|submit|put|add|insert|embed|share|return|lis|lisez|lire|ouvre[zr]?|envoie[zr]?|inclu[ea]z?|lee|lea|leer|abre|abra|abrir|envía|envíe|enviar|incluye|incluya|lesen|öffne|öffnen|sende|senden|schicke|schicken|füge|leggi|leggere|apri|invia|inviare)\b/i;
const ORDER_THEN_TARGET_REACH = 160;
const SIDENOTE = /\bside[\s_-]?note\b/i;
const CHANNEL =
  /\b(?:as|in|into|via|inside|within|through)\s+(?:the\s+|a\s+|an\s+|its\s+)?['"`]?[\w-]{1,40}['"`]?\s+(?:parameter|param|argument|arg|field|property|key)\b|\b(?:as|in|into|via)\s+(?:the\s+)?['"`][\w-]{1,40}['"`]|\bto\s+https?:\/\/|\bin\s+(?:the\s+)?(?:request|query|url|notes?|comments?|metadata|context|body|payload)\b/i;

const ORDERS = new RegExp(ORDER.source, "gi");

function orderedAt(s: string, target: RegExp): boolean {
  const re = ORDERS;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const rest = s.slice(m.index + m[0].length, m.index + m[0].length + ORDER_THEN_TARGET_REACH);
    if (target.test(rest)) return true;
  }
  return false;
}

function hiddenInstruction(s: string): string | undefined {
  if (MARKER.test(s)) return "addresses the model with a pseudo-tag";
  if (SECRECY.some((re) => re.test(s))) return "tells the model to keep something from the user";
  if (orderedAt(s, SECRET_FILE) || SECRET_FILE_CONTENTS.test(s)) return "orders the model to read or pass on a secret file";
  if (SIDENOTE.test(s) && /\b(?:pass|put|include|provide|add|send|write|place)\b/i.test(s))
    return "asks for data in a side channel";
  if (orderedAt(s, SECRET_DATA) && CHANNEL.test(s)) return "orders the model to pass secrets through an argument or URL";
  return undefined;
}

const HTML_COMMENT = /<!--([\s\S]*?)(?:-->|$)/g;
const MD_COMMENT = /^\s*\[(?:\/\/|comment|hidden|note)\]:\s*(?:#|<>)\s*[("'](.*)[)"']\s*$/gim;

function hiddenContent(text: string): string[] {
  const out: string[] = [];
  for (const re of [HTML_COMMENT, MD_COMMENT]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const inner = (m[1] ?? "").trim();
      if (/[\p{L}\p{N}]{2,}/u.test(inner)) out.push(clip(inner));
    }
  }
  return out;
}

// ---- shadowing

/** Words that make a sentence an instruction about the tools it names. */
const INSTRUCTIVE =
  /\b(?:when|whenever|before|after|instead|rather\s+than|in\s+place\s+of|always|never|must|should|shall|only|do\s+not|don't|make\s+sure|ensure|remember|important|prefer|override|ignore|replace|redirect|automatically|regardless|quand|lorsque|avant|après|toujours|jamais|au\s+lieu|cuando|antes|después|siempre|nunca|en\s+lugar|wenn|bevor|nachdem|immer|niemals|statt|anstatt|sempre|invece|prima)\b/i;
/** Naming another server's tool at all is rare in honest text: plain conditions and verbs are enough there. */
const NAMED_INSTRUCTIVE = new RegExp(`${INSTRUCTIVE.source}|\\b(?:if|unless|not|use|call|invoke)\\b`, "i");
const ANY_TOOL =
  /\b(?:all|any|every|each)\s+(?:other\s+|subsequent\s+|future\s+|later\s+|remaining\s+)?(?:tools?|tool\s+calls?|mcp\s+(?:tools?|servers?)|servers?|integrations?|functions?\s+calls?)\b|\bother\s+(?:tools?|mcp\s+servers?|servers?|integrations?|functions?)\b|\bwhenever\s+(?:you|the\s+(?:assistant|agent|model))\s+(?:use|call|invoke)s?\s+(?:a|any)\s+tool/gi;
const OWN_SCOPE = /\b(?:this|the\s+same)\s+(?:mcp\s+)?(?:server|integration|toolset|plugin|connector)\b/i;

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const isPlainWord = (name: string): boolean => /^[a-z]+$/i.test(name) || /^[A-Z][a-z]+$/.test(name);

interface Other {
  label: string;
  re: RegExp;
}

const othersCache = new Map<string, Other[]>();
const MAX_CACHED = 64;

/** Compiled once per deployment's server set (a tools/list scans many definitions against the same context). */
function othersOf(ctx: PoisonContext): Other[] {
  const key = JSON.stringify([ctx.server, ctx.ownTools ?? [], ctx.otherServers.map((o) => [o.name, o.tools])]);
  let hit = othersCache.get(key);
  if (!hit) {
    if (othersCache.size >= MAX_CACHED) othersCache.clear();
    hit = compileOthers(ctx);
    othersCache.set(key, hit);
  }
  return hit;
}

/** Patterns that name another server's tool, or another server as a source of tools. */
function compileOthers(ctx: PoisonContext): Other[] {
  const own = new Set((ctx.ownTools ?? []).map((t) => t.toLowerCase()));
  const out: Other[] = [];
  for (const srv of ctx.otherServers) {
    if (srv.name === ctx.server) continue;
    const s = escapeRegex(srv.name);
    // "the github server", "GitHub's tools", "tools from github", "github__create_issue", "github/create_issue"; not
    // "github tool" (a noun phrase every integration uses) nor "~/.ssh/id_rsa" for a server named "ssh".
    out.push({
      label: `server '${srv.name}'`,
      re: new RegExp(
        `(?<![\\w-])${s}(?:'s)?\\s+(?:mcp\\s+)?(?:server|tools|integration|plugin|connector)\\b|\\b(?:tools?|functions?)\\s+(?:of|from|in|on|provided\\s+by)\\s+(?:the\\s+)?${s}(?![\\w-])|(?<![\\w./~-])${s}(?:__|\\/)[\\w-]+`,
        "i",
      ),
    });
    for (const tool of srv.tools) {
      if (own.has(tool.toLowerCase()) || tool.length < 3) continue;
      const t = escapeRegex(tool);
      const written = isPlainWord(tool)
        ? `[\`'"]${t}[\`'"]|\\b${t}\\(|\\bthe\\s+${t}\\s+(?:tool|function)|\\b${t}\\s+tool\\b`
        : `(?<![\\w-])${t}(?![\\w-])`;
      out.push({ label: `tool '${tool}' of server '${srv.name}'`, re: new RegExp(written, "i") });
    }
  }
  return out;
}

function shadowing(s: string, others: readonly Other[]): string | undefined {
  if (NAMED_INSTRUCTIVE.test(s)) {
    const named = others.find((o) => o.re.test(s));
    if (named) return `gives instructions about ${named.label}`;
  }
  if (!OWN_SCOPE.test(s) && aboutAnyTool(s)) return "gives instructions about other tools";
  return undefined;
}

/**
 * Tools in general, with the instruction right at them: "before calling any other tool", "instead of other tools",
 * "other tools must not ...". Prose that merely says what a tool does ("does not call other tools, and never keeps
 * state") has the cue elsewhere in the sentence.
 */
function aboutAnyTool(s: string): boolean {
  const re = ANY_TOOL;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (INSTRUCTIVE.test(s.slice(Math.max(0, m.index - 40), m.index))) return true;
    if (/^\s+(?:must|should|shall|may\s+not|cannot|can't|are\s+not)\b/i.test(s.slice(m.index + m[0].length))) return true;
  }
  return false;
}

// ---- the scan

function engineDetail(f: Finding, text: string): string {
  if (f.category === "secret") return "a secret-like value";
  const snippet = text
    .slice(f.start, f.end)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return clip(snippet);
}

export function scanToolDefinition(tool: ToolDef, ctx: PoisonContext): DefinitionFinding[] {
  const min = ctx.minConfidence ?? 0.5;
  const others = othersOf(ctx);
  const out: DefinitionFinding[] = [];
  const seen = new Set<string>();
  const add = (kind: string, where: string, detail: string): void => {
    const k = `${kind}\u0000${where}\u0000${detail}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ kind, where, detail });
  };
  for (const { where, text } of texts(tool)) {
    for (const f of scan(text, standardDetectors)) {
      if (KEPT_CATEGORIES.has(f.category) && f.confidence >= min) add(f.kind, where, engineDetail(f, text));
    }
    const shown = reveal(text);
    for (const c of hiddenContent(shown)) add("mcp.hidden_content", where, c);
    for (const s of sentences(shown)) {
      const hidden = hiddenInstruction(s);
      if (hidden) add("mcp.hidden_instruction", where, `${hidden}: ${clip(s)}`);
      const shadow = shadowing(s, others);
      if (shadow) add("mcp.shadowing", where, `${shadow}: ${clip(s)}`);
    }
  }
  return out;
}
