// Secrets never leave: one redactor, built from the environment (and values added later: a token given as a flag,
// the secrets inside a copied auth file), applied to values — strings inside the data, before anything serialises it.
//
// The rule for what counts as a secret value (docs/SAFETY.md):
// - the value of a variable whose name looks secret (SECRET_NAME, plus defaults.redact_env), and the password of any
//   variable holding a URL with credentials (postgres://user:PASSWORD@host);
// - at least MIN_SECRET_LENGTH characters: shorter values are not credentials, and replacing them would corrupt
//   reports (`3600` inside `13600 ms`);
// - a value made only of letters or only of digits is a word or a number, not a credential, unless it is at least
//   MIN_PLAIN_LENGTH long; such a value is then replaced only as a whole word, never inside a longer word or number;
// - every other value is replaced wherever it appears, with its JSON-escaped and URL-encoded forms, and, when it is
//   at least MIN_ENCODED_LENGTH long, its base64 forms (standard and URL-safe, at any alignment, so a secret inside
//   `Basic base64(user:secret)` is caught too).

/** Secret-looking env var names: values of these never reach a report, a log or a backend that does not declare them. */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL/i;
export const MIN_SECRET_LENGTH = 8;
export const MIN_PLAIN_LENGTH = 16;
export const MIN_ENCODED_LENGTH = 12;

export interface Redactor {
  /** The text with every known secret (and its encoded forms) replaced by `[REDACTED:NAME]`. */
  (text: string): string;
  /** Adds a value to redact, labelled NAME (a token given on the command line, a secret inside an auth file). */
  add(name: string, value: string): void;
  /** True when the text holds a known secret. */
  finds(text: string): boolean;
}

/** True when a variable is a secret: its name looks like one (or is listed in `extraNames`), or its value is a URL with a password. */
export function isSecretVar(name: string, value: string | undefined, extraNames: readonly string[] = []): boolean {
  return SECRET_NAME.test(name) || extraNames.includes(name) || urlPassword(value) !== undefined;
}

/** The password of a URL with credentials (`scheme://user:password@host`), else undefined. */
export function urlPassword(value: string | undefined): string | undefined {
  if (!value || !/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) return undefined;
  try {
    const password = new URL(value).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

type Strength = "strong" | "plain" | "none";

/** How a value may be redacted (see the rule at the top of this file). */
export function secretStrength(value: string): Strength {
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH) return "none";
  if (/^[A-Za-z]+$/.test(v) || /^[0-9]+$/.test(v)) return v.length >= MIN_PLAIN_LENGTH ? "plain" : "none";
  return "strong";
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
const label = (name: string) => `[REDACTED:${name.replace(/[^A-Za-z0-9_.:-]/g, "_") || "secret"}]`;

/** The base64 text that depends only on `value`'s bytes, for each of the 3 alignments inside a longer base64 text. */
export function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes])
      .toString("base64")
      .replace(/=+$/, "");
    const from = Math.ceil((8 * k) / 6);
    const to = Math.floor((8 * (k + bytes.length)) / 6);
    const core = encoded.slice(from, to);
    if (core.length >= MIN_ENCODED_LENGTH) out.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return out;
}

