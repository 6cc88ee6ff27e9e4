// Finds the URLs of markdown images and links (inline, reference-style) and HTML <img> tags, once per text.
//
// Inline targets are found from each "](" by walking back to the matching "[" (so "[![badge](img)](link)" yields both)
// rather than with one regex over labels; reference definitions from each "]:" the same way, and <img> tags from each
// "<img". Only absolute http(s) or protocol-relative URLs count. No regex reads the whole text: the cost is a few
// steps per "](", "]:" and "<img", which is what lets the detectors run on every response.
//
// Everything an element's verdict depends on lies within a bounded distance of its "](", "]:" or "<img" (a reference
// definition is an image when an image uses its label within REF_REACH of it), so the scanner's windows around
// those keywords see exactly what the whole text shows.

export interface MarkdownUrl {
  /** The URL. */
  start: number;
  end: number;
  /** The whole element, "![alt](url "title")" or "<img ...>" (the URL alone for a reference definition). */
  elementStart: number;
  elementEnd: number;
  image: boolean;
}

/** The longest URL considered; longer targets are cut here (and are a data signal in themselves). */
export const MAX_URL = 2048;
const MAX_LABEL = 300;
/** The longest element: "![", a label, "](", the URL, a title and ")". */
export const MAX_ELEMENT = MAX_LABEL + MAX_URL + 210;
/** How far from a reference definition an image using its label may be for the definition to count as an image. */
export const REF_REACH = 1024;
/** The longest reference definition: "[", a label, "]:", spaces, "<", the scheme and the URL. */
const MAX_DEFINITION = 4 + 200 + 2 + 16 + 8 + MAX_URL;
/**
 * What an image must be able to see around its "![": a definition using its label up to REF_REACH away, whole.
 * The image detector's window; links need only MAX_ELEMENT.
 */
export const MAX_IMAGE_CONTEXT = REF_REACH + MAX_DEFINITION + 512;

const MAX_REF_LABEL = 200;
/** An image reference at a "![": "![alt][ref]", "![ref][]" or "![ref]". Group 2 (or else 1) is the label. */
const IMAGE_REFERENCE = /!\[([^\]\n]{0,200})\](?:\[([^\]\n]{0,200})\])?/y;
const IMG_START = /<img\b/gi;
const IMG_TAG = /<img\b[^>]{0,500}?\bsrc\s*=\s*["']?((?:https?:)?\/\/[^\s"'>]{1,2048})/iy;
const URL_START = /(?:https?:)?\/\//iy;
/** The plain part of a target: up to a stop character or a parenthesis (which the loop below balances). */
const PLAIN_TARGET = /[^ \t\n\r"<>()]*/y;

function isUrlStop(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 34 || c === 60 || c === 62;
}

/** End of an inline target starting at `from`: whitespace, an unbalanced ")", or ">" when it opened with "<". */
function targetEnd(text: string, from: number, angled: boolean): number {
  let depth = 0;
  const limit = Math.min(text.length, from + MAX_URL);
  let i = from;
  if (!angled) {
    // Most targets hold no parenthesis: one native match finds their end.
    PLAIN_TARGET.lastIndex = from;
    i = Math.min(limit, from + (PLAIN_TARGET.exec(text)?.[0].length ?? 0));
  }
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (angled ? c === 62 : isUrlStop(c)) break;
    if (c === 40) depth++;
    else if (c === 41) {
      if (depth === 0) break;
      depth--;
    }
  }
  return i;
}

/** The "[" that opens the label closed at `close` ("]"), walking back (bounded); -1 if there is none. */
function labelStart(text: string, close: number): number {
  let depth = 0;
  for (let i = close - 1; i >= 0 && close - i <= MAX_LABEL; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 && text.charCodeAt(i - 1) === 10) return -1; // labels do not span paragraphs
    if (c === 93) depth++;
    else if (c === 91) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** The ")" closing an inline element whose target ends at `from` (a title may sit in between), or `from`. */
function elementEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + 200);
  for (let i = from; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 41) return i + 1;
    if (c === 10) break;
  }
  return from;
}

/** The length of the "https://" / "http://" / "//" that starts a URL at `from`, or 0. */
function urlStart(text: string, from: number): number {
  URL_START.lastIndex = from;
  const m = URL_START.exec(text);
  return m ? m[0].length : 0;
}

