/**
 * Reusable typed-array buffers for batch computations. Page faults are expensive on these
 * machines (about 11 µs per 4 KiB page), so batch code asks a workspace for its scratch columns
 * instead of allocating per series or per preset: a buffer is allocated once per key, grown when a
 * longer series arrives, and handed out as a view of the requested length.
 *
 * A workspace belongs to one caller at a time; views from it are overwritten by later requests for
 * the same key.
 *
 * @module
 */

/** Pool of Float64Array buffers keyed by name. */
export class Workspace {
  #buffers = new Map<string, Float64Array>();

  /**
   * A view of `length` elements of the buffer named `key` (contents unspecified).
   *
   * @param key Buffer name; distinct uses need distinct keys.
   * @param length Number of elements needed.
   * @returns A Float64Array view of exactly `length` elements.
   */
  floats(key: string, length: number): Float64Array {
    let buffer = this.#buffers.get(key);
    if (buffer === undefined || buffer.length < length) {
      buffer = new Float64Array(
        Math.max(length, Math.ceil((buffer?.length ?? 0) * 1.25)),
      );
      this.#buffers.set(key, buffer);
    }
    return buffer.subarray(0, length);
  }

  /** Total bytes held. */
  get bytes(): number {
    let total = 0;
    for (const b of this.#buffers.values()) total += b.byteLength;
    return total;
  }
}
