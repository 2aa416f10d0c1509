// Gets the answer out of a backend's stdout: as text, a JSON field, or the last JSONL line with the field.

export interface Extraction {
  answer: string;
  /** Set when stdout is a JSON error object (error_field truthy) or the declared JSON could not be read. */
  problem?: { kind: "json-error" | "not-json" | "no-field"; detail: string };
}

export interface ExtractRules {
  extract: "text" | "json" | "jsonl-last";
  field?: string;
  errorField?: string;
}

/** Reads a dot path (`a.b.0.c`) from a JSON value. */
export function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function describeError(json: unknown, rules: ExtractRules): string | undefined {
  if (!rules.errorField) return undefined;
  const flag = getPath(json, rules.errorField);
  if (!flag) return undefined;
  const text = rules.field ? getPath(json, rules.field) : undefined;
  const detail = typeof flag === "string" ? flag : typeof text === "string" ? text : JSON.stringify(flag);
  return `${rules.errorField}: ${detail}`;
}

export function extractAnswer(stdout: string, rules: ExtractRules): Extraction {
  if (rules.extract === "text") return { answer: stdout.trim() };
  if (rules.extract === "json") {
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch {
      return { answer: stdout.trim(), problem: { kind: "not-json", detail: "stdout is not JSON" } };
    }
    const error = describeError(json, rules);
    const value = rules.field ? getPath(json, rules.field) : json;
    const answer = typeof value === "string" ? value.trim() : value === undefined ? "" : JSON.stringify(value);
    if (error) return { answer, problem: { kind: "json-error", detail: error } };
    if (value === undefined) return { answer, problem: { kind: "no-field", detail: `no field '${rules.field}' in the JSON on stdout` } };
    return { answer };
  }
  const lines = stdout.split(/\r?\n/).filter((l) => l.trim().startsWith("{"));
  let found: string | undefined;
  for (const line of lines) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const error = describeError(json, rules);
    if (error) return { answer: "", problem: { kind: "json-error", detail: error } };
    const value = rules.field ? getPath(json, rules.field) : json;
    if (typeof value === "string") found = value;
  }
  if (found === undefined) return { answer: "", problem: { kind: "no-field", detail: `no JSON line on stdout has '${rules.field}'` } };
  return { answer: found.trim() };
}
