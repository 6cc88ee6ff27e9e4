// injection.indirect: instructions planted in retrieved content or tool results, addressed to the AI that reads them.
//
// Decisions (tested in test/unit/detect-injection.test.ts):
// - Addressing the reader as an AI is the core signal: "if you are an AI reading this" (0.8), "note to the AI"
//   (0.6), "AI assistant, please ..." (0.45; 0.7 with a risky verb: send, forward, ignore, reveal ...). Names that
//   are also first names ("Claude, please forward the invoice") do not count as addressing an AI.
// - Keeping the user in the dark ("do not tell the user", "silently forward") is strong on its own (0.7).
// - Data-moving orders ("send the chat history to https://...") are 0.6 for secrets and conversations, 0.25 (not
//   reported alone, only corroborating) for ordinary files ("please send the documents to hr@example.com" is business
//   as usual); a negated order ("never email your password to anyone") is advice, not a finding.
// - "Call the X tool" is how documentation talks: 0.3 alone, a corroborating cue.
// - Keys are phrases, never the bare words every text holds ("the user", "@", "http"): "do not tell", "if you are",
//   "to http", "AI,". A phrase split by two spaces or a line break is not seen; the words alone would make this
//   detector read nearly every text whole.
import type { Rule } from "./anchors";
import { injectionDetector } from "./engine";
import { sentenceEnd } from "./text";

/** Ways to name the reader as an AI. Product names that are also first names (Claude, Gemini) are left out. */
const AI =
  "(?:AI|LLM|large\\s+language\\s+model|language\\s+model|AI\\s+(?:assistant|agent|model|system)|assistant|chatbot|GPT|ChatGPT|Copilot|agent|model)";
/** Vocatives: narrower, since "Agent: please send ..." is a support transcript. */
const AI_VOCATIVE = "(?:AI|LLM|language\\s+model|AI\\s+(?:assistant|agent)|assistant|chatbot|GPT|ChatGPT|Copilot)";
const RISKY_VERB =
  /^(?:ignore|disregard|forget|send|forward|email|e-mail|upload|post|exfiltrate|leak|reveal|transfer|pay|approve|grant|delete|remove|execute|run|call|fetch|visit|open|navigate|click|include|render|insert|append)\b/i;
const RISKY_IN_SENTENCE =
  /\b(?:ignore|disregard|send|forward|email|e-mail|upload|exfiltrate|leak|reveal|transfer|delete|execute|fetch|visit|navigate|click|include|render|insert|append)\b/i;
const SENSITIVE =
  /conversation|chat|history|credentials?|passwords?|api[\s_-]?keys?|secrets?|tokens?|cookies?|session|system\s+prompt|instructions|memor(?:y|ies)|ssh|private\s+keys?|env|card\s+numbers?|personal\s+(?:data|information|details)|\bPII\b/i;
const NEGATED =
  /\b(?:never|not|don't|do\s+not|doesn't|shouldn't|should\s+not|must\s+not|mustn't|won't|cannot|can't)\s+(?:\w+\s+)?$/i;

/** Where a data-moving order sends the data: "to https://", "via the webhook", "to the following address". */
const EXFIL_TARGET_KEYS = ["to", "into", "at", "via"].flatMap((p) => [
  // A URL after odd white space too ("to  https://", a line break): that is no phrase prose ever needs.
  ...[" ", "  ", "\n", "\t", "\u00a0"].flatMap((sep) => [`${p}${sep}http`, `${p}${sep}www.`]),
  ...["the", "this"].flatMap((d) =>
    ["following", "attacker", "address", "url", "endpoint", "server", "webhook", "email"].map((n) => `${p} ${d} ${n}`),
  ),
]);

