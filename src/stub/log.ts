// The request log: one record per request, kept in memory and appended as a JSONL line to a file when asked.
import { appendFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import type { RequestRecord } from "./types.ts";

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "cookie", "set-cookie"]);
const SECRET_NAME = /key|token|secret|password|auth/i;
export const REDACTED = "[redacted]";

/** Headers as strings with every secret value replaced. */
export function redactHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) || SECRET_NAME.test(name) ? REDACTED : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** The path and query with secret query parameters (gemini's `?key=`) redacted. */
export function redactPath(url: URL): string {
  const params = new URLSearchParams(url.search);
  for (const name of [...params.keys()]) if (SECRET_NAME.test(name)) params.set(name, REDACTED);
  const query = params.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

function redactValues(headers: Record<string, string>, redact: (text: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = redact(value);
  return out;
}

export class RequestLog {
  readonly #records: RequestRecord[] = [];
  readonly #file: string | undefined;
  readonly #redact: ((text: string) => string) | undefined;

  /** `redact` is applied to every string of a record (secret values the header and query rules do not know). */
  constructor(file?: string, redact?: (text: string) => string) {
    this.#file = file;
    this.#redact = redact;
  }

  add(record: RequestRecord): void {
    const redact = this.#redact;
    const clean: RequestRecord = redact
      ? { ...record, path: redact(record.path), model: record.model === null ? null : redact(record.model), headers: redactValues(record.headers, redact) }
      : record;
    this.#records.push(clean);
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify(clean)}\n`);
  }

  all(): RequestRecord[] {
    return this.#records.slice();
  }
}
