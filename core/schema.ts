/**
 * The schema language shared by the config and the preset files: node types (leaf, list,
 * groups, section), their value rules, the {@link Infer} type that turns a schema into the type
 * of the documents it accepts, and the builders that write a schema compactly. Validation lives
 * in `core/schema_validate.ts`, the YAML example rendering in `core/schema_render.ts`.
 *
 * @module
 */

/** Named string formats; `core/schema_rules.ts` holds the check and the rule text of each. */
export type StringFormat =
  | "symbol"
  | "timeframe"
  | "time-zone"
  | "hh-mm"
  | "http-url"
  | "ws-url"
  | "chat-id"
  | "sector"
  | "non-empty";

/** A finite number, optionally an integer, with optional bounds. */
export interface NumberRule {
  readonly kind: "number";
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly gt?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
}

/** A string, optionally of a named format. */
export interface StringRule {
  readonly kind: "string";
  readonly format?: StringFormat;
  /** The empty string is accepted even when `format` would refuse it. */
  readonly allowEmpty?: boolean;
  /** An integer is accepted and turned into its decimal string (YAML reads `-100123` as a number). */
  readonly acceptInteger?: boolean;
}

/** One of a fixed set of strings. */
export interface ChoiceRule<V extends string = string> {
  readonly kind: "choice";
  readonly values: readonly V[];
}

/** `true` or `false`. */
export interface BooleanRule {
  readonly kind: "boolean";
}

/** The rule for one scalar value. */
export type LeafRule = NumberRule | StringRule | ChoiceRule | BooleanRule;

/** The TypeScript type of the values a rule accepts. */
export type ValueOf<R> = R extends NumberRule ? number
  : R extends StringRule ? string
  : R extends ChoiceRule<infer V> ? V
  : R extends BooleanRule ? boolean
  : never;

/** A scalar key. */
export interface LeafNode<R extends LeafRule = LeafRule> {
  readonly kind: "leaf";
  readonly rule: R;
  readonly default: ValueOf<R>;
  readonly doc: string;
  /** A missing key is a problem instead of taking the default. */
  readonly required?: boolean;
}

/** A list of scalars; a given list replaces the default list. */
export interface ListNode<R extends LeafRule = LeafRule> {
  readonly kind: "list";
  readonly item: R;
  readonly default: readonly ValueOf<R>[];
  /** Exact number of items. */
  readonly length?: number;
  /** Minimum number of items. */
  readonly minLength?: number;
  readonly doc: string;
}

/** A map of names to lists of scalars (sectors); a given map replaces the default map. */
export interface GroupsNode<R extends LeafRule = LeafRule> {
  readonly kind: "groups";
  readonly key: StringRule;
  readonly item: R;
  readonly default: { readonly [name: string]: readonly ValueOf<R>[] };
  readonly doc: string;
}

/** A mapping of fixed keys; a given mapping is merged key by key into the defaults. */
export interface SectionNode<
  F extends { readonly [key: string]: SchemaNode } = {
    readonly [key: string]: SchemaNode;
  },
> {
  readonly kind: "section";
  readonly fields: F;
  readonly doc: string;
  /** A missing mapping is a problem instead of taking the defaults. */
  readonly required?: boolean;
  /** `error` (default): unknown keys are problems; `drop`: they are ignored. */
  readonly unknownKeys?: "error" | "drop";
}

/** Any node of the schema. */
export type SchemaNode =
  | LeafNode
  | ListNode
  | GroupsNode
  | SectionNode;

/** The deeply readonly value type described by a schema node. */
export type Infer<N> = N extends SectionNode<infer F>
  ? { readonly [K in keyof F]: Infer<F[K]> }
  : N extends LeafNode<infer R> ? ValueOf<R>
  : N extends ListNode<infer R> ? readonly ValueOf<R>[]
  : N extends GroupsNode<infer R>
    ? { readonly [name: string]: readonly ValueOf<R>[] }
  : never;

/** Options of {@link numberNode} and {@link integerNode}. */
export type NumberOptions = Omit<NumberRule, "kind" | "integer"> & {
  readonly default: number;
  readonly doc: string;
  readonly required?: boolean;
};

/**
 * A number key.
 *
 * @param options Default, doc, bounds and whether the key is required.
 * @returns The node.
 */
export function numberNode(
  options: NumberOptions & { readonly integer?: boolean },
): LeafNode<NumberRule> {
  const { default: value, doc, required, ...rule } = options;
  return {
    kind: "leaf",
    rule: { kind: "number", ...rule },
    default: value,
    doc,
    ...(required === undefined ? {} : { required }),
  };
}

/**
 * An integer key.
 *
 * @param options Default, doc, bounds and whether the key is required.
 * @returns The node.
 */
export function integerNode(options: NumberOptions): LeafNode<NumberRule> {
  return numberNode({ ...options, integer: true });
}

/**
 * A string key.
 *
 * @param value The default.
 * @param doc One line of documentation.
 * @param options The format and whether the key is required.
 * @returns The node.
 */
export function stringNode(
  value: string,
  doc: string,
  options: Omit<StringRule, "kind"> & { readonly required?: boolean } = {},
): LeafNode<StringRule> {
  const { required, ...rule } = options;
  return {
    kind: "leaf",
    rule: { kind: "string", ...rule },
    default: value,
    doc,
    ...(required === undefined ? {} : { required }),
  };
}

/**
 * A boolean key.
 *
 * @param value The default.
 * @param doc One line of documentation.
 * @returns The node.
 */
export function booleanNode(
  value: boolean,
  doc: string,
): LeafNode<BooleanRule> {
  return { kind: "leaf", rule: { kind: "boolean" }, default: value, doc };
}

/**
 * A key that takes one of a fixed set of strings.
 *
 * @param values The accepted strings.
 * @param options Default, doc and whether the key is required.
 * @returns The node.
 */
export function choiceNode<const V extends string>(
  values: readonly V[],
  options: {
    readonly default: NoInfer<V>;
    readonly doc: string;
    readonly required?: boolean;
  },
): LeafNode<ChoiceRule<V>> {
  const { default: value, doc, required } = options;
  return {
    kind: "leaf",
    rule: { kind: "choice", values },
    default: value,
    doc,
    ...(required === undefined ? {} : { required }),
  };
}

/**
 * A list key.
 *
 * @param item The rule for every item.
 * @param options Default, doc and length limits.
 * @returns The node.
 */
export function listNode<R extends LeafRule>(
  item: R,
  options: Omit<ListNode<R>, "kind" | "item">,
): ListNode<R> {
  return { kind: "list", item, ...options };
}

/**
 * A mapping of fixed keys.
 *
 * @param doc One line of documentation.
 * @param fields The child nodes in file order.
 * @param options Whether it is required, and whether unknown keys are errors (default) or dropped.
 * @returns The node.
 */
export function sectionNode<
  const F extends { readonly [key: string]: SchemaNode },
>(
  doc: string,
  fields: F,
  options: Pick<SectionNode, "required" | "unknownKeys"> = {},
): SectionNode<F> {
  return { kind: "section", fields, doc, ...options };
}
