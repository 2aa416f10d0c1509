// Splits a byte stream into lines with a hard cap on line length, so memory per connection stays bounded.
// Lines are \n-terminated; surrounding whitespace (so \r of CRLF) is stripped; blank lines are dropped.

export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set once a line longer than the cap was seen; nothing more is read after it. */
  overflowed = false;

  constructor(readonly maxLineBytes: number) {}

  /** The complete lines in this chunk (plus what was pending). After an overflow, returns nothing more. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    if (this.overflowed) return lines;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const length = this.pendingBytes + (nl - start);
      if (length > this.maxLineBytes) return this.overflow(lines);
      const bytes = this.pendingBytes === 0 ? chunk.subarray(start, nl) : Buffer.concat([...this.pending, chunk.subarray(start, nl)]);
      this.pending = [];
      this.pendingBytes = 0;
      add(lines, bytes);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > this.maxLineBytes) return this.overflow(lines);
      this.pending.push(chunk.subarray(start));
    }
    return lines;
  }

  /** At EOF: the final line without newline, if any. */
  end(): string[] {
    const lines: string[] = [];
    if (!this.overflowed && this.pendingBytes > 0) add(lines, Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
    return lines;
  }

  private overflow(lines: string[]): string[] {
    this.overflowed = true;
    this.pending = [];
    this.pendingBytes = 0;
    return lines;
  }
}

function add(lines: string[], bytes: Buffer): void {
  const line = bytes.toString("utf8").trim();
  if (line !== "") lines.push(line);
}
