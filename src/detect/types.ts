// Shapes of the detection engine: detectors see text once, report findings; they never throw and never return values.

export type Category = "secret" | "pii" | "injection" | "unicode" | "exfil";

/**
 * A finding names a kind ("<category>.<name>", e.g. "secret.github_pat", "pii.email", "injection.role_hijack"),
 * the span [start, end) of the offending text in UTF-16 code units, and a confidence in [0, 1].
 * Redaction replaces exactly the span, so a span must cover the whole sensitive value and nothing more
 * (for "password=hunter2" the span is "hunter2"; for a PEM key, the whole block).
 */
export interface Finding {
  kind: string;
  category: Category;
  start: number;
  end: number;
  confidence: number;
}

export interface Detector {
  /** Unique, stable; doubles as the kind's name part for single-kind detectors. */
  id: string;
  category: Category;
  /**
   * Lower-case literals, one of which must occur in the text for the detector to run (the prefilter, as gitleaks'
   * rule keywords). Empty: the detector runs on every text, so it must be cheap.
   */
  keywords: readonly string[];
  /**
   * Longest text a single finding can span (a bound for the stream window: the scanner holds back this many
   * characters so a value split across chunks is still seen whole). Use a real bound, not Infinity.
   */
  maxLength: number;
  /** Must not throw; regexes are compiled once at module load, never per call. */
  detect(text: string): Finding[];
}
