// The wire format, pure: a line → a request (or the reason it is not one), and a result or error → the reply line.

export interface WireRequest {
  /** The id exactly as the client wrote it (JSON text), "null" when missing. */
  rawId: string;
  method: string;
  params: Record<string, unknown>;
}

export interface WireFailure {
  rawId: string;
  message: string;
}

/** Parses one line (already stripped). Never throws. */
export function parseRequest(line: string): WireRequest | WireFailure {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { rawId: "null", message: `malformed JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { rawId: "null", message: 'a request must be a JSON object like {"id": 1, "method": "stats", "params": {}}' };
  }
  const request = value as Record<string, unknown>;
  const rawId = "id" in request ? (rawMemberText(line, "id") ?? JSON.stringify(request.id)) : "null";
  const { method, params } = request;
  if (typeof method !== "string") return { rawId, message: 'missing or non-string "method"' };
  if (params !== undefined && params !== null && (typeof params !== "object" || Array.isArray(params))) {
    return { rawId, message: `${method}: params must be an object` };
  }
  return { rawId, method, params: (params ?? {}) as Record<string, unknown> };
}

export function isFailure(parsed: WireRequest | WireFailure): parsed is WireFailure {
  return "message" in parsed;
}

/** The reply line (without the newline), key order fixed: id, result, error. */
export function formatResult(rawId: string, result: unknown): string {
  return `{"id":${rawId},"result":${JSON.stringify(result)},"error":null}`;
}

export function formatError(rawId: string, message: string): string {
  return `{"id":${rawId},"result":null,"error":${JSON.stringify({ message })}}`;
}

/**
 * The source text of a top-level member of a JSON object (the last one wins, as in JSON.parse), so an id like
 * 1.0 or 12345678901234567890 is echoed byte for byte. `text` must be valid JSON (already parsed).
 */
export function rawMemberText(text: string, key: string): string | undefined {
  let i = skipWs(text, 0) + 1; // past "{"
  let found: string | undefined;
  for (;;) {
    i = skipWs(text, i);
    if (text[i] !== '"') return found;
    const keyEnd = skipString(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, keyEnd) + 1; // past ":"
    const start = skipWs(text, i);
    const end = skipValue(text, start);
    if (name === key) found = text.slice(start, end);
    i = skipWs(text, end);
    if (text[i] !== ",") return found;
    i++;
  }
}

function skipWs(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  return i;
}

/** Index just past the string starting at i (text[i] === '"'). */
function skipString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return i;
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    while (i < text.length) {
      const d = text[i];
      if (d === '"') {
        i = skipString(text, i);
        continue;
      }
      if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  while (i < text.length && !/[\s,}\]]/.test(text[i] as string)) i++;
  return i;
}
