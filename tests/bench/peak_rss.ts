/**
 * The process's peak resident memory, for the benchmarks' reports.
 *
 * @module
 */
import { readFileSync } from "node:fs";

/**
 * The peak resident set size so far: `VmHWM` of `/proc/self/status` on Linux, else the current
 * RSS from `Deno.memoryUsage()`.
 *
 * @returns The peak RSS in MiB.
 */
export function peakRssMiB(): number {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall back to the current RSS
  }
  return Deno.memoryUsage().rss / 1024 / 1024;
}
