// The one adapter for Ajv: JSON Schema 2020-12 with formats, all errors, and the schema files of schemas/.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export type { ErrorObject, ValidateFunction };

/** Absolute path of a file in schemas/. */
export function schemaPath(name: string): string {
  return fileURLToPath(new URL(`../../schemas/${name}`, import.meta.url));
}

/** Reads a schema from schemas/ as JSON. */
export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(name), "utf8")) as Record<string, unknown>;
}

let shared: Ajv2020 | undefined;

/** A shared Ajv instance (allErrors, verbose, formats) that knows every schema in schemas/ by file name. */
export function ajv(): Ajv2020 {
  if (!shared) {
    shared = new Ajv2020({ allErrors: true, verbose: true, strict: false });
    addFormats(shared);
  }
  return shared;
}

const cache = new Map<string, ValidateFunction>();

/** The compiled validator of a schema file in schemas/ (e.g. `matrix.schema.json`). */
export function validatorFor(name: string): ValidateFunction {
  let fn = cache.get(name);
  if (!fn) {
    fn = ajv().compile(readSchema(name));
    cache.set(name, fn);
  }
  return fn;
}

/** Compiles an inline schema (e.g. a case's json_schema expectation). */
export function compileInline(schema: object): ValidateFunction {
  return ajv().compile(schema);
}
