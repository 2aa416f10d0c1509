#!/usr/bin/env node
// Generates TypeScript types from the JSON Schemas in schemas/.
// `node scripts/gen-types.mjs` writes them; `--check` exits 1 when a committed file is stale.
import { readFile, writeFile } from "node:fs/promises";
import { compile } from "json-schema-to-typescript";

const targets = [
  { schema: "schemas/matrix.schema.json", out: "src/manifest/schema-types.ts", name: "Manifest" },
  { schema: "schemas/protocol.schema.json", out: "src/hub/protocol-types.ts", name: "Protocol", prepare: protocolTypes, append: protocolMethods },
];

export async function render({ schema, name, prepare, append }) {
  const json = JSON.parse(await readFile(schema, "utf8"));
  const text = await compile(prepare ? prepare(structuredClone(json)) : json, name, {
    bannerComment: `/* Generated from ${schema} by scripts/gen-types.mjs. Do not edit: edit the schema and run \`npm run gen\`. */`,
    additionalProperties: false,
    unreachableDefinitions: true,
    format: true,
    style: { singleQuote: false },
    cwd: "schemas",
  });
  return append ? `${text}${append(json)}` : text;
}

/** The hub's methods, in the schema's order: `$defs/params/properties`; results and the request's enum must agree. */
function protocolMethodList(json) {
  const methods = Object.keys(json.$defs.params.properties);
  const lists = {
    "$defs/results/properties": Object.keys(json.$defs.results.properties),
    "$defs/request/properties/method/enum": json.$defs.request.properties.method.enum,
  };
  for (const [where, list] of Object.entries(lists)) {
    if (list.join() !== methods.join()) {
      throw new Error(
        `schemas/protocol.schema.json: ${where} lists ${list.join(", ")}; it must list the methods of $defs/params/properties, in that order: ${methods.join(", ")}`,
      );
    }
  }
  return methods;
}

const pascal = (method) => method.replace(/(?:^|_)([a-z])/g, (_, c) => c.toUpperCase());

/** Is this node silent on its type (a bare `{}` or a description only)? json-schema-to-typescript would make it an object. */
const untyped = (node) => !["type", "$ref", "enum", "const", "oneOf", "anyOf", "allOf", "properties", "items", "not", "tsType"].some((k) => k in node);

/**
 * The protocol schema as json-schema-to-typescript should see it: `MethodParams` and `MethodResults` with every method
 * required and one named type per method (`LeaseParams`, `LeaseResult`), `unknown` where any JSON value is allowed, and
 * `Record<string, never>` for a method without params (so a param sent to it is a compile error).
 */
function protocolTypes(json) {
  const methods = protocolMethodList(json);
  const { params, results } = json.$defs;
  Object.assign(params, { title: "MethodParams", required: methods });
  Object.assign(results, { title: "MethodResults", required: methods });
  for (const method of methods) {
    params.properties[method].title = `${pascal(method)}Params`;
    if (!params.properties[method].properties) params.properties[method].tsType = "Record<string, never>";
    results.properties[method].title = `${pascal(method)}Result`;
  }
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== "object") return;
    for (const key of ["properties", "$defs"]) for (const child of Object.values(node[key] ?? {})) if (untyped(child)) child.tsType = "unknown";
    for (const value of Object.values(node)) walk(value);
  };
  walk(json);
  return json;
}

/**
 * After the types: the one list of methods, with the `x-extension` marker of each (a Mittelo extension, not reference),
 * and the features a hub announces in hello.
 */
function protocolMethods(json) {
  const methods = protocolMethodList(json);
  const rows = methods.map((m) => `  ${m}: { extension: ${json.$defs.params.properties[m]["x-extension"] === true} },`);
  const features = json.$defs.feature.oneOf.map((f) => JSON.stringify(f.const));
  return `
/** A method of the hub protocol. */
export type Method = keyof MethodParams;

/** Every method of the protocol, in the schema's order; \`extension\` marks a Mittelo extension (\`x-extension\` in the schema). */
export const METHODS: { readonly [M in Method]: { readonly extension: boolean } } = {
${rows.join("\n")}
};

/** Every feature a hub announces in hello, in the schema's order (\`$defs/feature\`). */
export const FEATURES: readonly Feature[] = [${features.join(", ")}];
`;
}

const check = process.argv.includes("--check");
let stale = 0;
for (const t of targets) {
  const text = await render(t);
  if (check) {
    const current = await readFile(t.out, "utf8").catch(() => "");
    if (current !== text) {
      console.error(`${t.out} is stale: run \`npm run gen\``);
      stale++;
    }
  } else {
    await writeFile(t.out, text);
    console.error(`wrote ${t.out}`);
  }
}
process.exitCode = stale ? 1 : 0;
