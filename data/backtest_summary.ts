/**
 * What a backtest run reports: metrics (portfolio and per series), decisions refused per rule,
 * signal counters, preset ids and hashes, data ranges; as summary.json, a terminal table and the
 * HTML report's input.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { computeMetrics, type Metrics } from "../core/backtest/metrics.ts";
import { tradeMetrics } from "../core/backtest/metrics_trades.ts";
import type {
  BacktestResult,
  EquityPoint,
  TradeRecord,
} from "../core/backtest/records.ts";
import { renderBacktestReport } from "../web/backtest_report.ts";
import { renderTable } from "../web/terminal_table.ts";
import type { PresetSource, SeriesPresets } from "./backtest_inputs.ts";
import type { PlannedSeries, RunChoices } from "./backtest_run.ts";

/** Everything needed to describe a run. */
export interface SummaryInput {
  readonly run: {
    readonly results: readonly BacktestResult[];
    readonly filtered: readonly number[];
    readonly ambiguous: readonly number[];
  };
  readonly planned: readonly PlannedSeries[];
  readonly choices: RunChoices;
  readonly config: Config;
  readonly presets: ReadonlyMap<string, SeriesPresets>;
  readonly source: PresetSource;
  readonly dataDir: string;
  readonly from: number;
  readonly to: number;
  /** Set for `--compat velas-py` runs. */
  readonly compat?: string;
  /** Trades, decisions and daily equity over all results. */
  readonly merged: {
    readonly trades: readonly TradeRecord[];
    readonly decisions: BacktestResult["decisions"];
    readonly equity: readonly EquityPoint[];
  };
}

/** The described run. */
export interface Summary {
  readonly input: SummaryInput;
  readonly metrics: Metrics;
  readonly perSeries: readonly {
    key: string;
    trades: readonly TradeRecord[];
  }[];
  readonly refusedByRule: Readonly<Record<string, number>>;
  readonly json: Record<string, unknown>;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

/** JSON form of a metric: rounded; ±Infinity as strings (JSON has none); NaN as null. */
function jsonNumber(value: number, digits = 6): number | string | null {
  if (Number.isNaN(value)) return null;
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A JSON-ready copy of a metrics record (rounded numbers, infinities as strings). */
function rounded(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(
      value,
      (_k, v) => (typeof v === "number" ? jsonNumber(v) : v),
    ),
  );
}

/**
 * Computes the run's metrics and summary.
 *
 * @param input The run and its context.
 * @returns The summary (with the JSON object for summary.json).
 */
export function backtestSummary(input: SummaryInput): Summary {
  const { run, planned, choices, merged } = input;
  const facts = run.results.reduce(
    (acc, r) => ({
      initialEquity: acc.initialEquity + r.facts.initialEquity,
      bars: acc.bars + r.facts.bars,
      barsInPosition: acc.barsInPosition + r.facts.barsInPosition,
    }),
    { initialEquity: 0, bars: 0, barsInPosition: 0 },
  );
  const metrics = computeMetrics(merged.trades, {
    equity: merged.equity,
    facts,
  });
  const perSeries = planned.map(({ loaded }) => {
    const key = `${loaded.symbol}:${loaded.timeframe}`;
    return { key, trades: merged.trades.filter((t) => t.seriesKey === key) };
  });
  const refusedByRule: Record<string, number> = {};
  for (const d of merged.decisions) {
    if (!d.accepted) refusedByRule[d.rule] = (refusedByRule[d.rule] ?? 0) + 1;
  }
  const json: Record<string, unknown> = {
    mode: input.compat === undefined
      ? choices.mode
      : `compat ${input.compat} (the original engine's rules)`,
    range: {
      from: iso(
        Math.min(...planned.map((p) => p.loaded.candles.openTime[p.first]!)),
      ),
      to: iso(
        Math.max(...planned.map((p) => p.loaded.candles.openTime[p.end - 1]!)),
      ),
    },
    align: choices.align === "intersect"
      ? "ranges intersected: every series trades over the common range"
      : "ranges as they are: each series trades over its own data",
    options: {
      same_bar_rule: choices.rule,
      entry: choices.entry,
      semantics: choices.semantics,
      costs: choices.costs ? input.config.costs : "off",
      warmup_bars: choices.warmupBars,
    },
    portfolio: input.config.portfolio,
    ladder: input.config.ladder,
    presets: {
      source: input.source.kind === "index"
        ? `indicator preset ${input.source.index} for every series and regime`
        : input.source.kind === "dir"
        ? `preset files in ${input.source.dir}`
        : "generated defaults (no preset files)",
      hashes: Object.fromEntries(
        [...input.presets].map(([key, p]) => [key, {
          low: p.hashes[0],
          normal: p.hashes[1],
          high: p.hashes[2],
        }]),
      ),
    },
    data: {
      dir: input.dataDir,
      series: planned.map(({ loaded, first, end }, i) => ({
        symbol: loaded.symbol,
        timeframe: loaded.timeframe,
        file: loaded.file,
        first_candle: iso(loaded.candles.openTime[0]!),
        last_candle: iso(
          loaded.candles.openTime[loaded.candles.openTime.length - 1]!,
        ),
        traded_from: iso(loaded.candles.openTime[first]!),
        traded_to: iso(loaded.candles.openTime[end - 1]!),
        traded_bars: end - first,
        gaps: loaded.gaps,
        filtered_signals: run.filtered[i] ?? 0,
        ambiguous_bars: run.ambiguous[i] ?? 0,
      })),
    },
    decisions: {
      signals: merged.decisions.length,
      accepted: merged.decisions.filter((d) => d.accepted).length,
      refused_by_rule: refusedByRule,
    },
    per_series: Object.fromEntries(
      perSeries.map(({ key, trades }) => [key, rounded(tradeMetrics(trades))]),
    ),
    same_bar_decided_bars: metrics.sameBarDecidedBars,
    bars_resolved_by_finer_candles: run.results.reduce(
      (n, r) => n + (r.facts.detailResolved ?? 0),
      0,
    ),
    metrics: rounded(metrics),
  };
  return { input, metrics, perSeries, refusedByRule, json };
}

function pct(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value)
    ? "-"
    : `${value.toFixed(2)} %`;
}

