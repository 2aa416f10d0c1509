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

export class RequestLog {
  readonly #records: RequestRecord[] = [];
  readonly #file: string | undefined;

  constructor(file?: string) {
    this.#file = file;
  }

  add(record: RequestRecord): void {
    this.#records.push(record);
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify(record)}\n`);
  }

  all(): RequestRecord[] {
    return this.#records.slice();
  }
}
