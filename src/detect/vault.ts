// Reversible placeholders for tokenized values: the provider sees <EMAIL_1>, the client gets the original back.

const PLACEHOLDER = /<([A-Z][A-Z0-9_]{0,40})_(\d{1,6})>/g;

/** The longest placeholder text, for the stream window that restores them. */
export const MAX_PLACEHOLDER_LENGTH = 50;

export class Vault {
  #byValue = new Map<string, string>();
  #byPlaceholder = new Map<string, string>();
  #counters = new Map<string, number>();

  /** The same value always gets the same placeholder within one request. */
  placeholder(kind: string, value: string): string {
    const known = this.#byValue.get(value);
    if (known) return known;
    const label = (kind.split(".")[1] ?? kind).toUpperCase().replace(/[^A-Z0-9_]/g, "_");
    const n = (this.#counters.get(label) ?? 0) + 1;
    this.#counters.set(label, n);
    const p = `<${label}_${n}>`;
    this.#byValue.set(value, p);
    this.#byPlaceholder.set(p, value);
    return p;
  }

  get size(): number {
    return this.#byPlaceholder.size;
  }

  /** Replaces every placeholder this vault issued; other look-alikes are left as they are. */
  restore(text: string): string {
    if (this.#byPlaceholder.size === 0 || !text.includes("<")) return text;
    return text.replace(PLACEHOLDER, (m) => this.#byPlaceholder.get(m) ?? m);
  }
}
