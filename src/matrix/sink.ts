// Where events go: redacted (every string value, before anything serialises it) and bounded (no string longer than
// MAX_EVENT_STRING), then appended to events.ndjson, kept in memory, and shown to listeners. Every report is
// rendered from these clean events, so none of them can carry a secret or a 10 MB line.
import { appendFileSync } from "node:fs";
import { type Redactor, redactDeep } from "../util/redact.ts";
import type { MatrixEvent } from "../report/events.ts";

/** The longest string an event (and so any report) carries; the full text stays in the case's stdout.txt/stderr.txt. */
export const MAX_EVENT_STRING = 4000;

export class EventSink {
  readonly events: MatrixEvent[] = [];
  readonly #file: string | undefined;
  readonly #redact: Redactor;
  readonly #listeners: Array<(event: MatrixEvent) => void> = [];

  /** `file` is appended to; its folder must exist (the report folder, prepared by the caller). */
  constructor(options: { file?: string; redact: Redactor }) {
    this.#file = options.file;
    this.#redact = options.redact;
  }

  on(listener: (event: MatrixEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** Records an event; returns it as recorded (redacted and bounded). */
  emit<E extends MatrixEvent>(event: E): E {
    const clean = redactDeep(event, this.#redact, MAX_EVENT_STRING);
    this.events.push(clean);
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify(clean)}\n`);
    for (const listener of this.#listeners) listener(clean);
    return clean;
  }
}
