// Time math of the Meter: the 60 s sliding-window counter (rpm, tpm) and UTC day/month periods.

export const WINDOW_MS = 60_000;

/** Two fixed 60 s windows; the count at `now` weighs the previous one by how much of it still overlaps the last 60 s. */
export interface Window {
  /** Start (epoch ms, a multiple of WINDOW_MS) of the current window. */
  start: number;
  prev: number;
  cur: number;
}

export const emptyWindow = (): Window => ({ start: 0, prev: 0, cur: 0 });

/** Moves the window forward to the one containing `now`. The logical count is unchanged by rolling. */
export function roll(w: Window, now: number): void {
  const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  if (start <= w.start) return;
  w.prev = start - w.start === WINDOW_MS ? w.cur : 0;
  w.cur = 0;
  w.start = start;
}

/** The window as it stands at `now`, without changing `w`. */
function rolledTo(w: Window, now: number): Window {
  const copy = { ...w };
  roll(copy, now);
  return copy;
}

/** The sliding count at `now`. */
export function count(window: Window, now: number): number {
  const w = rolledTo(window, now);
  const elapsed = Math.min(Math.max(now - w.start, 0), WINDOW_MS);
  return w.prev * (1 - elapsed / WINDOW_MS) + w.cur;
}

/**
 * Milliseconds from `now` until the sliding count drops to `target` or below, if nothing is added meanwhile.
 * A negative target can never be met by the window alone: the answer is then the time until it is empty.
 */
export function msUntilAtMost(window: Window, now: number, target: number): number {
  const w = rolledTo(window, now);
  const goal = Math.max(target, 0);
  if (count(w, now) <= goal) return 0;
  // While in the current window the count falls linearly from prev+cur towards cur.
  if (w.prev > 0 && w.cur <= goal) {
    const when = w.start + WINDOW_MS * (1 - (goal - w.cur) / w.prev);
    return Math.max(Math.ceil(when - now), 0);
  }
  // In the next window the current one becomes the previous one and fades out.
  const next = w.start + WINDOW_MS;
  const when = next + (w.cur > 0 ? WINDOW_MS * (1 - goal / w.cur) : 0);
  return Math.max(Math.ceil(when - now), 0);
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** UTC date, "YYYY-MM-DD". */
export function utcDay(now: number): string {
  const d = new Date(now);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** UTC month, "YYYY-MM". */
export function utcMonth(now: number): string {
  const d = new Date(now);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

export function msUntilNextUtcDay(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - now;
}

export function msUntilNextUtcMonth(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - now;
}

/** Whole seconds for a retry-after header: rounded up, at least 1. */
export const retrySeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** A duration the way OpenAI's x-ratelimit-reset-* headers write it: "20ms", "1s", "6m0s", "1h2m3s". */
export function formatReset(ms: number): string {
  const clamped = Math.max(0, Math.ceil(ms));
  if (clamped < 1000) return `${clamped}ms`;
  const total = Math.ceil(clamped / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
