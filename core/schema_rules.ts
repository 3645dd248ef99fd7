/**
 * Leaf rules of the schema language: the check and the rule text of every named string format,
 * the text of a number rule, {@link checkLeaf} (one scalar against its rule) and
 * {@link showValue} (a value as shown in a problem message).
 *
 * @module
 */
import type { LeafRule, StringFormat } from "./schema.ts";

/** A scalar value of a document. */
export type Leaf = string | number | boolean;

const FORMATS: {
  readonly [F in StringFormat]: {
    readonly rule: string;
    readonly test: (value: string) => boolean;
  };
} = {
  "symbol": {
    rule: "must be a symbol like 'BTCUSDT'",
    test: (v) => /^[A-Z0-9]{2,20}USDT$/.test(v),
  },
  "timeframe": {
    rule: "must be a Binance interval such as '30m', '1h' or '2h'",
    test: (v) => /^(?:(?:1|3|5|15|30)m|(?:1|2|4|6|8|12)h|[13]d)$/.test(v),
  },
  "time-zone": {
    rule: "must be an IANA time zone such as 'UTC' or 'Europe/Moscow'",
    test: isTimeZone,
  },
  "hh-mm": {
    rule: "must be a time of day as 'HH:MM'",
    test: (v) => /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/.test(v),
  },
  "http-url": {
    rule: "must be an http(s) URL such as 'https://fapi.binance.com'",
    test: (v) => /^https?:\/\/[^\s/]+(?:\/\S*)?$/.test(v),
  },
  "ws-url": {
    rule: "must be a ws(s) URL such as 'wss://fstream.binance.com'",
    test: (v) => /^wss?:\/\/[^\s/]+(?:\/\S*)?$/.test(v),
  },
  "chat-id": {
    rule: "must be a numeric chat id or an '@channel' name",
    test: (v) => /^(?:-?[1-9][0-9]*|@[A-Za-z][A-Za-z0-9_]{3,})$/.test(v),
  },
  "sector": {
    rule: "must be a name of letters, digits, '_' or '-'",
    test: (v) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(v),
  },
  "non-empty": { rule: "must be a non-empty string", test: (v) => v !== "" },
};

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return value !== "";
  } catch {
    return false;
  }
}

/**
 * Describes a number rule: `integer from 1 to 6`, `number greater than 0` (or `number > 0` when
 * short).
 *
 * @param rule The number rule.
 * @param short Whether to write bounds as `>`/`>=` (example comments) instead of words (problems).
 * @returns The text.
 */
export function numberRuleText(
  rule: Extract<LeafRule, { kind: "number" }>,
  short: boolean,
): string {
  const base = rule.integer === true ? "integer" : "number";
  const { min, gt, max } = rule;
  const lower = gt !== undefined
    ? (short ? `> ${gt}` : `greater than ${gt}`)
    : min !== undefined
    ? (short ? `>= ${min}` : `greater than or equal to ${min}`)
    : undefined;
  if (min !== undefined && max !== undefined) {
    return `${base} from ${min} to ${max}`;
  }
  if (lower !== undefined && max !== undefined) {
    return `${base} ${lower} and at most ${max}`;
  }
  if (lower !== undefined) return `${base} ${lower}`;
  if (max !== undefined) return `${base} at most ${max}`;
  return base;
}

function ruleText(rule: LeafRule): string {
  switch (rule.kind) {
    case "number": {
      const text = numberRuleText(rule, false);
      return `must be ${rule.integer === true ? "an" : "a"} ${text}`;
    }
    case "string":
      return rule.format === undefined
        ? "must be a string"
        : FORMATS[rule.format].rule;
    case "choice":
      return `must be one of ${rule.values.map((v) => `'${v}'`).join(", ")}`;
    case "boolean":
      return "must be true or false";
  }
}

/**
 * Shows a value in a problem message: strings quoted, long values cut.
 *
 * @param value Any value.
 * @returns A short text.
 */
export function showValue(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = `'${value}'`;
  else if (value === undefined || typeof value === "bigint") {
    text = String(value);
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Checks one scalar against its rule; an integer is turned into its decimal string when the
 * string rule accepts integers.
 *
 * @param rule The rule.
 * @param input The value found in the document.
 * @param where `path`: the key path in a problem; `problems`: where a problem is added.
 * @returns The accepted value, or undefined after adding a problem.
 */
export function checkLeaf(
  rule: LeafRule,
  input: unknown,
  where: { readonly path: string; readonly problems: string[] },
): Leaf | undefined {
  let value: Leaf | undefined;
  switch (rule.kind) {
    case "number":
      if (
        typeof input === "number" && Number.isFinite(input) &&
        (rule.integer !== true || Number.isInteger(input)) &&
        (rule.min === undefined || input >= rule.min) &&
        (rule.gt === undefined || input > rule.gt) &&
        (rule.max === undefined || input <= rule.max)
      ) value = input;
      break;
    case "string": {
      const text = rule.acceptInteger === true && Number.isSafeInteger(input)
        ? String(input)
        : input;
      if (
        typeof text === "string" &&
        (rule.format === undefined ||
          (rule.allowEmpty === true && text === "") ||
          FORMATS[rule.format].test(text))
      ) value = text;
      break;
    }
    case "choice":
      if (typeof input === "string" && rule.values.includes(input)) {
        value = input;
      }
      break;
    case "boolean":
      if (typeof input === "boolean") value = input;
      break;
  }
  if (value === undefined) {
    where.problems.push(
      `${where.path}: ${ruleText(rule)}: current value is ${showValue(input)}`,
    );
  }
  return value;
}
