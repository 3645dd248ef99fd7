/**
 * Tests of the terminal table: fitted widths, left and right alignment, no trailing spaces,
 * plain text unless colour is asked for, and rows of the wrong shape rejected.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { renderTable } from "../../web/terminal_table.ts";

Deno.test("renderTable fits widths and aligns numbers right", () => {
  const text = renderTable(
    [
      ["BTCUSDT 1h", "12", "4.21"],
      ["SOLUSDT 30m", "7", "-13.50"],
    ],
    {
      header: ["series", "trades", "pnl %"],
      align: ["left", "right", "right"],
    },
  );
  assert.equal(
    text,
    [
      "series       trades   pnl %",
      "-----------  ------  ------",
      "BTCUSDT 1h       12    4.21",
      "SOLUSDT 30m       7  -13.50",
      "",
    ].join("\n"),
  );
});

Deno.test("renderTable aligns left by default and trims trailing spaces", () => {
  const text = renderTable([["a", "b"], ["long cell", ""]], {
    header: ["x", "y"],
  });
  assert.equal(text, "x          y\n---------  -\na          b\nlong cell\n");
  assert.ok(text.split("\n").every((line) => line === line.trimEnd()));
});

Deno.test("renderTable counts code points, not UTF-16 units, and ignores ANSI codes in cells", () => {
  const text = renderTable([["±1 – 𝛼", "\x1b[32m+5\x1b[0m"]], {
    header: ["range", "pnl"],
    align: ["left", "right"],
  });
  assert.equal(
    text,
    "range   pnl\n------  ---\n±1 – 𝛼   \x1b[32m+5\x1b[0m\n",
  );
});

Deno.test("renderTable writes no escape codes unless colour is asked for", () => {
  const rows = [["1"]];
  assert.ok(!renderTable(rows, { header: ["n"] }).includes("\x1b"));
  assert.equal(
    renderTable(rows, { header: ["n"], color: true }),
    "\x1b[1mn\x1b[0m\n-\n1\n",
  );
});

Deno.test("renderTable with no rows prints the header and the rule", () => {
  assert.equal(
    renderTable([], { header: ["symbol", "trades"] }),
    "symbol  trades\n------  ------\n",
  );
});

Deno.test("renderTable throws a RangeError on a row of the wrong length or a multi-line cell", () => {
  assert.throws(
    () => renderTable([["a", "b"], ["c"]], { header: ["x", "y"] }),
    new RangeError(
      "Cannot render table as row 2 must have 2 cells: current value is 1",
    ),
  );
  assert.throws(
    () => renderTable([["a\nb"]], { header: ["x"] }),
    new RangeError(
      'Cannot render table as cells must be one line: current value is "a\\nb" at row 1',
    ),
  );
});
