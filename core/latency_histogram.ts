/**
 * A latency histogram with fixed bucket bounds (Prometheus style: cumulative counts, sum, count)
 * plus a ring of the most recent samples for percentiles.
 *
 * @module
 */

/** Upper bounds in seconds of the default buckets: 0.5 ms … 10 s. */
export const LATENCY_BUCKETS_S: readonly number[] = Object.freeze([
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
]);

/** A snapshot of {@link LatencyHistogram} (plain data). */
export interface LatencySnapshot {
  /** Upper bounds in seconds, ascending, without +Inf. */
  readonly buckets: readonly number[];
  /** Cumulative counts per bound. */
  readonly counts: readonly number[];
  /** Sum of all samples, seconds. */
  readonly sum: number;
  readonly count: number;
}

/** Counts latency samples into buckets and keeps the last `recent` samples. */
export class LatencyHistogram {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;
  readonly #recent: Float64Array;
  #next = 0;
  #filled = 0;

  /**
   * @param bounds Upper bounds in seconds, ascending (default {@link LATENCY_BUCKETS_S}).
   * @param recent How many recent samples to keep for percentiles (default 1000).
   * @throws {RangeError} When the bounds are not ascending positive numbers or `recent` < 1.
   */
  constructor(bounds: readonly number[] = LATENCY_BUCKETS_S, recent = 1000) {
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds[i]!;
      if (!(Number.isFinite(b) && b > 0 && (i === 0 || b > bounds[i - 1]!))) {
        throw new RangeError(
          `Cannot create the histogram as 'bounds' must be ascending positive numbers: current value is [${
            bounds.join(", ")
          }]`,
        );
      }
    }
    if (!(Number.isSafeInteger(recent) && recent >= 1)) {
      throw new RangeError(
        `Cannot create the histogram as 'recent' must be an integer of at least 1: current value is ${recent}`,
      );
    }
    this.#bounds = [...bounds];
    this.#counts = new Array(bounds.length).fill(0);
    this.#recent = new Float64Array(recent);
  }

  /**
   * Adds one sample.
   *
   * @param ms The latency in milliseconds (negative or non-finite samples are ignored).
   */
  add(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) return;
    const s = ms / 1000;
    for (
      let i = this.#bounds.length - 1;
      i >= 0 && s <= this.#bounds[i]!;
      i--
    ) {
      this.#counts[i]!++;
    }
    this.#sum += s;
    this.#count++;
    this.#recent[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#recent.length;
    this.#filled = Math.min(this.#filled + 1, this.#recent.length);
  }

  /** The cumulative buckets, sum and count. */
  snapshot(): LatencySnapshot {
    return {
      buckets: [...this.#bounds],
      counts: [...this.#counts],
      sum: this.#sum,
      count: this.#count,
    };
  }

  /**
   * A percentile of the recent samples (nearest rank).
   *
   * @param p The percentile, 0..100.
   * @returns Milliseconds, or null before the first sample.
   */
  percentile(p: number): number | null {
    if (this.#filled === 0) return null;
    const sorted = Array.from(this.#recent.subarray(0, this.#filled)).sort((
      a,
      b,
    ) => a - b);
    const rank = Math.ceil(Math.min(100, Math.max(0, p)) / 100 * sorted.length);
    return sorted[Math.max(0, rank - 1)]!;
  }

  /** Samples kept for percentiles. */
  get recentCount(): number {
    return this.#filled;
  }
}