function num(value: number | undefined, digits = 2): string {
  if (value === undefined || Number.isNaN(value)) return "-";
  return value === Infinity ? "inf" : value.toFixed(digits);
}

function seriesRows(summary: Summary): string[][] {
  return summary.perSeries.map(({ key, trades }) => {
    const m = tradeMetrics(trades);
    return [
      key,
      String(m.totalTrades),
      pct(m.winRate),
      pct(m.winRateTp[0]),
      num(m.netProfitQuote),
      num(m.profitFactor),
      num(m.feesQuote),
    ];
  });
}

const SERIES_HEADER = ["series", "trades", "win", "TP1", "net", "PF", "fees"];

/**
 * The compact terminal table.
 *
 * @param summary The run summary.
 * @returns Lines to print.
 */
export function printableTable(summary: Summary): string[] {
  const m = summary.metrics;
  const lines = renderTable(seriesRows(summary), {
    header: SERIES_HEADER,
    align: ["left", "right", "right", "right", "right", "right", "right"],
  }).split("\n");
  lines.push(
    "",
    `trades ${m.totalTrades}  win ${pct(m.winRate)}  TP1 ${
      pct(m.winRateTp[0])
    }  PF ${num(m.profitFactor)}  net ${num(m.netProfitQuote)}  return ${
      pct(m.totalReturnPct)
    }`,
    `Sharpe ${num(m.sharpe)}  Sortino ${num(m.sortino)}  max DD ${
      pct(m.maxDrawdownPct)
    }  CAGR ${pct(m.cagrPct)}  exposure ${pct(m.exposurePct)}  fees ${
      num(m.feesQuote)
    }  funding ${num(m.fundingQuote)}`,
    `same-bar rule ${summary.input.choices.rule} decided ${m.sameBarDecidedBars} bar(s); refused: ${
      Object.entries(summary.refusedByRule).map(([rule, n]) => `${rule} ${n}`)
        .join(", ") || "none"
    }`,
  );
  return lines;
}

/**
 * The HTML report.
 *
 * @param summary The run summary.
 * @returns The self-contained report.html text.
 */
export function reportFor(summary: Summary): string {
  const m = summary.metrics;
  const { input } = summary;
  let peak = -Infinity;
  return renderBacktestReport({
    symbols: [...new Set(input.planned.map((p) => p.loaded.symbol))],
    timeframes: [...new Set(input.planned.map((p) => p.loaded.timeframe))],
    start: input.merged.equity[0]?.time ?? input.from,
    end: input.merged.equity[input.merged.equity.length - 1]?.time ??
      input.from,
    rangeNote: String(summary.json.align),
    metrics: [
      { label: "Trades", value: String(m.totalTrades) },
      { label: "Win rate", value: pct(m.winRate) },
      { label: "WinRate TP1", value: pct(m.winRateTp[0]) },
      { label: "Profit factor", value: num(m.profitFactor) },
      { label: "Net profit", value: num(m.netProfitQuote) },
      { label: "Total return", value: pct(m.totalReturnPct) },
      { label: "Sharpe", value: num(m.sharpe) },
      { label: "Sortino", value: num(m.sortino) },
      { label: "Max drawdown", value: pct(m.maxDrawdownPct) },
      { label: "CAGR", value: pct(m.cagrPct) },
      { label: "Exposure", value: pct(m.exposurePct) },
      { label: "Fees", value: num(m.feesQuote) },
      { label: "Funding", value: num(m.fundingQuote) },
    ],
    equity: input.merged.equity.map((p) => {
      peak = Math.max(peak, p.equity);
      return { ...p, drawdownPct: ((peak - p.equity) / peak) * 100 };
    }),
    seriesTable: { header: SERIES_HEADER, rows: seriesRows(summary) },
    exitReasonTable: {
      header: ["exit reason", "trades"],
      rows: Object.entries(m.exitReasons).map((
        [reason, n],
      ) => [reason, String(n)]),
    },
    monthlyReturns: m.monthlyReturns.map((r) => ({
      year: Number(r.month.slice(0, 4)),
      month: Number(r.month.slice(5, 7)),
      returnPct: r.returnPct,
    })),
    sameBar: { rule: input.choices.rule, bars: m.sameBarDecidedBars },
  });
}
