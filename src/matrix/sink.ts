// Where events go: appended to events.ndjson (redacted before writing), kept in memory, and shown to listeners.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Redactor, redactDeep } from "../util/redact.ts";
import type { MatrixEvent } from "../report/events.ts";

export class EventSink {
  readonly events: MatrixEvent[] = [];
  readonly #file: string | undefined;
  readonly #redact: Redactor;
  readonly #listeners: Array<(event: MatrixEvent) => void> = [];

  constructor(options: { file?: string; redact: Redactor }) {
    this.#file = options.file;
    this.#redact = options.redact;
    if (this.#file) mkdirSync(dirname(this.#file), { recursive: true });
  }

  on(listener: (event: MatrixEvent) => void): void {
    this.#listeners.push(listener);
  }

  emit(event: MatrixEvent): void {
    const clean = redactDeep(event, this.#redact);
    this.events.push(clean);
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify(clean)}\n`);
    for (const listener of this.#listeners) listener(clean);
  }
}
