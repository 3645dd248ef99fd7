/**
 * A one-line progress bar for long commands on a terminal: done / total with a bar, percent,
 * rate and ETA from the wall time so far, and a free-form tail (e.g. series done). It renders
 * through a callback that rewrites one status line (`main.ts` writes it to stderr only when
 * stderr is a terminal), at most every `intervalMs`, and clears the line when finished.
 *
 * @module
 */

/** What one progress line shows. */
export interface ProgressState {
  /** Units done so far. */
  readonly done: number;
  /** Units in all. */
  readonly total: number;
  /** Wall time since the start, ms. */
  readonly elapsedMs: number;
  /** Unit name, plural (`candles`). */
  readonly unit: string;
  /** Text after the figures, such as `series 3/18`. */
  readonly tail?: string;
}

const BAR_WIDTH = 20;

/**
 * Formats a duration for an ETA: `45s`, `3m 05s`, `2h 04m`.
 *
 * @param ms Duration in ms.
 * @returns The text.
 */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
  }
  return `${Math.floor(minutes / 60)}h ${
    String(minutes % 60).padStart(2, "0")
  }m`;
}

/**
 * Writes an integer with thin groups of three digits: `1 234 567`.
 *
 * @param value The number.
 * @returns The text.
 */
export function groupDigits(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/**
 * Formats one progress line: `[#####...............] 1 500 / 6 000 candles  25 %  ETA 3s`.
 *
 * @param state Done, total, elapsed time, unit and tail.
 * @returns The line (no line break).
 */
export function formatProgress(state: ProgressState): string {
  const { done, total, elapsedMs, unit } = state;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`;
  const eta = done > 0 && elapsedMs > 0
    ? `ETA ${formatDuration((total - done) * elapsedMs / done)}`
    : "ETA --";
  const parts = [
    `${bar} ${groupDigits(done)} / ${groupDigits(total)} ${unit}`,
    `${Math.floor(fraction * 100)} %`,
    eta,
  ];
  if (state.tail !== undefined && state.tail !== "") parts.push(state.tail);
  return parts.join("  ");
}

/** Options of `ProgressBar`. */
export interface ProgressBarOptions {
  /** Units in all. */
  readonly total: number;
  /** Unit name, plural. */
  readonly unit: string;
  /** Wall clock, epoch ms. */
  readonly now: () => number;
  /** Rewrites the status line; called with `""` to clear it. */
  readonly render: (text: string) => void;
  /** Least wall time between two renders, ms (default 200). */
  readonly intervalMs?: number;
}

/** Progress of one long task, rendered as one status line. */
export class ProgressBar {
  readonly #options: ProgressBarOptions;
  readonly #start: number;
  #done = 0;
  #tail = "";
  #lastRender = Number.NEGATIVE_INFINITY;

  constructor(options: ProgressBarOptions) {
    this.#options = options;
    this.#start = options.now();
  }

  /** Units done so far. */
  get done(): number {
    return this.#done;
  }

  /**
   * Adds done units and renders when the interval has passed.
   *
   * @param units Units just done.
   * @param tail New tail text, when it changed.
   */
  advance(units: number, tail?: string): void {
    this.#done += units;
    if (tail !== undefined) this.#tail = tail;
    const now = this.#options.now();
    if (now - this.#lastRender < (this.#options.intervalMs ?? 200)) return;
    this.#lastRender = now;
    this.#options.render(formatProgress({
      done: this.#done,
      total: this.#options.total,
      elapsedMs: now - this.#start,
      unit: this.#options.unit,
      tail: this.#tail,
    }));
  }

  /** Clears the status line. */
  finish(): void {
    this.#options.render("");
  }
}