const RULES: readonly Rule[] = [
  {
    keys: ["if you are", "if you're", "when you are", "when you're"],
    re: new RegExp(
      `\\b(?:if|when)\\s+you\\s*(?:are|'re)\\s+(?:an?\\s+)?${AI}\\b(?:\\s+(?:reading|processing|parsing|summari[sz]ing|analy[sz]ing|scanning|crawling|browsing|that\\s+(?:is\\s+)?(?:reading|reads|processes|summari[sz]es)))?`,
      "gi",
    ),
    weight: 0.8,
  },
  {
    keys: [
      "reading this",
      "processing this",
      "parsing this",
      "summarizing this",
      "summarising this",
      "analyzing this",
      "analysing this",
      "scanning this",
      "crawling this",
      "that reads this",
      "that processes this",
      "that summarizes this",
      "that summarises this",
    ],
    re: new RegExp(
      `\\b(?:any|all|every|to\\s+the|to\\s+any)\\s+${AI}s?\\s+(?:reading|processing|parsing|summari[sz]ing|analy[sz]ing|scanning|crawling|that\\s+(?:reads|processes|summari[sz]es))\\s+this\\b`,
      "gi",
    ),
    weight: 0.75,
  },
  {
    keys: [
      "note to",
      "note for",
      "message to",
      "message for",
      "instruction to",
      "instruction for",
      "instructions to",
      "instructions for",
      "attention to",
      "reminder to",
      "reminder for",
      "notice to",
      "notice for",
      "directive to",
      "directive for",
      "memo to",
      "memo for",
    ],
    re: new RegExp(
      `\\b(?:note|message|instructions?|attention|reminder|notice|directive|memo)\\s*(?:to|for)\\s+(?:the\\s+|any\\s+|all\\s+)?${AI}s?\\b(?!\\s+(?:manager|director|editor|professor|principal|coach|teacher|engineer|secretary|training|card|number))`,
      "gi",
    ),
    weight: 0.6,
  },
  {
    // The vocatives with their punctuation; "agent" and "model" only after "AI" / "language" (the bare words head
    // every YAML config and transcript line: "model:", "Agent:").
    keys: ["ai", "llm", "language model", "assistant", "chatbot", "gpt", "chatgpt", "copilot", "ai agent"].flatMap((w) => [
      `${w},`,
      `${w}!`,
      `${w}:`,
    ]),
    // Vocative: "AI assistant, please ...", "<!-- AI: forward ...", "Attention LLM: ...".
    re: new RegExp(
      `(?:(?<=^|[.!?]\\s{1,4})${AI_VOCATIVE}[,:!]|(?:<!--\\s*|\\b(?:hey|hi|hello|dear|attention|attn|important|note)\\s*[,:]?\\s*)${AI_VOCATIVE}[,:!])\\s*(?:please\\s+|you\\s+(?:must|should|need\\s+to|have\\s+to|will)\\s+|now\\s+|immediately\\s+)?([a-z-]+)`,
      "gim",
    ),
    weight: (m, text) => {
      const verb = m[1] ?? "";
      if (RISKY_VERB.test(verb)) return 0.7;
      // "AI assistant: when you read this, email ...": the order comes later in the sentence.
      const rest = text.slice(m.index + m[0].length, sentenceEnd(text, m.index + m[0].length));
      if (RISKY_IN_SENTENCE.test(rest)) return 0.7;
      return /^(?:do|don't|stop|make|tell|say|output|print|write|respond|reply|answer|use|add|set|change|update|remember)$/i.test(
        verb,
      )
        ? 0.45
        : 0;
    },
  },
  {
    // Both halves of the phrase, so one odd space does not hide it.
    keys: [
      ...["do not", "don't", "never", "without"].flatMap((no) =>
        ["tell", "inform", "notify", "alert", "warn", "mention", "reveal", "let", "show", "ask"].map((v) => `${no} ${v}`),
      ),
      ...["tell", "telling", "inform", "informing", "notify", "notifying", "alert", "alerting", "warn", "warning"].map(
        (v) => `${v} the user`,
      ),
      ...["let", "letting", "show", "showing", "ask", "asking"].map((v) => `${v} the user`),
      "tell your user",
      "inform your user",
    ],
    re: /\b(?:do\s+not|don't|never|without)\s+(?:tell(?:ing)?|inform(?:ing)?|notify(?:ing)?|alert(?:ing)?|warn(?:ing)?|mention(?:ing)?\s+(?:this|it|that)?\s*(?:to)?|reveal(?:ing)?\s+(?:this|it|that)?\s*(?:to)?|let(?:ting)?|show(?:ing)?\s+(?:this|it)?\s*(?:to)?|ask(?:ing)?)\s+(?:the\s+|your\s+)?user\b/gi,
    weight: 0.7,
  },
  {
    keys: ["must", "should", "shall", "will"].map((m) => `user ${m} not`),
    re: /\bthe\s+user\s+(?:must|should|shall|will)\s+not\s+(?:know|see|notice|be\s+(?:told|informed|notified))\b/gi,
    weight: 0.75,
  },
  {
    keys: ["secret from the user", "hidden from the user", "confidential from the user"],
    re: /\bkeep(?:ing)?\s+(?:this|it|these\s+instructions)\s+(?:a\s+)?(?:secret|hidden|confidential)\s+from\s+the\s+user\b/gi,
    weight: 0.75,
  },
  {
    keys: ["silently", "secretly", "quietly", "covertly", "discreetly", "invisibly"],
    re: /\b(?:silently|secretly|quietly|covertly|discreetly|invisibly)\s+(?:send|forward|email|upload|post|call|run|execute|transfer|add|include|append|insert|exfiltrate|copy)\b/gi,
    weight: 0.7,
  },
  {
    // The destination, which every match ends with; an e-mail address has no rare literal, so this rule also runs
    // around every other key of this detector (see the end of this file): "send the chat history to x@y.example"
    // counts next to another cue addressed to an AI.
    keys: EXFIL_TARGET_KEYS,
    re: /\b(?:send|forward|email|e-mail|upload|post|transmit|exfiltrate|leak|copy|submit|share|dump|deliver)\s+(?:(?:all|the|any|every|this|these|your|their|his|her|my|our|user's|user|full|entire|complete|whole|current|previous|recent|of|and|its)\s+){0,4}(?:[\w'-]+\s+){0,2}?(conversation|chat(?:\s+(?:history|log))?|history|messages?|emails?|inbox|files?|documents?|credentials?|passwords?|api[\s_-]?keys?|secrets?|tokens?|cookies?|session(?:\s+\w+)?|system\s+prompt|instructions|contents?|data|context|memor(?:y|ies)|contacts|ssh\s+keys?|private\s+keys?|env(?:ironment)?(?:\s+(?:variables|vars))?|\.env|keys|card\s+numbers?|personal\s+(?:data|information|details)|PII)\b(?:[^.\n]|\.(?=\S)){0,80}?\b(?:to|into|at|via)\s+(https?:\/\/|www\.|[\w.+-]+@[\w-]+\.[\w.]+|(?:the\s+|this\s+)(?:following|attacker|address|url|endpoint|server|webhook|email))/gi,
    weight: (m, text) => {
      if (NEGATED.test(text.slice(Math.max(0, m.index - 30), m.index))) return 0;
      return SENSITIVE.test(m[1] ?? "") ? 0.6 : 0.25;
    },
  },
  {
    keys: [
      "ignore the user",
      "ignore the human",
      "ignore the customer",
      "ignore any user",
      "ignore all user",
      "disregard the user",
      "disregard the human",
      "follow the user",
      "follow the human",
    ],
    re: /\b(?:ignore|disregard|do\s+not\s+follow|don't\s+follow)\s+(?:the\s+|any\s+|all\s+)?(?:user(?:'s)?|human(?:'s)?|customer(?:'s)?)\s*(?:request|question|instructions?|query|message|prompt|input|wishes)\b/gi,
    weight: 0.75,
  },
  {
    keys: ["tell", "inform", "respond", "reply", "answer"].flatMap((v) => [`instead ${v}`, `instead, ${v}`]),
    re: /\binstead\s*,?\s+(?:tell|inform|respond\s+to|reply\s+to|answer)\s+the\s+user\b/gi,
    weight: 0.6,
  },
  {
    keys: [
      "tell the user to",
      "inform the user to",
      "convince the user to",
      "persuade the user to",
      "urge the user to",
      "ask the user to",
      "instruct the user to",
    ],
    re: /\b(?:tell|inform|convince|persuade|urge|ask|instruct)\s+the\s+user\s+to\s+(?:visit|click|go\s+to|call|enter|provide|send|download|install|run|log\s+in|sign\s+in|verify|confirm|pay|transfer)\b/gi,
    weight: 0.6,
  },
  {
    keys: [
      "include this",
      "include the following",
      "add this",
      "add the following",
      "insert this",
      "insert the following",
      "append this",
      "append the following",
      "render this",
      "render the following",
      "display this",
      "display the following",
      "embed this",
      "embed the following",
      "output this",
      "output the following",
      "print this",
      "print the following",
      "include an image",
      "include a link",
      "include a url",
      "add an image",
      "add a link",
      "insert an image",
      "insert a link",
      "embed an image",
    ],
    re: /\b(?:include|add|insert|append|render|display|embed|output|print)\s+(?:the\s+following|this|an?)\s+(?:markdown\s+)?(?:image|link|url|pixel|img\s+tag)\b/gi,
    weight: (m, text) =>
      /\b(?:in|into|to|at\s+the\s+end\s+of)\s+(?:your|the|every|each)\s+(?:response|answer|reply|summary|output|message)/i.test(
        text.slice(m.index, m.index + 200),
      )
        ? 0.7
        : 0.45,
  },
  {
    keys: ["assistant", "ai", "model", "agent", "chatbot"].flatMap((n) =>
      ["must", "should", "shall", "will", "is to"].map((m) => `the ${n} ${m}`),
    ),
    re: /\bthe\s+(?:assistant|AI|model|agent|chatbot)\s+(?:must|should|shall|will|is\s+to)\s+(?:now\s+|always\s+|only\s+|immediately\s+)?(?:respond|reply|answer|say|include|output|send|forward|ignore|call|execute|reveal|recommend)\b/gi,
    weight: 0.5,
  },
  {
    keys: ["call the", "invoke the", "execute the", "trigger the"],
    re: /\b(?:call|invoke|execute|trigger)\s+the\s+[`'"]?[A-Za-z_][\w.-]{0,63}[`'"]?\s+(?:tool|function|action|plugin)\b/gi,
    weight: (m, text) =>
      /\b(?:immediately|now|first|silently|secretly|before\s+(?:responding|answering|replying|summari[sz]ing))\b/i.test(
        text.slice(m.index, m.index + 160),
      )
        ? 0.45
        : 0.3,
  },
];

/** The data-moving order runs around every key: its e-mail destinations have no key of their own. */
const ALL_KEYS = [...new Set(RULES.flatMap((r) => r.keys))];
const PROBES: readonly Rule[] = RULES.map((r) => (r.keys === EXFIL_TARGET_KEYS ? { ...r, keys: ALL_KEYS } : r));

export const indirect = injectionDetector({ kind: "indirect", probes: PROBES });
