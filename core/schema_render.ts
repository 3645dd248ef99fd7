/**
 * Renders a schema as a commented YAML example: every key with its default value and its
 * one-line doc, plus the accepted choices, the number bounds or the item count.
 *
 * @module
 */
import type { SchemaNode, SectionNode } from "./schema.ts";
import { type Leaf, numberRuleText } from "./schema_rules.ts";

const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

function yamlScalar(value: Leaf): string {
  if (typeof value !== "string") return String(value);
  return /^[A-Za-z][A-Za-z0-9_.\/-]*$/.test(value) && !RESERVED.test(value)
    ? value
    : JSON.stringify(value);
}

function flowList(values: readonly Leaf[]): string {
  return `[${values.map(yamlScalar).join(", ")}]`;
}

function hint(node: SchemaNode): string {
  if (node.kind === "list" && node.length !== undefined) {
    return ` (${node.length} items)`;
  }
  if (node.kind !== "leaf") return "";
  const { rule } = node;
  if (rule.kind === "choice") return ` (${rule.values.join(" | ")})`;
  if (rule.kind === "number") return ` (${numberRuleText(rule, true)})`;
  return "";
}

function renderNode(
  key: string,
  node: SchemaNode,
  indent: string,
): string[] {
  const lines = [`${indent}# ${node.doc}${hint(node)}`];
  switch (node.kind) {
    case "leaf":
      lines.push(`${indent}${key}: ${yamlScalar(node.default)}`);
      break;
    case "list": {
      const flow = `${indent}${key}: ${flowList(node.default)}`;
      if (flow.length <= 100) lines.push(flow);
      else {
        lines.push(`${indent}${key}:`);
        for (const item of node.default) {
          lines.push(`${indent}  - ${yamlScalar(item)}`);
        }
      }
      break;
    }
    case "groups":
      lines.push(`${indent}${key}:`);
      for (const [name, members] of Object.entries(node.default)) {
        lines.push(`${indent}  ${yamlScalar(name)}: ${flowList(members)}`);
      }
      break;
    case "section":
      lines.push(`${indent}${key}:`);
      for (const [child, childNode] of Object.entries(node.fields)) {
        lines.push(...renderNode(child, childNode, `${indent}  `));
      }
      break;
  }
  return lines;
}

/**
 * Renders a schema as YAML: the header comment lines, then each top-level key after a blank line.
 *
 * @param schema The root section.
 * @param header Comment lines at the top, each starting with `#`.
 * @returns The YAML text, ending with a newline.
 */
export function renderSchemaYaml(
  schema: SectionNode,
  header: readonly string[],
): string {
  const lines = [...header];
  for (const [key, node] of Object.entries(schema.fields)) {
    lines.push("", ...renderNode(key, node, ""));
  }
  return `${lines.join("\n")}\n`;
}
