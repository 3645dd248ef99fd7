/**
 * Renders a {@link MetricsSnapshot} as the Prometheus text exposition format 0.0.4 for
 * `/metrics`: each family with `# HELP` and `# TYPE` before its samples, counters named
 * `*_total`, refusals labelled by rule (label values escaped), and the candle latency as a
 * histogram with cumulative `le` buckets ending at `+Inf`, `_sum` and `_count`. Pure.
 *
 * @module
 */
import type { MetricsSnapshot } from "./status_types.ts";

/** The `Content-Type` of the text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

type Kind = "counter" | "gauge" | "histogram";

/**
 * A number as Prometheus reads it (Go `ParseFloat`): `NaN`, `+Inf`, `-Inf` or the shortest
 * round-trip decimal.
 *
 * @param value Any number.
 * @returns The sample value text.
 */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/**
 * Escapes a label value: backslash, double quote and line feed.
 *
 * @param value The raw label value.
 * @returns The text to put between the quotes.
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(
    /\n/g,
    "\\n",
  );
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function header(name: string, kind: Kind, help: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${kind}\n`;
}

function single(
  name: string,
  kind: Kind,
  options: { help: string; value: number },
): string {
  return header(name, kind, options.help) +
    `${name} ${formatSampleValue(options.value)}\n`;
}

function refusals(byRule: Readonly<Record<string, number>>): string {
  const name = "velas_refusals_total";
  let text = header(name, "counter", "Signals refused, by portfolio rule.");
  for (const rule of Object.keys(byRule).sort()) {
    text += `${name}{rule="${escapeLabelValue(rule)}"} ${
      formatSampleValue(byRule[rule] ?? 0)
    }\n`;
  }
  return text;
}

function latency(histogram: MetricsSnapshot["latency"]): string {
  const { buckets, counts, sum, count } = histogram;
  if (buckets.length !== counts.length) {
    throw new RangeError(
      `Cannot render the latency histogram as 'counts' must have one entry per bucket (${buckets.length}): current length is ${counts.length}`,
    );
  }
  for (let i = 1; i < buckets.length; i++) {
    if (!((buckets[i] ?? 0) > (buckets[i - 1] ?? 0))) {
      throw new RangeError(
        `Cannot render the latency histogram as 'buckets' must be ascending: current value is ${
          buckets.join(",")
        }`,
      );
    }
  }
  const name = "velas_candle_latency_seconds";
  let text = header(
    name,
    "histogram",
    "Time from a candle's close to the commit of its step, seconds.",
  );
  buckets.forEach((bound, i) => {
    text += `${name}_bucket{le="${formatSampleValue(bound)}"} ${
      formatSampleValue(counts[i] ?? 0)
    }\n`;
  });
  text += `${name}_bucket{le="+Inf"} ${formatSampleValue(count)}\n`;
  text += `${name}_sum ${formatSampleValue(sum)}\n`;
  text += `${name}_count ${formatSampleValue(count)}\n`;
  return text;
}

/**
 * Renders the metrics as the text exposition format 0.0.4.
 *
 * @param m The daemon's figures.
 * @returns The whole `/metrics` body, one family after another, ending with a line feed.
 * @throws {RangeError} When the latency histogram's buckets and counts do not match.
 */
export function renderPrometheus(m: MetricsSnapshot): string {
  return [
    single("velas_candles_processed_total", "counter", {
      help: "Closed candles processed, all series.",
      value: m.candlesProcessed,
    }),
    single("velas_signals_total", "counter", {
      help: "Signals emitted.",
      value: m.signals,
    }),
    single("velas_signals_accepted_total", "counter", {
      help: "Signals the portfolio accepted.",
      value: m.signalsAccepted,
    }),
    refusals(m.refusalsByRule),
    single("velas_open_positions", "gauge", {
      help: "Open positions.",
      value: m.openPositions,
    }),
    single("velas_heat_percent", "gauge", {
      help: "Total risk to the current stops, percent of equity.",
      value: m.heatPct,
    }),
    single("velas_equity", "gauge", {
      help: "Portfolio equity, quote currency (USDT).",
      value: m.equity,
    }),
    single("velas_telegram_sent_total", "counter", {
      help: "Telegram messages sent.",
      value: m.telegram.sent,
    }),
    single("velas_telegram_failed_total", "counter", {
      help: "Telegram messages given up.",
      value: m.telegram.failed,
    }),
    single("velas_telegram_queued", "gauge", {
      help: "Telegram messages waiting in the outbox.",
      value: m.telegram.queued,
    }),
    single("velas_ws_reconnects_total", "counter", {
      help: "WebSocket reconnects.",
      value: m.wsReconnects,
    }),
    single("velas_stale_series", "gauge", {
      help: "Series without a closed candle for the stale interval count.",
      value: m.staleSeries,
    }),
    single("velas_uptime_seconds", "gauge", {
      help: "Seconds since the daemon started.",
      value: m.uptimeSeconds,
    }),
    latency(m.latency),
  ].join("");
}
