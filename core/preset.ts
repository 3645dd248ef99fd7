/**
 * Preset schemas (pure): the per-series preset file of spec §5.2 and the 60 indicator presets of
 * spec §1.5. Both are validated by the same schema code as the config (`core/schema_validate.ts`). A
 * preset's id is `{SYMBOL}_{tf}_{regime}`; its content hash covers only the trading-relevant
 * fields, so optimizer metadata does not change it.
 *
 * @module
 */
import {
  booleanNode,
  choiceNode,
  type Infer,
  integerNode,
  numberNode,
  sectionNode,
  stringNode,
} from "./schema.ts";
import { showValue } from "./schema_rules.ts";
import { deepFreeze, validateSchema } from "./schema_validate.ts";

/** The keys of a six-level map, in order. */
export const TP_KEYS = ["tp1", "tp2", "tp3", "tp4", "tp5", "tp6"] as const;

const INDICATOR_FIELDS = {
  i1: integerNode({
    default: 40,
    min: 1,
    max: 1000,
    required: true,
    doc: "Channel period in bars",
  }),
  i2: integerNode({
    default: 10,
    min: 2,
    required: true,
    doc: "Standard-deviation period in bars",
  }),
  i3: numberNode({
    default: 0.3,
    min: 0,
    required: true,
    doc: "Standard-deviation multiplier",
  }),
  i4: numberNode({ default: 1, min: 0, required: true, doc: "ATR multiplier" }),
  i5: numberNode({
    default: 1,
    min: 0,
    required: true,
    doc: "Mid-line offset in percent",
  }),
} as const;

function sixLevels(rule: { gt: number } | { min: number }) {
  const level = (doc: string) =>
    numberNode({ default: 0, ...rule, required: true, doc });
  return sectionNode("Six levels", {
    tp1: level("TP1"),
    tp2: level("TP2"),
    tp3: level("TP3"),
    tp4: level("TP4"),
    tp5: level("TP5"),
    tp6: level("TP6"),
  }, { required: true });
}

const OPTIMIZATION_SCHEMA = sectionNode("Optimizer results", {
  train_start: stringNode("", "Training range start, YYYY-MM-DD"),
  train_end: stringNode("", "Training range end, YYYY-MM-DD"),
  test_start: stringNode("", "Test range start, YYYY-MM-DD"),
  test_end: stringNode("", "Test range end, YYYY-MM-DD"),
  test_sharpe: numberNode({ default: 0, doc: "Out-of-sample Sharpe ratio" }),
  test_winrate_tp1: numberNode({
    default: 0,
    min: 0,
    max: 100,
    doc: "Out-of-sample TP1 win rate in percent",
  }),
  test_profit_factor: numberNode({
    default: 0,
    min: 0,
    doc: "Out-of-sample profit factor",
  }),
  test_max_drawdown: numberNode({
    default: 0,
    min: 0,
    doc: "Out-of-sample maximum drawdown in percent",
  }),
  test_total_trades: integerNode({
    default: 0,
    min: 0,
    doc: "Out-of-sample trade count",
  }),
  robustness_score: numberNode({
    default: 0,
    min: 0,
    max: 100,
    doc: "Robustness score 0-100",
  }),
  walk_forward_efficiency: numberNode({
    default: 0,
    doc: "Walk-forward efficiency",
  }),
  generated_at: stringNode("", "When the preset was written, ISO UTC"),
  version: stringNode("1.0", "Preset format version"),
}, { unknownKeys: "drop" });

