/**
 * Validates a document against a schema section ({@link validateSchema}): shape and ranges of
 * every key, defaults for missing keys, unknown keys reported with a "did you mean" suggestion.
 * Every problem is collected with its key path. {@link deepFreeze} freezes the result.
 *
 * @module
 */
import type {
  GroupsNode,
  Infer,
  ListNode,
  SchemaNode,
  SectionNode,
} from "./schema.ts";
import { checkLeaf, type Leaf, showValue } from "./schema_rules.ts";

/** Keys refused with a reason instead of "unknown key", by key path (e.g. `telegram.token`). */
export type ForbiddenKeys = { readonly [path: string]: string };

/** Options of {@link validateSchema}. */
export interface ValidateSchemaOptions {
  /** The document's name in a problem about the root itself. Default `config`. */
  readonly root?: string;
  /** Keys refused with the given reason wherever they appear. Default none. */
  readonly forbiddenKeys?: ForbiddenKeys;
}

/**
 * Tells whether a value is a mapping (a non-null, non-array object).
 *
 * @param value Any value.
 * @returns Whether it is a mapping.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function unknownKeyProblem(
  path: string,
  key: string,
  options: {
    readonly known: readonly string[];
    readonly forbiddenKeys: ForbiddenKeys;
  },
): string {
  const forbidden = Object.hasOwn(options.forbiddenKeys, path)
    ? options.forbiddenKeys[path]
    : undefined;
  if (forbidden !== undefined) return `${path}: ${forbidden}`;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of options.known) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined
    ? `${path}: unknown key`
    : `${path}: unknown key (did you mean '${best}'?)`;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function resolveList(
  node: ListNode | GroupsNode,
  input: unknown,
  where: Where,
): Leaf[] | undefined {
  if (!Array.isArray(input)) {
    where.problems.push(
      `${where.path}: must be a list: current value is ${showValue(input)}`,
    );
    return undefined;
  }
  if (node.kind === "list") {
    if (node.length !== undefined && input.length !== node.length) {
      where.problems.push(
        `${where.path}: must have exactly ${node.length} items: current value has ${input.length}`,
      );
    }
    if (node.minLength !== undefined && input.length < node.minLength) {
      where.problems.push(
        `${where.path}: must have at least ${node.minLength} item${
          node.minLength === 1 ? "" : "s"
        }: current value has ${input.length}`,
      );
    }
  }
  return input.map((item, i) =>
    checkLeaf(node.item, item, {
      ...where,
      path: `${where.path}[${i}]`,
    }) as Leaf
  );
}

interface Where {
  readonly path: string;
  readonly problems: string[];
  /** Name of the document in a problem about the root itself. */
  readonly root: string;
  /** Keys refused with a reason. */
  readonly forbiddenKeys: ForbiddenKeys;
}

function resolveNode(node: SchemaNode, input: unknown, where: Where): unknown {
  if (
    input === undefined && (node.kind === "leaf" || node.kind === "section") &&
    node.required === true
  ) {
    where.problems.push(`${where.path}: missing required key`);
    return node.kind === "leaf" ? node.default : {};
  }
  switch (node.kind) {
    case "leaf":
      if (input === undefined) return node.default;
      return checkLeaf(node.rule, input, where) ?? node.default;
    case "list":
      if (input === undefined) return [...node.default];
      return resolveList(node, input, where) ?? [...node.default];
    case "groups": {
      if (input === undefined) return copyGroups(node.default);
      if (!isRecord(input)) {
        where.problems.push(
          `${where.path}: must be a mapping of names to lists: current value is ${
            showValue(input)
          }`,
        );
        return copyGroups(node.default);
      }
      const out: Record<string, Leaf[]> = {};
      for (const [name, members] of Object.entries(input)) {
        const path = join(where.path, name);
        checkLeaf(node.key, name, { ...where, path });
        out[name] = resolveList(node, members, { ...where, path }) ?? [];
      }
      return out;
    }
    case "section":
      return resolveSection(node, input, where);
  }
}

function copyGroups(
  groups: { readonly [name: string]: readonly unknown[] },
): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(groups).map(([k, v]) => [k, [...v]]),
  );
}

function resolveSection(
  node: SectionNode,
  input: unknown,
  where: Where,
): Record<string, unknown> {
  const { root, forbiddenKeys } = where;
  let { problems } = where;
  let given: Record<string, unknown> = {};
  if (isRecord(input)) given = input;
  else if (input !== undefined && input !== null) {
    problems.push(
      `${
        where.path === "" ? root : where.path
      }: must be a mapping: current value is ${showValue(input)}`,
    );
    problems = []; // the defaults fill in; missing required keys would only repeat the problem
  }
  const known = Object.keys(node.fields);
  for (const key of Object.keys(given)) {
    if (node.unknownKeys !== "drop" && !Object.hasOwn(node.fields, key)) {
      problems.push(
        unknownKeyProblem(join(where.path, key), key, { known, forbiddenKeys }),
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.fields)) {
    const path = join(where.path, key);
    out[key] = resolveNode(child, given[key], {
      path,
      problems,
      root,
      forbiddenKeys,
    });
  }
  return out;
}

/**
 * Validates a document against any schema section (pass 1 only: shape and ranges) and fills
 * defaults. Used for the config and for preset files, so both follow the same rules.
 *
 * @param schema The root section.
 * @param input The parsed document (`undefined`/`null` means all defaults).
 * @param options `root`: the document's name in a problem about the root itself (default
 *   `config`); `forbiddenKeys`: keys refused with a reason (default none).
 * @returns The resolved value (not frozen), or every problem with its key path.
 */
export function validateSchema<S extends SectionNode>(
  schema: S,
  input: unknown,
  options: ValidateSchemaOptions = {},
):
  | { readonly ok: true; readonly value: Infer<S> }
  | { readonly ok: false; readonly problems: readonly string[] } {
  const problems: string[] = [];
  const value = resolveSection(schema, input, {
    path: "",
    problems,
    root: options.root ?? "config",
    forbiddenKeys: options.forbiddenKeys ?? {},
  });
  return problems.length === 0
    ? { ok: true, value: value as Infer<S> }
    : { ok: false, problems };
}

/**
 * Freezes a value and everything it contains.
 *
 * @param value A plain-data value.
 * @returns The same value, frozen.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
