/** Secret-looking env var names: values of these never reach a report or log. */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD/i;

export type Redactor = (text: string) => string;

/**
 * Builds a redactor that replaces the values of secret-looking env vars (names containing KEY, TOKEN,
 * SECRET or PASSWORD, plus `extraNames`) with `[REDACTED:NAME]`. Values shorter than 4 characters are
 * left alone: they would redact ordinary words.
 */
export function makeRedactor(env: NodeJS.ProcessEnv | Record<string, string>, extraNames: readonly string[] = []): Redactor {
  const secrets: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 4) continue;
    if (SECRET_NAME.test(name) || extraNames.includes(name)) secrets.push([name, value]);
  }
  secrets.sort((a, b) => b[1].length - a[1].length);
  if (!secrets.length) return (text) => text;
  return (text) => {
    let out = text;
    for (const [name, value] of secrets) if (out.includes(value)) out = out.split(value).join(`[REDACTED:${name}]`);
    return out;
  };
}

/** Applies a redactor to every string inside a JSON-like value. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact);
    return out as T;
  }
  return value;
}
