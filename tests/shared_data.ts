/**
 * Locates `../shared/data/binance` (real Binance candles) for tests and benchmarks. Tests that
 * need the full data set use `ignore: SHARED_DATA === undefined` and add `NEEDS_SHARED` to their
 * name, so a skipped test says why in one line.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const candidate = fileURLToPath(
  new URL("../../shared/data/binance/", import.meta.url),
);

/** Directory of the shared Binance candles (ends with `/`), or undefined when it is absent. */
export const SHARED_DATA: string | undefined = existsSync(candidate)
  ? candidate
  : undefined;

/** Suffix for the names of tests that are skipped without `../shared`. */
export const NEEDS_SHARED = SHARED_DATA === undefined
  ? " (skipped: ../shared/data/binance is absent)"
  : "";

/** Directory of the small bundled candle extracts (ends with `/`). */
export const FIXTURES = fileURLToPath(
  new URL("./fixtures/binance/", import.meta.url),
);

/**
 * Path of one shared candle file.
 *
 * @param name File name such as `BTCUSDT-1h.csv.gz`.
 * @returns The absolute path.
 */
export function sharedFile(name: string): string {
  if (SHARED_DATA === undefined) {
    throw new Error("../shared/data/binance is absent");
  }
  return SHARED_DATA + name;
}
