/**
 * The backtest and optimizer reports under the data directory, for the status page's Backtests
 * view: `data/backtests/<run>/report.html` (`deno task backtest`) and
 * `data/optimize/<run>/report.html` (`deno task backtest optimize`), and the files of one run
 * served in place. A name or file that is not a plain path segment (`..`, `/`, a leading dot)
 * or a file type that is not listed is never read.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import type { BacktestEntry, ReportFile } from "../web/status_types.ts";

const REPORT_KINDS = { backtests: "backtest", optimize: "optimize" } as const;
const FILE_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Every run directory with a `report.html`, newest first.
 *
 * @param dataDir The data directory (`data.dir`).
 * @returns The reports.
 */
export function listReports(dataDir: string): BacktestEntry[] {
  const out: BacktestEntry[] = [];
  for (const [folder, kind] of Object.entries(REPORT_KINDS)) {
    const root = join(dataDir, folder);
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      continue;
    }
    for (const dir of names) {
      if (!SEGMENT.test(dir)) continue;
      try {
        const stat = statSync(join(root, dir, "report.html"));
        const name = `${folder}/${dir}`;
        out.push({
          name,
          kind,
          time: stat.mtimeMs,
          url: `/reports/${encodeURI(name)}/report.html`,
        });
      } catch {
        // not a report directory
      }
    }
  }
  return out.sort((a, b) => b.time - a.time || a.name.localeCompare(b.name));
}

/**
 * One file of a listed run.
 *
 * @param dataDir The data directory.
 * @param name `backtests/<run>` or `optimize/<run>`.
 * @param file A file name of the run, e.g. `report.html`.
 * @returns The body and its content type, or undefined when there is no such file.
 */
export function readReportFile(
  dataDir: string,
  name: string,
  file: string,
): ReportFile | undefined {
  const [folder, dir, ...rest] = name.split("/");
  if (
    rest.length > 0 || folder === undefined || !(folder in REPORT_KINDS) ||
    dir === undefined || !SEGMENT.test(dir) || !SEGMENT.test(file)
  ) {
    return undefined;
  }
  const type = FILE_TYPES[extname(file).toLowerCase()];
  if (type === undefined) return undefined;
  try {
    return { body: readFileSync(join(dataDir, folder, dir, file)), type };
  } catch {
    return undefined;
  }
}