/** The schema of one preset file, keys in the order of spec §5.2. */
export const PRESET_SCHEMA = sectionNode("VELAS preset file", {
  symbol: stringNode("", "Symbol", { format: "symbol", required: true }),
  timeframe: stringNode("", "Timeframe", {
    format: "timeframe",
    required: true,
  }),
  volatility_regime: choiceNode(["low", "normal", "high"], {
    default: "normal",
    required: true,
    doc: "Volatility regime",
  }),
  sector: stringNode("UNKNOWN", "Sector", { format: "sector" }),
  indicator: sectionNode("Indicator parameters", INDICATOR_FIELDS, {
    required: true,
  }),
  tp_levels: sixLevels({ gt: 0 }),
  sl_percent: numberNode({
    default: 8.5,
    gt: 0,
    required: true,
    doc: "Stop-loss percent",
  }),
  tp_distribution: sixLevels({ min: 0 }),
  optimization: OPTIMIZATION_SCHEMA,
  is_active: booleanNode(true, "Whether the preset is used"),
  notes: stringNode("", "Free text"),
});

/** One validated preset file (spec §5.2), deeply readonly. */
export type PresetFile = Infer<typeof PRESET_SCHEMA>;

/** A map tp1..tp6 of numbers (percents). */
export type TpLevels = PresetFile["tp_levels"];

/** The optimizer block of a preset file. */
export type PresetOptimization = PresetFile["optimization"];

/** One of the 60 indicator presets of spec §1.5. */
export interface IndicatorPreset {
  readonly index: number;
  readonly name: string;
  readonly i1: number;
  readonly i2: number;
  readonly i3: number;
  readonly i4: number;
  readonly i5: number;
}

const INDICATOR_PRESET_SCHEMA = sectionNode("Indicator preset", {
  index: integerNode({ default: 0, min: 0, required: true, doc: "Index" }),
  name: stringNode("", "Name", { format: "non-empty", required: true }),
  ...INDICATOR_FIELDS,
});

function problemList(problems: readonly string[]): string {
  const n = problems.length;
  return `${n} problem${n === 1 ? "" : "s"}:\n${
    problems.map((p) => `- ${p}`).join("\n")
  }`;
}

function ascendingProblems(
  path: string,
  values: readonly number[],
): string[] {
  return values.some((v, i) => i > 0 && v <= values[i - 1]!)
    ? [
      `${path}: must be strictly ascending: current value is ${
        showValue(values)
      }`,
    ]
    : [];
}

/**
 * The six values of a tp1..tp6 map, in order.
 *
 * @param levels The map.
 * @returns `[tp1, ..., tp6]`.
 */
export function tpList(levels: TpLevels): number[] {
  return TP_KEYS.map((k) => levels[k]);
}

/**
 * A tp1..tp6 map from six values.
 *
 * @param values Six numbers.
 * @returns The map.
 * @throws {RangeError} When there are not exactly six values.
 */
export function tpMap(values: readonly number[]): TpLevels {
  if (values.length !== 6) {
    throw new RangeError(
      `Cannot build TP levels as 'values' must have 6 items: current value has ${values.length}`,
    );
  }
  const [tp1, tp2, tp3, tp4, tp5, tp6] = values as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { tp1, tp2, tp3, tp4, tp5, tp6 };
}

/**
 * The optimizer block with every field empty or zero, as the generator writes it.
 *
 * @param generatedAt When the preset is written, ISO UTC.
 * @returns The block.
 */
export function emptyOptimization(generatedAt: string): PresetOptimization {
  const result = validateSchema(OPTIMIZATION_SCHEMA, {
    generated_at: generatedAt,
  });
  if (!result.ok) throw new TypeError(result.problems.join("; "));
  return result.value;
}

/**
 * Validates one preset file and fills the optional keys (sector `UNKNOWN`, an empty optimizer
 * block, `is_active` true, empty notes). Unknown optimizer keys are dropped; other unknown keys
 * are errors. The TP distribution is normalised to sum 100.
 *
 * @param input The parsed document.
 * @param source The file name shown in the error.
 * @returns The frozen preset.
 * @throws {TypeError} Listing every problem with its key path and the source.
 */
