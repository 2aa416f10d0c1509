// Text from a manifest, a flag or a CLI's output shown on a terminal: control characters (escape sequences that
// could move the cursor, clear the screen, retitle the window or hide text) and bidirectional overrides are shown
// as visible escapes (`\x1b`, `\u202e`) instead of being interpreted.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_OR_NEWLINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const visible = (c: string) => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

/** The text with control characters escaped visibly; tabs kept, newlines kept unless `oneLine`. */
export function printable(text: string, options: { oneLine?: boolean } = {}): string {
  return text.replace(options.oneLine ? CONTROL_OR_NEWLINE : CONTROL, visible);
}
