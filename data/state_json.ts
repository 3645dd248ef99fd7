/**
 * JSON for persisted daemon state that round-trips every double exactly, including the values
 * plain JSON loses: `NaN`, `Infinity`, `-Infinity` and `-0` are written as tagged objects
 * (`{"$num":"NaN"}`, `{"$num":"-0"}`, ...) and decoded back. Finite numbers use JavaScript's
 * shortest round-trip form, so every other double comes back bit for bit.
 *
 * Object keys that start with `$` are escaped with one more `$` (`"$num"` is written `"$$num"`),
 * so plain data can never be mistaken for a tag. Only plain data is accepted: objects with the
 * `Object` or `null` prototype, arrays, strings, numbers, booleans and `null`. As in JSON, object
 * properties whose value is `undefined` are dropped and `undefined` array items become `null`.
 * Anything else (bigint, functions, symbols, `Map`, `Date`, typed arrays, cycles) is a
 * `TypeError` naming its path.
 *
 * @module
 */

const TAG = "$num";
const SPECIAL: Readonly<Record<string, number>> = {
  "NaN": NaN,
  "Infinity": Infinity,
  "-Infinity": -Infinity,
  "-0": -0,
};

function numberText(value: number): string {
  if (Number.isFinite(value) && !Object.is(value, -0)) {
    return JSON.stringify(value);
  }
  const name = Object.is(value, -0) ? "-0" : String(value);
  return `{"${TAG}":"${name}"}`;
}

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return typeof value;
  return `a ${value.constructor?.name ?? "object"}`;
}

function unsupported(path: string, value: unknown): TypeError {
  return new TypeError(
    `Cannot encode state as '${path}' must be plain data: current value is ${
      describe(value)
    }`,
  );
}

function write(
  value: unknown,
  path: string,
  seen: Set<object>,
  out: string[],
): void {
  switch (typeof value) {
    case "number":
      out.push(numberText(value));
      return;
    case "string":
    case "boolean":
      out.push(JSON.stringify(value));
      return;
    case "object":
      break;
    default:
      throw unsupported(path, value);
  }
  if (value === null) {
    out.push("null");
    return;
  }
  if (seen.has(value)) {
    throw new TypeError(
      `Cannot encode state as '${path}' must not refer to itself: current value is a cycle`,
    );
  }
  seen.add(value);
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item: unknown, i) => {
      if (i > 0) out.push(",");
      if (item === undefined) out.push("null");
      else write(item, `${path}[${i}]`, seen, out);
    });
    out.push("]");
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw unsupported(path, value);
    }
    out.push("{");
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key.startsWith("$") ? `$${key}` : key), ":");
      write(item, `${path}.${key}`, seen, out);
    }
    out.push("}");
  }
  seen.delete(value);
}

/**
 * Encodes plain data as JSON that {@link decodeState} turns back into an equal value, with
 * `NaN`, `±Infinity` and `-0` preserved.
 *
 * @param value Plain data (objects, arrays, strings, numbers, booleans, `null`).
 * @returns The JSON text.
 * @throws {TypeError} When the value holds anything but plain data, or a cycle.
 */
export function encodeState(value: unknown): string {
  const out: string[] = [];
  write(value, "$", new Set(), out);
  return out.join("");
}

function revive(this: unknown, _key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === TAG) {
    const name = (value as Record<string, unknown>)[TAG];
    const number = typeof name === "string" && Object.hasOwn(SPECIAL, name)
      ? SPECIAL[name]
      : undefined;
    if (number === undefined) {
      throw new SyntaxError(
        `Cannot decode state as '${TAG}' must be one of NaN, Infinity, -Infinity, -0: current value is ${
          JSON.stringify(name)
        }`,
      );
    }
    return number;
  }
  if (!keys.some((key) => key.startsWith("$"))) return value;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key.startsWith("$") && !key.startsWith("$$")) {
      throw new SyntaxError(
        `Cannot decode state as key '${key}' must be escaped or a lone '${TAG}' tag`,
      );
    }
    // defineProperty keeps a "__proto__" key an own property instead of setting the prototype.
    Object.defineProperty(out, key.startsWith("$") ? key.slice(1) : key, {
      value: (value as Record<string, unknown>)[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Decodes JSON written by {@link encodeState}.
 *
 * @param text The JSON text.
 * @returns The value, with `NaN`, `±Infinity` and `-0` restored.
 * @throws {SyntaxError} When the text is not JSON or holds a malformed tag.
 */
export function decodeState(text: string): unknown {
  return JSON.parse(text, revive);
}
