#!/usr/bin/env node
// Generates TypeScript types from the JSON Schemas in schemas/.
// `node scripts/gen-types.mjs` writes them; `--check` exits 1 when a committed file is stale.
import { readFile, writeFile } from "node:fs/promises";
import { compile } from "json-schema-to-typescript";

const targets = [{ schema: "schemas/matrix.schema.json", out: "src/manifest/schema-types.ts", name: "Manifest" }];

export async function render({ schema, name }) {
  const json = JSON.parse(await readFile(schema, "utf8"));
  return compile(json, name, {
    bannerComment: `/* Generated from ${schema} by scripts/gen-types.mjs. Do not edit: edit the schema and run \`npm run gen\`. */`,
    additionalProperties: false,
    unreachableDefinitions: true,
    format: true,
    style: { singleQuote: false },
    cwd: "schemas",
  });
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
