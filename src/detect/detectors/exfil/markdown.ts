// Finds the URLs of markdown images and links (inline, reference-style) and HTML <img> tags, once per text.
//
// Inline targets are found from each "](" by walking back to the matching "[" (so "[![badge](img)](link)" yields both)
// rather than with one regex over labels; only absolute http(s) or protocol-relative URLs count.

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

const REFERENCE_DEF = /^[ \t]{0,3}\[([^\]\n]{1,200})\]:[ \t]*<?((?:https?:)?\/\/[^\s>]{1,2048})/gim;
const IMAGE_REFERENCE = /!\[([^\]\n]{0,200})\](?:\[([^\]\n]{0,200})\])?/g;
const IMG_TAG = /<img\b[^>]{0,500}?\bsrc\s*=\s*["']?((?:https?:)?\/\/[^\s"'>]{1,2048})/gi;
const URL_START = /^(?:https?:)?\/\//i;
const HAS_IMG = /<img\b/i;

function isUrlStop(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 34 || c === 60 || c === 62;
}

/** End of an inline target starting at `from`: whitespace, an unbalanced ")", or ">" when it opened with "<". */
function targetEnd(text: string, from: number, angled: boolean): number {
  let depth = 0;
  const limit = Math.min(text.length, from + MAX_URL);
  let i = from;
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

function find(text: string): MarkdownUrl[] {
  const out: MarkdownUrl[] = [];
  for (let at = text.indexOf("]("); at !== -1; at = text.indexOf("](", at + 2)) {
    let from = at + 2;
    while (from < text.length && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
    const angled = text.charCodeAt(from) === 60;
    if (angled) from++;
    if (!URL_START.test(text.slice(from, from + 8))) continue;
    const end = targetEnd(text, from, angled);
    const open = labelStart(text, at);
    const image = open > 0 && text.charCodeAt(open - 1) === 33;
    const elementStart = open < 0 ? from : image ? open - 1 : open;
    out.push({ start: from, end, elementStart, elementEnd: elementEnd(text, end), image });
    at = Math.max(at, end - 2); // a "](" inside this URL is part of it
  }
  if (text.indexOf("]:") !== -1) {
    const imageLabels = new Set<string>();
    if (text.indexOf("![") !== -1) {
      IMAGE_REFERENCE.lastIndex = 0;
      for (let m = IMAGE_REFERENCE.exec(text); m !== null; m = IMAGE_REFERENCE.exec(text)) {
        imageLabels.add((m[2] || m[1] || "").toLowerCase());
      }
    }
    REFERENCE_DEF.lastIndex = 0;
    for (let m = REFERENCE_DEF.exec(text); m !== null; m = REFERENCE_DEF.exec(text)) {
      const url = m[2] ?? "";
      const start = m.index + m[0].length - url.length;
      const end = start + url.length;
      out.push({ start, end, elementStart: start, elementEnd: end, image: imageLabels.has((m[1] ?? "").toLowerCase()) });
    }
  }
  if (HAS_IMG.test(text)) {
    IMG_TAG.lastIndex = 0;
    for (let m = IMG_TAG.exec(text); m !== null; m = IMG_TAG.exec(text)) {
      const url = m[1] ?? "";
      const start = m.index + m[0].length - url.length;
      const close = text.indexOf(">", start + url.length);
      const elementEnd = close !== -1 && close - m.index <= 1000 ? close + 1 : start + url.length;
      out.push({ start, end: start + url.length, elementStart: m.index, elementEnd, image: true });
    }
  }
  return out;
}

let lastText: string | undefined;
let lastUrls: MarkdownUrl[] = [];

/** The markdown and <img> URLs of `text`, memoised for the last text (the image and link detectors share it). */
export function markdownUrls(text: string): MarkdownUrl[] {
  if (text !== lastText) {
    lastText = text;
    lastUrls = find(text);
  }
  return lastUrls;
}
