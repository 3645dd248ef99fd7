/** Tests that the committed config.example.yaml is the schema's rendering and parses to the defaults. */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import {
  DEFAULT_CONFIG,
  parseConfig,
  renderConfigExample,
} from "../core/config.ts";
import { CONFIG_SCHEMA } from "../core/config_schema.ts";
import type { SchemaNode } from "../core/schema.ts";

const EXAMPLE = readFileSync(
  fileURLToPath(new URL("../config.example.yaml", import.meta.url)),
  "utf8",
);

function schemaPaths(node: SchemaNode, path: string): string[] {
  if (node.kind !== "section") return [path];
  return Object.entries(node.fields).flatMap(([key, child]) =>
    schemaPaths(child, path === "" ? key : `${path}.${key}`)
  ).concat(path === "" ? [] : [path]);
}

Deno.test("config.example.yaml is exactly what renderConfigExample() writes", () => {
  assert.equal(
    EXAMPLE,
    renderConfigExample(),
    "config.example.yaml is stale: write renderConfigExample() into it",
  );
});

Deno.test("config.example.yaml parsed with yaml and parseConfig gives DEFAULT_CONFIG", () => {
  assert.deepEqual(parseConfig(parse(EXAMPLE)), DEFAULT_CONFIG);
});

Deno.test("config.example.yaml holds every schema key, each under a comment", () => {
  const document = parse(EXAMPLE) as Record<string, unknown>;
  const paths = schemaPaths(CONFIG_SCHEMA, "");
  assert.ok(paths.length > 90, `only ${paths.length} keys`);
  for (const path of paths) {
    let at: unknown = document;
    for (const key of path.split(".")) {
      assert.ok(
        typeof at === "object" && at !== null && Object.hasOwn(at, key),
        `${path} is missing from config.example.yaml`,
      );
      at = (at as Record<string, unknown>)[key];
    }
  }
  const lines = EXAMPLE.split("\n");
  lines.forEach((line, i) => {
    const key = /^( *)[a-z][a-z0-9_]*:/.exec(line);
    if (key === null) return;
    assert.ok(
      lines[i - 1]?.startsWith(`${key[1]}# `),
      `line ${i + 1} '${line}' has no comment above it`,
    );
  });
});
