// Structured-output requests (a JSON schema in the request): the stub answers a minimal value that fits the schema,
// so a CLI's side calls (gemini's model router, title generators) get parseable JSON instead of the prose answer.

/** The smallest value that satisfies a JSON schema (OpenAPI-style uppercase types too); strings are "stub". */
export function sampleOf(schema: unknown, depth = 0): unknown {
  if (!schema || typeof schema !== "object" || depth > 8) return null;
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ("const" in s) return s.const;
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = s[key];
    if (Array.isArray(list) && list.length > 0) return sampleOf(list[0], depth + 1);
  }
  const type = String(Array.isArray(s.type) ? s.type[0] : (s.type ?? (s.properties ? "object" : "string"))).toLowerCase();
  switch (type) {
    case "object": {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = Array.isArray(s.required) ? (s.required as string[]) : Object.keys(props);
      return Object.fromEntries(required.map((name) => [name, sampleOf(props[name] ?? {}, depth + 1)]));
    }
    case "array":
      return typeof s.minItems === "number" && s.minItems > 0 ? Array.from({ length: s.minItems }, () => sampleOf(s.items, depth + 1)) : [];
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : 1;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return "stub";
  }
}

/** The answer for a structured request: the answer itself when it is JSON already, else a sample of the schema. */
export function structuredAnswer(schema: unknown, answer: string): string {
  try {
    JSON.parse(answer);
    return answer;
  } catch {
    return JSON.stringify(sampleOf(schema));
  }
}
