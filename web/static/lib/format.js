/**
 * Number and time formatting. Times are formatted with Intl.DateTimeFormat in the daemon's
 * display time zone; prices follow the Telegram rule (≥ 10 000: 1 decimal, ≥ 100: 2, ≥ 1: 4,
 * else 6); percentages and money have 2 decimals.
 *
 * @module
 */

const DASH = "—";

function isNum(x) {
  return typeof x === "number" && Number.isFinite(x);
}

/** Decimals of a price by magnitude (spec §11.1). */
export function priceDecimals(price) {
  const a = Math.abs(price);
  return a >= 10_000 ? 1 : a >= 100 ? 2 : a >= 1 ? 4 : 6;
}

/** A price with its own precision, no grouping. */
export function price(p) {
  return isNum(p) ? p.toFixed(priceDecimals(p)) : DASH;
}

/** A number with fixed decimals and thousands grouping. */
export function num(x, decimals = 2) {
  return isNum(x)
    ? x.toLocaleString("en-US", {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    })
    : DASH;
}

/** An integer with grouping. */
export function int(x) {
  return num(x, 0);
}

/** `12.34 %`. */
export function pct(x) {
  return isNum(x) ? `${num(x, 2)} %` : DASH;
}

/** `+12.34 %` / `−1.20 %`; zero shows no sign. */
export function signedPct(x) {
  if (!isNum(x)) return DASH;
  const text = num(Math.abs(x), 2);
  const sign = Number(text.replaceAll(",", "")) === 0 ? "" : x > 0 ? "+" : "-";
  return `${sign}${text} %`;
}

/** Money in USDT with 2 decimals. */
export function money(x) {
  return isNum(x) ? `${num(x, 2)} USDT` : DASH;
}

/** Signed money, e.g. `+12.30`. */
export function signedMoney(x) {
  if (!isNum(x)) return DASH;
  const text = num(Math.abs(x), 2);
  const sign = Number(text.replaceAll(",", "")) === 0 ? "" : x > 0 ? "+" : "-";
  return `${sign}${text}`;
}

/** Sign class for colouring: `pos`, `neg` or ``. */
export function tone(x) {
  return !isNum(x) || x === 0 ? "" : x > 0 ? "pos" : "neg";
}

/** `1.5 MiB`. */
export function bytes(n) {
  if (!isNum(n)) return DASH;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** A duration: `3 d 4 h`, `5 h 12 m`, `4 m 2 s`, `42 s`, `850 ms`. */
export function duration(ms) {
  if (!isNum(ms)) return DASH;
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  if (d > 0) return `${d} d ${hh} h`;
  if (hh > 0) return `${hh} h ${mm} m`;
  if (mm > 0) return `${mm} m ${ss} s`;
  return `${ss} s`;
}

/** The fields of a full date and 24-hour time. */
const DATE_TIME = {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
};

/** Formatters of times in `timeZone` (falls back to UTC when the zone is unknown). */
export function timeFormat(timeZone) {
  let zone = timeZone || "UTC";
  let dtf;
  try {
    dtf = new Intl.DateTimeFormat("en-GB", { ...DATE_TIME, timeZone: zone });
  } catch {
    zone = "UTC";
    dtf = new Intl.DateTimeFormat("en-GB", { ...DATE_TIME, timeZone: zone });
  }
  const short = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    timeZoneName: "short",
  });
  function parts(ms) {
    const out = {};
    for (const p of dtf.formatToParts(ms)) out[p.type] = p.value;
    return out;
  }
  function ok(ms) {
    return isNum(ms);
  }
  return {
    zone,
    /** `2026-11-24 10:15`. */
    dateTime(ms) {
      if (!ok(ms)) return DASH;
      const p = parts(ms);
      return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
    },
    /** `2026-11-24 10:15:07`. */
    dateTimeSec(ms) {
      if (!ok(ms)) return DASH;
      const p = parts(ms);
      return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
    },
    /** `2026-11-24`. */
    date(ms) {
      if (!ok(ms)) return DASH;
      const p = parts(ms);
      return `${p.year}-${p.month}-${p.day}`;
    },
    /** `10:15:07`. */
    clock(ms) {
      if (!ok(ms)) return DASH;
      const p = parts(ms);
      return `${p.hour}:${p.minute}:${p.second}`;
    },
    /** Short zone name at `ms`, e.g. `CET` or `GMT+1`. */
    zoneShort(ms) {
      const p = short.formatToParts(ok(ms) ? ms : Date.now());
      return p.find((x) => x.type === "timeZoneName")?.value ?? zone;
    },
    /** Epoch ms of 00:00 of the calendar day `YYYY-MM-DD` in the zone. */
    startOfDay(text) {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (m === null) return undefined;
      const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      let t = guess;
      for (let i = 0; i < 3; i++) {
        const p = parts(t);
        const shown = Date.UTC(
          Number(p.year),
          Number(p.month) - 1,
          Number(p.day),
          Number(p.hour),
          Number(p.minute),
          Number(p.second),
        );
        const next = guess - (shown - t);
        if (next === t) break;
        t = next;
      }
      return t;
    },
  };
}

/** Relative time `now - t` in words, e.g. `5 m ago`. */
export function ago(now, t) {
  if (!isNum(now) || !isNum(t)) return DASH;
  const d = now - t;
  return d < 0 ? `in ${duration(-d)}` : `${duration(d)} ago`;
}
