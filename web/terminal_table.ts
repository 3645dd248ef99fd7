/**
 * A compact fixed-width text table for the terminal: columns fitted to their widest cell, two
 * spaces between columns, a dashed rule under the header, no trailing spaces. Plain text
 * unless `color` asks for a bold header (ANSI); widths ignore ANSI codes already in cells and
 * count code points, so `±` and `–` take one column.
 *
 * ```
 * series      trades  pnl %
 * ----------  ------  -----
 * BTCUSDT 1h      12   4.21
 * ```
 *
 * @module
 */

/** Options of {@linkcode renderTable}. */
export interface TableOptions {
  /** Column titles; every row must have as many cells. */
  readonly header: readonly string[];
  /** Per-column alignment; missing entries are `left`. */
  readonly align?: readonly ("left" | "right")[];
  /** Bold header through ANSI codes (default false: plain text). */
  readonly color?: boolean;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function visibleWidth(text: string): number {
  let n = 0;
  for (const _ of text.replace(ANSI, "")) n++;
  return n;
}

function pad(text: string, width: number, right: boolean): string {
  const fill = " ".repeat(width - visibleWidth(text));
  return right ? fill + text : text + fill;
}

/**
 * Renders rows as a fixed-width table.
 *
 * @param rows The body rows, one string per cell.
 * @param options Header, alignment and colour.
 * @returns The table, lines joined by `\n`, with a final newline.
 * @throws {RangeError} When a row's cell count differs from the header's, or a cell holds a
 * line break.
 */
export function renderTable(
  rows: readonly (readonly string[])[],
  options: TableOptions,
): string {
  const { header, align = [], color = false } = options;
  const widths = header.map(visibleWidth);
  rows.forEach((row, r) => {
    if (row.length !== header.length) {
      throw new RangeError(
        `Cannot render table as row ${
          r + 1
        } must have ${header.length} cells: current value is ${row.length}`,
      );
    }
    row.forEach((cell, k) => {
      if (/[\r\n]/.test(cell)) {
        throw new RangeError(
          `Cannot render table as cells must be one line: current value is ${
            JSON.stringify(cell)
          } at row ${r + 1}`,
        );
      }
      widths[k] = Math.max(widths[k]!, visibleWidth(cell));
    });
  });
  const line = (cells: readonly string[]): string =>
    cells.map((cell, k) => pad(cell, widths[k]!, align[k] === "right")).join(
      "  ",
    ).trimEnd();
  const head = line(header);
  const lines = [
    color ? `\x1b[1m${head}\x1b[0m` : head,
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
  ];
  return lines.join("\n") + "\n";
}
