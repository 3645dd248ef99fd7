/**
 * Conversions from the daemon's stored and in-memory state to the status API's views
 * (`web/status_types.ts`): series freshness, open positions with their ladder and stop history,
 * preset files, outbox rows with their text, and a masked config. Plain functions of their
 * inputs; the live source (`data/status_source.ts`) gathers the inputs.
 *
 * @module
 */
import type { FillRecord } from "../core/backtest/records.ts";
import { movePct } from "../core/ladder.ts";
import type { OpenTrade } from "../core/portfolio_book.ts";
import type { PresetFile } from "../core/preset.ts";
import type { OutboxRow, PositionRow } from "../core/state_types.ts";
import { stopHistory } from "../core/stop_history.ts";
import { INDICATOR_PRESETS } from "../presets/indicator_presets.ts";
import type {
  AlertView,
  PositionView,
  PresetView,
  SeriesFreshness,
} from "../web/status_types.ts";
import { redactSecrets } from "./redact.ts";
import { type DispatchOptions, textOf } from "./telegram_dispatch.ts";

/** A new candle counts as on time for this long after its close (the stream's late check). */
export const FRESH_GRACE_MS = 60_000;

/**
 * How fresh a series is at `now`.
 *
 * @param lastCloseTime Close time of the last processed bar (non-finite: none yet).
 * @param tfMs The timeframe, ms.
 * @param now The clock's time.
 * @param staleIntervals Intervals without a candle after which the series is stale (default 2).
 * @returns The freshness and the lag: `now` minus the close time of the first missing candle
 * (0 when none is missing).
 */
export function freshnessOf(
  lastCloseTime: number,
  tfMs: number,
  now: number,
  staleIntervals = 2,
): { freshness: SeriesFreshness; lagMs: number } {
  if (!Number.isFinite(lastCloseTime)) {
    return { freshness: "waiting", lagMs: 0 };
  }
  const missingSince = lastCloseTime + tfMs;
  if (now < missingSince + FRESH_GRACE_MS) {
    return { freshness: "fresh", lagMs: 0 };
  }
  const lagMs = now - missingSince;
  return {
    freshness: now >= lastCloseTime + staleIntervals * tfMs + FRESH_GRACE_MS
      ? "stale"
      : "late",
    lagMs,
  };
}

/**
 * An open position as the page shows it.
 *
 * @param row The stored position (its state is the portfolio's open trade).
 * @param context Sector, fills and the last price of the series.
 * @returns The view.
 */
export function positionView(
  row: PositionRow,
  context: {
    readonly sector: string;
    readonly fills: readonly FillRecord[];
    readonly lastPrice: number | null;
  },
): PositionView {
  const trade = row.state as OpenTrade;
  const p = trade.position;
  const last = context.lastPrice;
  return {
    tradeId: row.tradeId,
    symbol: row.symbol,
    timeframe: row.timeframe,
    side: p.side,
    sector: context.sector,
    regime: trade.regime,
    entryTime: p.entryTime,
    entryPrice: p.entryPrice,
    quantity: p.quantity,
    notional: trade.notional,
    tp: [...p.tp],
    tpFilled: p.tpFilled,
    stop: p.stop,
    initialStop: p.initialStop,
    remaining: p.remaining,
    lastPrice: last,
    unrealizedPct: last === null || !Number.isFinite(last)
      ? null
      : movePct(p.side, last, p.entryPrice),
    realizedPnl: p.realizedPnl,
    stopHistory: stopHistory({
      spec: trade.spec,
      position: p,
      fills: context.fills,
    }),
    fills: [...context.fills],
  };
}

/**
 * A preset file as the page shows it.
 *
 * @param file The preset.
 * @param hash Its content hash.
 * @returns The view.
 */
export function presetView(file: PresetFile, hash: string): PresetView {
  const { i1, i2, i3, i4, i5 } = file.indicator;
  const index = INDICATOR_PRESETS.findIndex((p) =>
    p.i1 === i1 && p.i2 === i2 && p.i3 === i3 && p.i4 === i4 && p.i5 === i5
  );
  const optimized = file.optimization.generated_at !== "" &&
    file.optimization.test_total_trades > 0;
  return {
    symbol: file.symbol,
    timeframe: file.timeframe,
    regime: file.volatility_regime,
    active: file.is_active,
    presetIndex: index < 0 ? null : index,
    params: {
      ...file.indicator,
      sl_percent: file.sl_percent,
      ...Object.fromEntries(
        Object.entries(file.tp_levels).map(([k, v]) => [k, v]),
      ),
    },
    hash,
    evidence: optimized ? file.optimization : null,
    notes: file.notes === ""
      ? []
      : file.notes.split("\n").filter((l) => l !== ""),
  };
}

/**
 * An outbox row as the Alerts view shows it: its delivery state and text.
 *
 * @param row The row.
 * @param dispatch The notifier's formatting options.
 * @returns The view.
 */
export function alertView(
  row: OutboxRow,
  dispatch: DispatchOptions,
): AlertView {
  const state = row.sentAt === null
    ? row.inFlight === null ? "queued" : "sending"
    : row.messageId === null && row.lastError !== null
    ? "failed"
    : "sent";
  let text: string;
  try {
    text = textOf(row, dispatch)?.text ?? `(${row.kind}: switched off)`;
  } catch (error) {
    text = `(${row.kind}: ${error instanceof Error ? error.message : error})`;
  }
  return {
    id: row.id,
    key: row.key,
    kind: row.kind,
    createdAt: row.createdAt,
    state,
    sentAt: row.sentAt,
    attempts: row.attempts,
    lastError: row.lastError,
    messageId: row.messageId,
    text,
  };
}

const SECRET_KEY = /token|secret|password|passphrase|api_?key/i;

/**
 * A copy of a config with the values of secret-looking keys replaced by `***` and every given
 * secret string masked wherever it appears.
 *
 * @param value The config (plain data).
 * @param secrets Secret values to mask (empty strings are ignored).
 * @returns The masked copy.
 */
export function maskSecrets(
  value: unknown,
  secrets: readonly string[],
): unknown {
  const walk = (v: unknown, key: string): unknown => {
    if (SECRET_KEY.test(key) && v !== "" && v !== null && v !== undefined) {
      return "***";
    }
    if (typeof v === "string") {
      return redactSecrets(v, secrets, "***");
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, walk(x, k)]),
      );
    }
    return v;
  };
  return walk(value, "");
}

/**
 * The symbol and timeframe of a trade or signal id (`{SYMBOL}-{tf}-{openTimeMs}-{L|S}`).
 *
 * @param id The id.
 * @returns Symbol and timeframe, or undefined when the id has another shape.
 */
export function seriesOfId(
  id: string,
): { symbol: string; timeframe: string } | undefined {
  const m = /^([A-Z0-9]+)-(\d+[mhdwM])-\d+-[LS]$/.exec(id);
  return m === null ? undefined : { symbol: m[1]!, timeframe: m[2]! };
}
