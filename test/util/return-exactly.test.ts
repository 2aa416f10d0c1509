// The "Return exactly:" rule: one rule for the echo backend (in-process and backends/echo/echo.mjs), the model stub's
// default answer and the pair smoke's expected answers. Before there were two regexes that disagreed on a marker
// followed by more lines, a marker on a line of its own, and a marker with nothing after it.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import t from "tap";
import { echoAnswer } from "../../src/backends/echo.ts";
import { answerFor } from "../../src/stub/answer.ts";
import { returnExactly } from "../../src/util/return-exactly.ts";

const ECHO = fileURLToPath(new URL("../../backends/echo/echo.mjs", import.meta.url));

const cases: [prompt: string, answer: string, why: string][] = [
  ["Return exactly: pair task 1 abc", "pair task 1 abc", "the text after the marker"],
  ["return EXACTLY:   42  ", "42", "case-insensitive, trimmed"],
  ["Context first.\nReturn exactly: ok\nDo not add anything else.", "ok", "only the rest of the marker's line, not the lines after it"],
  ["Return exactly:\nhello there\nmore", "hello there", "a marker alone on its line: the next non-blank line"],
  ["Return exactly: a\r\nb", "a", "CRLF ends the line"],
  ["Return exactly:", "Return exactly:", "nothing after the marker: the whole prompt, never an empty answer"],
  ["  just echo me  \n", "just echo me", "no marker: the prompt, trimmed"],
  ["Return exactly: first\nReturn exactly: second", "first", "the first marker decides"],
];

t.test("returnExactly, the echo backend and the stub's default answer agree", async (t) => {
  for (const [prompt, answer, why] of cases) {
    t.equal(returnExactly(prompt), answer, `util: ${why}`);
    t.equal(echoAnswer(prompt), answer, `echo backend: ${why}`);
    t.equal(answerFor({ kind: "default" }, prompt), answer, `stub default: ${why}`);
  }
});

t.test("backends/echo/echo.mjs (the real wrapper process) applies the same rule", async (t) => {
  for (const [prompt, answer, why] of cases) {
    const out = execFileSync(process.execPath, [ECHO], { input: prompt, encoding: "utf8", timeout: 30_000 });
    t.equal(out, `${answer}\n`, `echo.mjs: ${why}`);
  }
});
