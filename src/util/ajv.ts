// The one adapter for Ajv: JSON Schema 2020-12 with formats, all errors, and the schema files of schemas/.
// The build compiles the schemas of schemas/ ahead of time (Ajv's standalone code, in place of util/precompiled/*.ts,
// which register here), so a command validating a manifest, a report or a hub request loads no Ajv and compiles
// nothing. Ajv itself is loaded only when a schema must be compiled at run time: running from the sources, or a
// case's inline `json_schema`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { packageFile } from "./package-root.ts";

export type { ErrorObject, ValidateFunction };

/** Absolute path of a file in schemas/. */
export function schemaPath(name: string): string {
  return packageFile("schemas", name);
}

/** Reads a schema from schemas/ as JSON. */
export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(name), "utf8")) as Record<string, unknown>;
}

/** The options every validator is compiled with, ahead of time (scripts/build.mjs) or at run time. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: false } as const;

const precompiled = new Map<string, ValidateFunction>();

/** Called by the build's util/precompiled/*.ts: validators by file name or by `file#pointer` for a subschema. */
export function registerPrecompiled(validators: Record<string, ValidateFunction>): void {
  for (const [key, fn] of Object.entries(validators)) precompiled.set(key, fn);
}

let shared: Ajv2020 | undefined;

/** A shared Ajv instance (allErrors, verbose, formats), loaded on first use. */
export function ajv(): Ajv2020 {
  if (!shared) {
    // A plain require, so that the build keeps Ajv out of the bundle: most runs never need it.
    const load = createRequire(import.meta.url);
    const { Ajv2020 } = load("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    const addFormats = (load("ajv-formats") as { default: (ajv: Ajv2020) => Ajv2020 }).default;
    shared = new Ajv2020(AJV_OPTIONS);
    addFormats(shared);
  }
  return shared;
}

const cache = new Map<string, ValidateFunction>();

/** The compiled validator of a schema file in schemas/ (e.g. `matrix.schema.json`). */
export function validatorFor(name: string): ValidateFunction {
  let fn = precompiled.get(name) ?? cache.get(name);
  if (!fn) {
    fn = ajv().compile(readSchema(name));
    cache.set(name, fn);
  }
  return fn;
}

/** The validator of a subschema of a schema file (`pointer` like `/$defs/params/properties/lease`), or undefined. */
export function subschemaValidator(name: string, pointer: string): ValidateFunction | undefined {
  const key = `${name}#${pointer}`;
  let fn = precompiled.get(key) ?? cache.get(key);
  // The build precompiles every subschema it is asked for: with the file precompiled, a missing key is no subschema.
  if (!fn && !precompiled.has(name)) {
    validatorFor(name); // registers the schema with the shared Ajv
    fn = ajv().getSchema(`${readSchema(name).$id as string}#${pointer}`);
    if (fn) cache.set(key, fn);
  }
  return fn;
}

/** Compiles an inline schema (e.g. a case's json_schema expectation). */
export function compileInline(schema: object): ValidateFunction {
  return ajv().compile(schema);
}