export function validatePreset(input: unknown, source: string): PresetFile {
  const result = validateSchema(PRESET_SCHEMA, input, { root: "preset" });
  let problems = result.ok ? [] : result.problems;
  if (result.ok) {
    const shares = tpList(result.value.tp_distribution);
    problems = [
      ...ascendingProblems("tp_levels", tpList(result.value.tp_levels)),
      ...(shares.reduce((a, b) => a + b, 0) > 0 ? [] : [
        `tp_distribution: must have a sum greater than 0: current value is ${
          showValue(shares)
        }`,
      ]),
    ];
    if (problems.length === 0) {
      const sum = shares.reduce((a, b) => a + b, 0);
      const preset = sum === 100 ? result.value : {
        ...result.value,
        tp_distribution: tpMap(shares.map((s) => (s * 100) / sum)),
      };
      return deepFreeze(preset);
    }
  }
  throw new TypeError(
    `Cannot load preset '${source}' as it has ${problemList(problems)}`,
  );
}

/**
 * Validates the table of indicator presets: a list whose item `k` has index `k`, a name and
 * distinct parameters i1..i5.
 *
 * @param input The parsed table.
 * @param source The file name shown in the error.
 * @returns The frozen presets.
 * @throws {TypeError} Listing every problem with its position and the source.
 */
export function validateIndicatorPresets(
  input: unknown,
  source: string,
): readonly IndicatorPreset[] {
  const problems: string[] = [];
  const presets: IndicatorPreset[] = [];
  if (!Array.isArray(input) || input.length === 0) {
    problems.push(
      `presets: must be a non-empty list: current value is ${showValue(input)}`,
    );
  } else {
    const seen = new Map<string, number>();
    input.forEach((item, position) => {
      const at = `[${position}]`;
      const result = validateSchema(INDICATOR_PRESET_SCHEMA, item, {
        root: at,
      });
      if (!result.ok) {
        problems.push(
          ...result.problems.map((p) => p.startsWith(at) ? p : `${at}.${p}`),
        );
        return;
      }
      const p = result.value;
      const key = [p.i1, p.i2, p.i3, p.i4, p.i5].join(",");
      const twin = seen.get(key);
      if (p.index !== position) {
        problems.push(
          `${at}.index: must be ${position}: current value is ${p.index}`,
        );
      } else if (twin !== undefined) {
        problems.push(
          `${at}: must differ from preset ${twin}: current value is (${key})`,
        );
      }
      seen.set(key, position);
      presets.push(p);
    });
  }
  if (problems.length > 0) {
    throw new TypeError(
      `Cannot load indicator presets '${source}' as they have ${
        problemList(problems)
      }`,
    );
  }
  return deepFreeze(presets);
}

/**
 * The id of a preset, also its file stem: `{SYMBOL}_{tf}_{regime}`.
 *
 * @param preset The preset (symbol, timeframe, regime).
 * @returns For example `BTCUSDT_1h_normal`.
 */
export function presetId(
  preset: Pick<PresetFile, "symbol" | "timeframe" | "volatility_regime">,
): string {
  return `${preset.symbol}_${preset.timeframe}_${preset.volatility_regime}`;
}

/**
 * The file name of a preset.
 *
 * @param preset The preset (symbol, timeframe, regime).
 * @returns For example `BTCUSDT_1h_normal.yaml`.
 */
export function presetFileName(
  preset: Pick<PresetFile, "symbol" | "timeframe" | "volatility_regime">,
): string {
  return `${presetId(preset)}.yaml`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0
    );
    return `{${
      entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(
        ",",
      )
    }}`;
  }
  return JSON.stringify(value);
}

/**
 * The text a preset's content hash is computed from: canonical JSON (sorted keys) of the
 * trading-relevant fields only, so optimizer metadata, sector, notes and `is_active` do not
 * change it.
 *
 * @param preset The preset.
 * @returns The canonical JSON string.
 */
export function presetHashInput(preset: PresetFile): string {
  const {
    symbol,
    timeframe,
    volatility_regime,
    indicator,
    tp_levels,
    sl_percent,
    tp_distribution,
  } = preset;
  return canonicalJson({
    symbol,
    timeframe,
    volatility_regime,
    indicator,
    tp_levels,
    sl_percent,
    tp_distribution,
  });
}
