// Terminal escapes in a backend's output: stripped for evidence and failure patterns, detected for `output.clean`.
// Cases from real terminals: colours, truecolour, cursor hiding, `tput sgr0` (which emits a charset escape, ESC ( B),
// window titles and hyperlinks (OSC strings with spaces, which util.stripVTControlCharacters alone leaves half in).
import t from "tap";
import { hasAnsi, stripAnsi } from "../../src/backends/capture.ts";

const cases: [input: string, plain: string, why: string][] = [
  ["\u001b[1;32mok\u001b[0m", "ok", "SGR colours"],
  ["\u001b[38;2;255;0;0mred\u001b[0m", "red", "truecolour"],
  ["\u001b[?25lhide\u001b[?25h", "hide", "cursor hide/show"],
  ["bold\u001b(B\u001b[m", "bold", "tput sgr0: a charset designation, then SGR reset"],
  ["\u001b]0;my title\u0007hello", "hello", "a window title with a space, ended by BEL"],
  ["\u001b]8;;https://example.com/a b\u001b\\link\u001b]8;;\u001b\\", "link", "a hyperlink, ended by ST"],
  ["\u001bMx", "x", "reverse index"],
  ["\u009b31mx", "x", "8-bit CSI"],
  ["plain text, no escapes", "plain text, no escapes", "nothing to strip"],
];

t.test("stripAnsi removes every escape and leaves the text", async (t) => {
  for (const [input, plain, why] of cases) t.equal(stripAnsi(input), plain, why);
});

t.test("hasAnsi is true exactly when there is an escape", async (t) => {
  for (const [input, plain, why] of cases) t.equal(hasAnsi(input), input !== plain, why);
  t.equal(hasAnsi("a literal \\u001b is not an escape"), false);
});
