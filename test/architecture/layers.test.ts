// The layers of src/ (docs/ARCHITECTURE.md's table): no import outside the table, nothing into src/cli from below,
// and only src/cli reads the process. The checker is also run on small trees that break each rule.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import t, { type Test } from "tap";
// @ts-expect-error: a plain .mjs script without types
import { checkLayers, readLayers } from "../../scripts/check-layers.mjs";
import { ROOT } from "../helpers/cli.ts";

type Check = (src: string, layers: Map<string, Set<string>>) => { problems: string[]; edges: Map<string, Set<string>> };
const check = checkLayers as Check;
const read = readLayers as (text: string) => Map<string, Set<string>>;
const layers = read(readFileSync(join(ROOT, "docs/ARCHITECTURE.md"), "utf8"));

t.test("src/ follows the layer table of docs/ARCHITECTURE.md", async (t) => {
  t.same([...layers.keys()].sort(), [
    "agent",
    "backends",
    "cli",
    "dashboard",
    "docs",
    "hub",
    "manifest",
    "matrix",
    "preflight",
    "report",
    "smoke",
    "stub",
    "util",
  ]);
  const { problems, edges } = check(join(ROOT, "src"), layers);
  t.same(problems, [], "no violation");
  t.notOk(edges.get("util")?.size, "util imports no other folder");
  t.ok(edges.get("cli")?.has("matrix"), "the check saw the real imports");
});

const TABLE = `<!-- layers:start -->
| folder | may import | what |
| --- | --- | --- |
| \`util\` | — | x |
| \`core\` | util | x |
| \`cli\` | every folder | x |
<!-- layers:end -->`;

function tree(t: Test, files: Record<string, string>): string {
  const dir = t.testdir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

t.test("the checker names the file and the import for each kind of violation", async (t) => {
  const dir = tree(t, {
    "util/a.ts": 'import { b } from "../core/b.ts";\n',
    "core/b.ts": 'import type { C } from "../cli/c.ts";\nexport const env = process.env.HOME;\n',
    "core/d.ts": 'process.once("SIGINT", () => {});\nconst lazy = () => import("../util/a.ts");\n',
    "cli/c.ts": 'import { b } from "../core/b.ts";\nexport const argv = process.argv;\n',
    "extra/e.ts": "export const e = 1;\n",
  });
  const { problems } = check(dir, read(TABLE));
  t.same(problems.sort(), [
    "core/b.ts: imports ../cli/c.ts: nothing outside src/cli imports src/cli",
    "core/b.ts: reads the process (process.env) outside src/cli: take it as a parameter",
    'core/d.ts: reads the process (process.once("SIG) outside src/cli: take it as a parameter',
    "extra/e.ts: folder 'extra' is not in the layer table of docs/ARCHITECTURE.md",
    "util/a.ts: imports ../core/b.ts: 'util' may import only nothing",
  ]);
});

t.test("a table with a cycle is refused", async (t) => {
  const cyclic = TABLE.replace("| `util` | — | x |", "| `util` | core | x |");
  const { problems } = check(tree(t, { "util/a.ts": "export {};\n" }), read(cyclic));
  t.match(problems, [/the layer table has a cycle: (util -> core -> util|core -> util -> core)/]);
});

t.test("the script exits 1 and prints the violations", async (t) => {
  const { execa } = await import("execa");
  const dir = tree(t, { "src/util/a.ts": 'import "../core/b.ts";\n', "src/core/b.ts": "export {};\n", "ARCH.md": TABLE });
  const run = await execa("node", [join(ROOT, "scripts/check-layers.mjs"), join(dir, "src"), join(dir, "ARCH.md")], { reject: false });
  t.equal(run.exitCode, 1);
  t.match(run.stderr, "util/a.ts: imports ../core/b.ts");
  t.match(run.stdout, "1 layer violation(s)");
});
