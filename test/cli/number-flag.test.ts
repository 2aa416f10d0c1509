// The one parser of numeric flags (src/cli/options/number.ts), and the commands that use it: a bad number is a usage
// error (exit 2) naming the flag, the rule and the value, before anything is started or connected.
import t from "tap";
import { parseNumberFlag, POSITIVE, POSITIVE_INTEGER } from "../../src/cli/options/number.ts";
import { runMain } from "../fixtures/hub/helpers.ts";

t.test("accepts what the rule allows, refuses the rest with the rule in words", async (t) => {
  t.equal(parseNumberFlag("6", "--tasks", POSITIVE_INTEGER), 6);
  t.equal(parseNumberFlag("0.5", "--lease-seconds", POSITIVE), 0.5);
  t.equal(parseNumberFlag("-3", "--priority", { integer: true }), -3);
  t.equal(parseNumberFlag("1000", "--repeat", { integer: true, min: 1, max: 1000 }), 1000);
  const refused: [string, string, Parameters<typeof parseNumberFlag>[2], string][] = [
    ["0", "--tasks", POSITIVE_INTEGER, "--tasks must be a whole number >= 1, got '0'"],
    ["1.5", "--max-tasks", POSITIVE_INTEGER, "--max-tasks must be a whole number >= 1, got '1.5'"],
    ["0", "--lease-seconds", POSITIVE, "--lease-seconds must be a number > 0, got '0'"],
    ["soon", "--timeout-s", POSITIVE, "--timeout-s must be a number > 0, got 'soon'"],
    ["1001", "--repeat", { integer: true, min: 1, max: 1000 }, "--repeat must be a whole number from 1 to 1000, got '1001'"],
    ["", "--priority", { integer: true }, "--priority must be an integer, got ''"],
    [" ", "--limit", { integer: true }, "--limit must be an integer, got ' '"],
    ["Infinity", "--limit", { integer: true }, "--limit must be an integer, got 'Infinity'"],
  ];
  for (const [value, flag, rule, message] of refused) {
    t.throws(() => parseNumberFlag(value, flag, rule), { name: "MitteloError", exitCode: 2, message }, `${flag} ${JSON.stringify(value)}`);
  }
});

t.test("every command's numbers go through it: exit 2 with the flag named, nothing started", async (t) => {
  const cases: [string[], RegExp][] = [
    [["status", "--limit", ""], /--limit must be an integer, got ''/],
    [["enqueue", "--prompt", "x", "--priority", ""], /--priority must be an integer, got ''/],
    [["enqueue", "--prompt", "x", "--max-attempts", "0"], /--max-attempts must be a whole number >= 1, got '0'/],
    [["agent", "--backend", "echo", "--lease-seconds", "-1"], /--lease-seconds must be a number > 0, got '-1'/],
    [["pair-smoke", "-a", "echo", "-b", "echo", "--tasks", "2.5"], /--tasks must be a whole number >= 1, got '2.5'/],
    [["matrix", "--concurrency", "0"], /--concurrency must be a whole number >= 1, got '0'/],
    [["stub", "--slow-ms", "-5"], /--slow-ms must be a whole number from 0 to 3600000, got '-5'/],
    [["hub", "--max-connections", "many"], /--max-connections must be a whole number >= 1, got 'many'/],
  ];
  for (const [args, message] of cases) {
    const r = await runMain(args);
    t.equal(r.code, 2, `${args.join(" ")}: exit 2`);
    t.match(r.stderr, message, `${args.join(" ")}: names the flag`);
    t.notMatch(r.stderr, /\n\s+at /, `${args.join(" ")}: no stack trace`);
  }
});
