// The compiled start: the bin runs the build in dist/ (made by `npm ci`/`npm run build`, checked fresh by tap's
// `before` script), never a stale one without saying so, an internal error's stack points at the .ts lines, the
// precompiled validators answer exactly like the ones compiled at run time, and `--version` loads only the CLI's core.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import t, { type Test } from "tap";
import { ROOT, runCli, spawnCli } from "../helpers/cli.ts";

/** A temp dir outside this repository (whose node_modules would otherwise be found by walking up), removed at teardown. */
function outsideDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), "mittelo-build-test-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the package (bin, dist, schemas, src, …) with its node_modules linked: a clone to make stale. */
function copyPackage(dir: string, options: { src?: boolean; dist?: boolean; without?: string[] } = {}): string {
  const root = join(dir, "pkg");
  const parts = ["bin", "schemas", "package.json", "tsconfig.json", "scripts", "backends", "matrix.yaml"];
  if (options.src !== false) parts.push("src");
  if (options.dist !== false) parts.push("dist");
  for (const part of parts) cpSync(join(ROOT, part), join(root, part), { recursive: true, preserveTimestamps: true });
  if (!options.without?.length) symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"));
  else {
    // node_modules without some packages: a link per package, except those.
    const modules = join(root, "node_modules");
    cpSync(join(ROOT, "node_modules", ".bin"), join(modules, ".bin"), { recursive: true, verbatimSymlinks: true });
    for (const name of readdirSync(join(ROOT, "node_modules"))) {
      if (name === ".bin" || options.without.includes(name)) continue;
      symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
    }
  }
  return root;
}

const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
const run = (root: string, args: string[]) => execa(process.execPath, [join(root, "bin", "mittelo.mjs"), ...args], { cwd: root, reject: false });

t.test("a current build runs without a word; an installed package (no src/) always runs its build", async (t) => {
  const fresh = await run(copyPackage(outsideDir(t)), ["--version"]);
  t.equal(fresh.stdout, version);
  t.equal(fresh.stderr, "", "nothing on stderr");
  const installed = await run(copyPackage(outsideDir(t), { src: false }), ["--version"]);
  t.equal(installed.stdout, version);
  t.equal(installed.stderr, "");
});

t.test("a source newer than the build: the sources run, with one line on stderr that names the file", async (t) => {
  const root = copyPackage(outsideDir(t));
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(root, "src", "cli", "io.ts"), later, later);
  const stale = await run(root, ["--version"]);
  t.equal(stale.exitCode, 0);
  t.equal(stale.stdout, version, "the sources answer");
  t.equal(stale.stderr.trim().split("\n").length, 1, "exactly one line");
  t.match(stale.stderr, /^mittelo: src\/cli\/io\.ts changed after the build in dist\/; running the sources through tsx/);

  const added = copyPackage(outsideDir(t));
  writeFileSync(join(added, "src", "cli", "new-file.ts"), "export {};\n");
  utimesSync(join(added, "src", "cli", "new-file.ts"), new Date(0), new Date(0)); // an old file (copied with cp -p)
  const more = await run(added, ["--version"]);
  t.equal(more.stdout, version);
  t.match(more.stderr, "files were added or removed after the build in dist/");
});

t.test("no build at all: the sources run with tsx, or a clear error without it", async (t) => {
  const none = await run(copyPackage(outsideDir(t), { dist: false }), ["--version"]);
  t.equal(none.stdout, version);
  t.match(none.stderr, /^mittelo: dist\/ has no build; running the sources through tsx/);
  const bare = await run(copyPackage(outsideDir(t), { dist: false, without: ["tsx"] }), ["--version"]);
  t.equal(bare.exitCode, 2);
  t.equal(bare.stdout, "");
  t.match(bare.stderr, "dist/ has no build, and tsx (a dev dependency) is not installed to run the sources: run `npm run build`");
});

t.test("an internal error's stack points at the TypeScript sources, not at dist/", async (t) => {
  // The hub on a SQLite driver that opens and migrates but fails on its first statement: an unexpected error inside
  // the hub's store (the real causes, e.g. a file that is not a database, are reported as user errors).
  const root = copyPackage(outsideDir(t), { without: ["better-sqlite3"] });
  const fake = join(root, "node_modules", "better-sqlite3");
  mkdirSync(fake);
  writeFileSync(join(fake, "package.json"), JSON.stringify({ name: "better-sqlite3", version: "0.0.0-fault", main: "index.js" }));
  writeFileSync(
    join(fake, "index.js"),
    `module.exports = class Database {
  pragma(query) { return /=/.test(query) ? undefined : 0; }
  exec() {}
  transaction(fn) { return (...args) => fn(...args); }
  close() {}
  prepare() { throw new TypeError("simulated driver fault"); }
};
`,
  );
  const result = await run(root, ["hub", "--port", "0", "--db", join(root, "hub.db")]);
  t.equal(result.exitCode, 1);
  t.notMatch(result.stderr, "running the sources", "the build ran");
  t.match(result.stderr, "mittelo: internal error (this is a bug, please report it): TypeError: simulated driver fault");
  t.match(result.stderr, /at prepared \(\S*\/src\/hub\/store\/sqlite\/prepared\.ts:\d+:\d+\)/, "the frame of the store is a .ts line");
  t.match(result.stderr, /\/src\/cli\/commands\/hub\.ts:\d+:\d+/, "so is the command's");
  t.notMatch(result.stderr, /\/dist\//, "no frame points into the build");
});

t.test("the build's precompiled validators report exactly what Ajv compiled at run time reports", async (t) => {
  const fixtures = join(ROOT, "test", "fixtures", "manifests");
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith(".yaml"))) {
    const args = ["validate", "--json", "--manifest", join(fixtures, file)];
    const compiled = await spawnCli(args);
    const sources = await runCli(args);
    t.same({ code: compiled.code, stdout: compiled.stdout }, { code: sources.code, stdout: sources.stdout }, file);
  }
});

/** Every source a build file was made from, following its static imports (what loading it loads). */
function staticSources(entry: string): Set<string> {
  const sources = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const map = JSON.parse(readFileSync(`${file}.map`, "utf8")) as { sources: string[] };
    for (const s of map.sources) sources.add(s.replace(/^(\.\.\/)+/, ""));
    const code = readFileSync(file, "utf8");
    for (const m of code.matchAll(/^import\s+(?:[^'"]*?from\s+)?"(\.[^"]+)";/gm)) visit(join(dirname(file), m[1] as string));
  };
  visit(entry);
  return sources;
}

t.test("starting the CLI loads only its core: every command imports what it needs when it runs", async (t) => {
  const loaded = [...staticSources(join(ROOT, "dist", "main.js"))];
  const heavy = [
    /^node_modules\/(yaml|execa|ajv|ajv-formats|semver|p-limit|log-update|ink|react|better-sqlite3|postgres)\//,
    // hub/store/location.ts is the parser of a --db value (a path or a postgres:// URL) the hub's flags use: no store code.
    /^src\/(matrix|smoke|agent|hub\/store\/(?!location\.ts$)|hub\/server|stub\/server|report|preflight|dashboard\/(app|live))/,
    /^src\/manifest\/(load|validate|plan|open)/,
    /^src\/cli\/(swarm|matrix-session|agent-command|exec-backend)/,
  ];
  t.same(
    loaded.filter((s) => heavy.some((re) => re.test(s))),
    [],
    "none of the matrix, hub, smoke, agent, YAML, Ajv, execa or UI code is loaded before a command runs",
  );
  t.ok(
    loaded.some((s) => s.startsWith("node_modules/commander/")),
    "the check sees the bundle's sources",
  );
});
