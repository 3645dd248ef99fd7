/**
 * `backtest --check-lookahead` and `--check-warmup`: run the bias checks of
 * `core/backtest/bias_checks.ts` over loaded series and print what they found.
 *
 * @module
 */
import { checkLookahead, warmupBars } from "../core/backtest/bias_checks.ts";
import type { IndicatorParams, Semantics } from "../core/types.ts";
import { renderTable } from "../web/terminal_table.ts";
import type { LoadedSeries } from "./backtest_inputs.ts";

/**
 * Runs the look-ahead check (exit 1 on the first difference) or the warm-up report.
 *
 * @param series The loaded series.
 * @param options Which check, semantics, presets, the configured warm-up and output channels.
 * @returns The exit code: 0 when the check passed (or for the report), 1 on look-ahead.
 */
export function runBiasChecks(
  series: readonly LoadedSeries[],
  options: {
    readonly lookahead: boolean;
    readonly semantics: Semantics;
    readonly presets: readonly IndicatorParams[];
    readonly configuredWarmup: number;
    readonly io: { readonly stdout: (line: string) => void };
  },
): number {
  const { io, presets, semantics } = options;
  if (options.lookahead) {
    for (const s of series) {
      const result = checkLookahead(s.candles, {
        presets,
        semantics,
        cuts: 20,
      });
      if (!result.ok) {
        const d = result.difference;
        io.stdout(
          `LOOK-AHEAD FOUND in ${s.symbol} ${s.timeframe}, preset ${d.preset}: with the data cut after bar ${
            d.cut - 1
          } the first difference is at bar ${d.bar}: full data gives ${d.full}, cut data gives ${d.cutRun}`,
        );
        return 1;
      }
      io.stdout(
        `${s.symbol} ${s.timeframe}: no look-ahead: ${result.signals} signals of ${result.presets} preset(s) unchanged at ${result.cuts} cut points`,
      );
    }
    return 0;
  }
  for (const s of series) {
    const n = s.candles.close.length;
    const offset = Math.min(1000, Math.floor(n / 3));
    const rows = presets.map((params, k) => {
      const bars = warmupBars(s.candles, {
        params,
        semantics,
        offset,
        tolerance: 1e-9,
      });
      return [
        String(k),
        String(params.i1),
        String(params.i2),
        bars === undefined ? `> ${n - offset}` : String(bars),
        bars !== undefined && bars <= options.configuredWarmup
          ? "ok"
          : "RAISE data.warmup_bars",
      ];
    });
    io.stdout(
      `${s.symbol} ${s.timeframe}: bars of history before triggers agree to 1e-9 (started ${offset} bars late)`,
    );
    for (
      const line of renderTable(rows, {
        header: [
          "preset",
          "i1",
          "i2",
          "bars needed",
          `vs warm-up ${options.configuredWarmup}`,
        ],
        align: ["right", "right", "right", "right", "left"],
      }).split("\n")
    ) io.stdout(line);
  }
  return 0;
}
