// Bounded capture of a child's output stream: keeps the first `cap` bytes, counts the rest, never stops draining.
import { StringDecoder } from "node:string_decoder";
import { stripVTControlCharacters } from "node:util";

export class CappedCapture {
  #chunks: Buffer[] = [];
  #kept = 0;
  bytes = 0;
  truncated = false;
  readonly cap: number;
  constructor(cap: number) {
    this.cap = cap;
  }
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    const room = this.cap - this.#kept;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (kept.length < chunk.length) this.truncated = true;
    this.#chunks.push(kept);
    this.#kept += kept.length;
  }
  text(): string {
    const decoder = new StringDecoder("utf8");
    return decoder.write(Buffer.concat(this.#chunks)) + decoder.end();
  }
}

/** Keeps the last `size` characters of output, to tell what a silent process is waiting on. */
export class Tail {
  #text = "";
  readonly size: number;
  constructor(size = 2048) {
    this.size = size;
  }
  push(text: string): void {
    this.#text = (this.#text + text).slice(-this.size);
  }
  /** The last non-empty line, ANSI escapes removed. */
  lastLine(): string {
    const lines = stripAnsi(this.#text)
      .split(/\r?\n|\r/)
      .map((l) => l.trim())
      .filter(Boolean);
    return lines.at(-1) ?? "";
  }
}

/** An OSC string (window title, hyperlink) up to BEL or ST. Node's stripVTControlCharacters stops an OSC at the first
 *  space or other character outside its set and leaves the rest of it in the text, so OSC strings go first. */
const OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** The text without terminal escapes: OSC strings, then everything util.stripVTControlCharacters knows (CSI, charsets, …). */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text.replace(OSC, ""));
}

export function hasAnsi(text: string): boolean {
  return text.includes("\u001b") || text.includes("\u009b") ? stripAnsi(text) !== text : false;
}