/** The forms a value can take in a CLI's output: itself, JSON-escaped, URL-encoded (both hex cases, `+` for space), base64. */
function formsOf(value: string): string[] {
  const forms = new Set([value]);
  forms.add(JSON.stringify(value).slice(1, -1));
  const url = encodeURIComponent(value);
  forms.add(url);
  forms.add(url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(url.replace(/%20/g, "+"));
  if (value.length >= MIN_ENCODED_LENGTH) for (const core of base64Cores(value)) forms.add(core);
  return [...forms];
}

/**
 * Builds the redactor for an environment: the values of secret-looking variables (names matching SECRET_NAME, or
 * listed in `extraNames`) and the passwords of URLs with credentials, by the rule above.
 */
export function makeRedactor(env: NodeJS.ProcessEnv | Record<string, string | undefined>, extraNames: readonly string[] = []): Redactor {
  const strong = new Map<string, string>(); // form → label
  const plain = new Map<string, string>();
  let pattern: RegExp | undefined;
  let dirty = true;

  const add = (name: string, value: string) => {
    const values = [value.trim(), ...value.split(/\r?\n/).map((l) => l.trim())];
    for (const v of values) {
      const strength = secretStrength(v);
      if (strength === "none") continue;
      if (strength === "plain") {
        plain.set(v, label(name));
        for (const core of base64Cores(v)) strong.set(core, label(name));
      } else for (const form of formsOf(v)) if (form.length >= MIN_SECRET_LENGTH) strong.set(form, label(name));
    }
    dirty = true;
  };
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name) || extraNames.includes(name)) add(name, value);
    const password = urlPassword(value);
    if (password) add(name, password);
  }

  const compile = (): RegExp | undefined => {
    if (dirty) {
      const byLength = (a: string, b: string) => b.length - a.length;
      const parts = [
        ...[...strong.keys()].sort(byLength).map(escapeRegex),
        ...[...plain.keys()].sort(byLength).map((p) => `(?<![A-Za-z0-9])${escapeRegex(p)}(?![A-Za-z0-9])`),
      ];
      pattern = parts.length ? new RegExp(parts.join("|"), "g") : undefined;
      dirty = false;
    }
    return pattern;
  };

  const redact = ((text: string): string => {
    const re = compile();
    if (!re || !text) return text;
    re.lastIndex = 0;
    return text.replace(re, (match) => strong.get(match) ?? plain.get(match) ?? label("secret"));
  }) as Redactor;
  redact.add = add;
  redact.finds = (text: string) => {
    const re = compile();
    if (!re) return false;
    re.lastIndex = 0;
    return re.test(text);
  };
  return redact;
}

/** A redactor that knows no secret (for callers that have nothing to hide). */
export function noRedaction(): Redactor {
  return makeRedactor({});
}

const SECRET_FIELD = /key|token|secret|pass|auth|session|cookie|credential|refresh|access|bearer/i;
/** A value that looks like a token: long, no spaces, letters and digits mixed. */
const TOKEN_LIKE = (v: string) => v.length >= 20 && !/\s/.test(v) && /[0-9]/.test(v) && /[A-Za-z]/.test(v);

/**
 * The values in a credential file worth redacting should a CLI print them: the whole content, the string values of
 * secret-looking fields (token, key, secret, password, session, …) and any value that looks like a token (20+
 * characters, no space, letters and digits). Settings that share the file (a model name, an auth type) are left out,
 * so they are not redacted everywhere they appear.
 */
export function secretsInFile(content: string): string[] {
  const out = [content.trim()];
  try {
    const walk = (value: unknown, field: string) => {
      if (typeof value === "string") {
        if (SECRET_FIELD.test(field) || TOKEN_LIKE(value)) out.push(value);
      } else if (Array.isArray(value)) for (const item of value) walk(item, field);
      else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, k);
    };
    walk(JSON.parse(content), "");
  } catch {
    for (const line of content.split(/\r?\n/)) {
      const pair = /^\s*([\w.-]+)\s*[=:]\s*["']?(.*?)["']?\s*$/.exec(line);
      if (pair && SECRET_FIELD.test(pair[1] as string)) out.push(pair[2] as string);
      else if (TOKEN_LIKE(line.trim())) out.push(line.trim());
    }
  }
  return out;
}

/** Marks where a long string was cut; the full text is in the artifact named by `where`. */
export function clipText(text: string, maxChars: number, where = "the case's stdout.txt/stderr.txt"): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}… [${text.length - maxChars} more characters; the full text is in ${where}]`;
}

/**
 * Applies a redactor to every string inside a JSON-like value (object keys too), then cuts strings longer than
 * `maxString` characters: redaction first, so a cut never splits a secret. Returns a new value; the input is unchanged.
 */
export function redactDeep<T>(value: T, redact: Redactor, maxString = Number.POSITIVE_INFINITY): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return clipText(redact(v), maxString);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[redact(k)] = walk(inner);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
