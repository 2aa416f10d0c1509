// Splits a byte stream into lines with a hard cap on line length, so memory per connection stays bounded.
// Lines are \n-terminated; surrounding whitespace (so \r of CRLF) is stripped; blank lines are dropped.

export class LineReader {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private emitted = 0;
  /** Set once a line longer than its cap was seen; nothing more is read after it. The cap that applied. */
  overflowed: number | undefined;

  /**
   * @param maxLineBytes the longest line
   * @param firstLineBytes the longest first (non-blank) line, e.g. the `auth` a hub with a token expects first
   */
  constructor(
    readonly maxLineBytes: number,
    readonly firstLineBytes = maxLineBytes,
  ) {}

  /** Bytes of the line being assembled (received, no newline yet). */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  /** The complete lines in this chunk (plus what was pending). After an overflow, returns nothing more. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    if (this.overflowed !== undefined) return lines;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const length = this.pendingLength + (nl - start);
      if (length > this.limit()) return this.overflow(lines);
      const bytes = this.pendingLength === 0 ? chunk.subarray(start, nl) : Buffer.concat([...this.pending, chunk.subarray(start, nl)]);
      this.pending = [];
      this.pendingLength = 0;
      this.add(lines, bytes);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.pendingLength += chunk.length - start;
      if (this.pendingLength > this.limit()) return this.overflow(lines);
      this.pending.push(chunk.subarray(start));
    }
    return lines;
  }

  /** At EOF: the final line without newline, if any. */
  end(): string[] {
    const lines: string[] = [];
    if (this.overflowed === undefined && this.pendingLength > 0) this.add(lines, Buffer.concat(this.pending));
    this.pending = [];
    this.pendingLength = 0;
    return lines;
  }

  private limit(): number {
    return this.emitted === 0 ? this.firstLineBytes : this.maxLineBytes;
  }

  private overflow(lines: string[]): string[] {
    this.overflowed = this.limit();
    this.pending = [];
    this.pendingLength = 0;
    return lines;
  }

  private add(lines: string[], bytes: Buffer): void {
    const line = bytes.toString("utf8").trim();
    if (line === "") return;
    lines.push(line);
    this.emitted++;
  }
}