function inline(text: string, out: MarkdownUrl[]): void {
  for (let at = text.indexOf("]("); at !== -1; at = text.indexOf("](", at + 2)) {
    let from = at + 2;
    while (from < text.length && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
    const angled = text.charCodeAt(from) === 60;
    if (angled) from++;
    if (urlStart(text, from) === 0) continue;
    const end = targetEnd(text, from, angled);
    const open = labelStart(text, at);
    const image = open > 0 && text.charCodeAt(open - 1) === 33;
    const elementStart = open < 0 ? from : image ? open - 1 : open;
    out.push({ start: from, end, elementStart, elementEnd: elementEnd(text, end), image });
    at = Math.max(at, end - 2); // a "](" inside this URL is part of it
  }
}

const isLineBreak = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** True when an image within REF_REACH of `near` uses `label` (lower case): "![alt][label]", "![label][]", "![label]". */
function usedAsImage(text: string, label: string, near: number): boolean {
  const stop = Math.min(text.length, near + REF_REACH);
  for (let at = text.indexOf("![", Math.max(0, near - REF_REACH)); at !== -1 && at < stop; at = text.indexOf("![", at + 2)) {
    IMAGE_REFERENCE.lastIndex = at;
    const m = IMAGE_REFERENCE.exec(text);
    if (m && (m[2] || m[1] || "").toLowerCase() === label) return true;
  }
  return false;
}

const isUrlSpace = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0x2028 || c === 0x2029;

/** Reference definitions, "[label]: https://...", at most three spaces in from the start of their line. */
function definitions(text: string, out: MarkdownUrl[]): void {
  for (let at = text.indexOf("]:"); at !== -1; at = text.indexOf("]:", at + 2)) {
    let from = at + 2;
    while (from < text.length && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
    if (text.charCodeAt(from) === 60) from++;
    const scheme = urlStart(text, from);
    if (scheme === 0) continue;
    // Back to the start of the line: no "]" on the way (labels hold none), at most an indent, "[" and a label.
    let lineStart = -1;
    for (let i = at - 1; i >= -1 && at - i <= MAX_REF_LABEL + 5; i--) {
      const c = i >= 0 ? text.charCodeAt(i) : 10;
      if (c === 93) break;
      if (isLineBreak(c)) {
        lineStart = i + 1;
        break;
      }
    }
    if (lineStart === -1) continue;
    let bracket = lineStart;
    while (bracket < lineStart + 3 && (text.charCodeAt(bracket) === 32 || text.charCodeAt(bracket) === 9)) bracket++;
    if (text.charCodeAt(bracket) !== 91 || at - bracket - 1 < 1 || at - bracket - 1 > MAX_REF_LABEL) continue;
    let end = from + scheme;
    const limit = Math.min(text.length, end + MAX_URL);
    while (end < limit && text.charCodeAt(end) !== 62 && !isUrlSpace(text.charCodeAt(end))) end++;
    if (end === from + scheme) continue;
    const label = text.slice(bracket + 1, at).toLowerCase();
    out.push({ start: from, end, elementStart: from, elementEnd: end, image: usedAsImage(text, label, bracket) });
  }
}

/** HTML <img> tags with an absolute src. */
function imgTags(text: string, out: MarkdownUrl[]): void {
  IMG_START.lastIndex = 0;
  for (let s = IMG_START.exec(text); s !== null; s = IMG_START.exec(text)) {
    IMG_TAG.lastIndex = s.index;
    const m = IMG_TAG.exec(text);
    if (!m) continue;
    const url = m[1] ?? "";
    const start = m.index + m[0].length - url.length;
    const close = text.slice(start + url.length, Math.min(text.length, m.index + 1000)).indexOf(">");
    const elementEnd = close !== -1 ? start + url.length + close + 1 : start + url.length;
    out.push({ start, end: start + url.length, elementStart: m.index, elementEnd, image: true });
    IMG_START.lastIndex = Math.max(IMG_START.lastIndex, start + url.length);
  }
}

let lastText: string | undefined;
let lastUrls: MarkdownUrl[] = [];

/** The markdown URLs of `text`, inline and reference-style, memoised for the last text (both detectors read them). */
export function markdownUrls(text: string): MarkdownUrl[] {
  if (text !== lastText) {
    lastText = text;
    lastUrls = [];
    inline(text, lastUrls);
    definitions(text, lastUrls);
  }
  return lastUrls;
}

/** The <img> URLs of `text`: images only, so only the image detector asks. */
export function imgUrls(text: string): MarkdownUrl[] {
  const out: MarkdownUrl[] = [];
  imgTags(text, out);
  return out;
}
