// The request log: a bounded window of the latest records in memory, running totals of everything, and one JSONL line
// per request appended to a file when asked. However many requests a CLI makes (one retrying for an hour), the stub's
// memory stays flat: old records leave the window, headers are capped, the endpoint tally has a fixed number of keys.
import { appendFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import type { RequestRecord } from "./types.ts";

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "cookie", "set-cookie"]);
const SECRET_NAME = /key|token|secret|password|auth/i;
export const REDACTED = "[redacted]";
/** Records kept in memory (the file, when asked for, gets every one). */
export const DEFAULT_LOG_WINDOW = 1000;
/** Headers kept per record, and characters kept per header value. */
export const MAX_HEADERS = 64;
export const MAX_HEADER_CHARS = 256;
/** Distinct `METHOD path → status` keys tallied; the rest count under OTHER_ENDPOINTS. */
const MAX_ENDPOINTS = 100;
export const OTHER_ENDPOINTS = "(other endpoints)";

/** Headers as strings with every secret value replaced; at most MAX_HEADERS, each value cut to MAX_HEADER_CHARS. */
export function redactHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  let kept = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (kept++ === MAX_HEADERS) {
      out["(more headers)"] = `${Object.keys(headers).length - MAX_HEADERS} not kept`;
      break;
    }
    const text = SECRET_HEADERS.has(name) || SECRET_NAME.test(name) ? REDACTED : Array.isArray(value) ? value.join(", ") : value;
    out[name.slice(0, MAX_HEADER_CHARS)] = text.length > MAX_HEADER_CHARS ? `${text.slice(0, MAX_HEADER_CHARS)}… [${text.length} characters]` : text;
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

/** What the log says about every request so far, not just the window. */
export interface LogSummary {
  requests: number;
  bytes: number;
  /** `METHOD /path → status` → count. */
  endpoints: Record<string, number>;
}

export interface RequestLogOptions {
  /** Applied to every string of a record (secret values the header and query rules do not know). */
  redact?: ((text: string) => string) | undefined;
  /** Records kept in memory (default DEFAULT_LOG_WINDOW). */
  window?: number | undefined;
}

export class RequestLog {
  /** The window: a ring of the latest records. */
  readonly #window: RequestRecord[] = [];
  #next = 0;
  #count = 0;
  #bytes = 0;
  readonly #endpoints = new Map<string, number>();
  readonly #file: string | undefined;
  readonly #redact: ((text: string) => string) | undefined;
  readonly #capacity: number;

  constructor(file?: string, options: RequestLogOptions = {}) {
    this.#file = file;
    this.#redact = options.redact;
    this.#capacity = Math.max(1, options.window ?? DEFAULT_LOG_WINDOW);
  }

  add(record: RequestRecord): void {
    const redact = this.#redact;
    const clean: RequestRecord = redact
      ? { ...record, path: redact(record.path), model: record.model === null ? null : redact(record.model), headers: redactValues(record.headers, redact) }
      : record;
    if (this.#window.length < this.#capacity) this.#window.push(clean);
    else this.#window[this.#next] = clean;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#count++;
    this.#bytes += clean.bytes;
    const key = `${clean.method} ${clean.path.split("?")[0]}${clean.status ? ` → ${clean.status}` : ""}`;
    const tally = this.#endpoints.has(key) || this.#endpoints.size < MAX_ENDPOINTS ? key : OTHER_ENDPOINTS;
    this.#endpoints.set(tally, (this.#endpoints.get(tally) ?? 0) + 1);
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify(clean)}\n`);
  }

  /** Requests logged so far (a mark for `since`). */
  count(): number {
    return this.#count;
  }

  /** The records in the window, oldest first. */
  all(): RequestRecord[] {
    if (this.#window.length < this.#capacity) return this.#window.slice();
    return [...this.#window.slice(this.#next), ...this.#window.slice(0, this.#next)];
  }

  /** The records logged since `mark` (a count()) that are still in the window, and how many of them are not. */
  since(mark: number): { records: RequestRecord[]; omitted: number } {
    const wanted = Math.max(0, this.#count - mark);
    const all = this.all();
    const records = wanted === 0 ? [] : all.slice(-Math.min(wanted, all.length));
    return { records, omitted: wanted - records.length };
  }

  summary(): LogSummary {
    return { requests: this.#count, bytes: this.#bytes, endpoints: Object.fromEntries(this.#endpoints) };
  }
}
