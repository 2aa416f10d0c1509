import leven from "leven";
import { type ErrorObject, readSchema } from "../util/ajv.ts";
import { type Diagnostic, formatPath } from "./diagnostic.ts";
import { type LoadedManifest, locate } from "./load.ts";

/** The longest backend, case, profile or pair name: $defs/Name's maxLength in schemas/matrix.schema.json. */
const MAX_NAME_LENGTH = (readSchema("matrix.schema.json") as { $defs: { Name: { maxLength: number } } }).$defs.Name.maxLength;

/** Turns an Ajv instancePath (`/backends/codex/requires`) into segments. */
export function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The closest candidate to `word`, when it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = leven(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Converts Ajv errors into diagnostics with positions: one per problem, the noise of failed
 * `oneOf` branches folded into the description of what was expected.
 */
export function schemaDiagnostics(manifest: LoadedManifest, errors: readonly ErrorObject[]): Diagnostic[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === "oneOf").map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const error of errors) {
    if (error.keyword !== "oneOf" && oneOfPaths.has(error.instancePath) && error.schemaPath.includes("/oneOf/")) continue;
    if (error.keyword === "if") continue;
    if (error.keyword !== "propertyNames" && (error.schemaPath.includes("/propertyNames/") || "propertyName" in error)) continue;
    const segments = pointerSegments(error.instancePath);
    const diagnostic = toDiagnostic(manifest, error, segments);
    const key = `${diagnostic.line}:${diagnostic.col}:${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diagnostic);
  }
  return out;
}

function toDiagnostic(manifest: LoadedManifest, error: ErrorObject, segments: string[]): Diagnostic {
  const base = { file: manifest.file, path: formatPath(segments) };
  const parent = error.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      const guess = didYouMean(key, allowed);
      const pos = locate(manifest, [...segments, key], { key: true });
      return {
        ...base,
        ...pos,
        path: formatPath([...segments, key]),
        code: "unknown-key",
        message: `unknown key '${key}'`,
        hint: `${guess ? `did you mean '${guess}'? ` : ""}allowed keys: ${allowed.join(", ")}`,
      };
    }
    case "required": {
      const key = String((error.params as { missingProperty: string }).missingProperty);
      const pos = locate(manifest, segments);
      const described = (parent?.properties?.[key] as { description?: string } | undefined)?.description;
      return {
        ...base,
        ...pos,
        code: "missing-key",
        message: `missing required key '${key}'`,
        hint: described ? `add '${key}': ${described}` : `add '${key}'`,
      };
    }
    case "enum": {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const guess = typeof error.data === "string" ? didYouMean(error.data, allowed) : undefined;
      return {
        ...base,
        ...locate(manifest, segments),
        code: "bad-value",
        message: `${describe(error.data)} is not allowed`,
        hint: `${guess ? `did you mean '${guess}'? ` : ""}allowed values: ${allowed.join(", ")}`,
      };
    }
    case "const":
      return {
        ...base,
        ...locate(manifest, segments),
        code: "bad-value",
        message: `${describe(error.data)} is not allowed`,
        hint: `the only allowed value is ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`,
      };
    case "type":
      return {
        ...base,
        ...locate(manifest, segments),
        code: "wrong-type",
        message: `expected ${(error.params as { type: string }).type}, got ${describe(error.data)}`,
        hint: parent?.description,
      };
    case "oneOf":
    case "anyOf":
      return {
        ...base,
        ...locate(manifest, segments),
        code: "bad-value",
        message: `${describe(error.data)} is not valid here`,
        hint: parent?.description,
      };
    case "pattern": {
      const pattern = (error.params as { pattern: string }).pattern;
      return {
        ...base,
        ...locate(manifest, segments),
        code: "bad-format",
        // A long pattern says nothing to a person: the hint (the schema's description) says what is expected.
        message: `${describe(error.data)} ${pattern.length <= 40 ? `does not match ${pattern}` : "is not in the expected form"}`,
        hint: parent?.description,
      };
    }
    case "propertyNames": {
      const name = String((error.params as { propertyName: string }).propertyName);
      const tooLong = name.length > MAX_NAME_LENGTH;
      return {
        ...base,
        ...locate(manifest, [...segments, name], { key: true }),
        code: "bad-name",
        message: tooLong ? `'${name.slice(0, 40)}…' is ${name.length} characters long, more than ${MAX_NAME_LENGTH}` : `'${name}' is not a valid name`,
        hint: tooLong
          ? `names are at most ${MAX_NAME_LENGTH} characters (they name folders in the report folder)`
          : "names start with a lower-case letter, then lower-case letters, digits, _ or -",
      };
    }
    default:
      return {
        ...base,
        ...locate(manifest, segments),
        code: `schema-${error.keyword}`,
        message: error.message ?? "invalid",
        hint: parent?.description,
      };
  }
}
