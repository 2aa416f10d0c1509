// npm pack (prepack builds dist/) → install the tarball into an empty project, offline → `npx mittelo init` writes a
// starter matrix.yaml there → `npx mittelo matrix` runs it (echo and tmux wrappers come from the installed package)
// and `mittelo validate` reports a user's typo with its line and column.
//
// Offline: the project gets a package-lock.json made from this repository's (same versions and integrity hashes), so
// `npm ci --offline` takes every dependency from the npm cache that `npm ci` filled. Install scripts are not run
// (they would download or compile better-sqlite3's native module); the module built for this repository is copied in
// instead, which is what its install script would have produced.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { ROOT } from "../helpers/cli.ts";

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

/** The lock entries of everything `packageDeps` needs, resolved the way Node resolves (nearest node_modules first). */
function lockClosure(packages: Record<string, LockEntry>, packageDeps: string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const visit = (from: string, name: string) => {
    for (let base = from; ; base = base.includes("/node_modules/") ? base.slice(0, base.lastIndexOf("/node_modules/")) : "") {
      const path = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
      const entry = packages[path];
      if (entry) {
        if (out[path]) return;
        const { dev, devOptional, peer, ...rest } = entry;
        out[path] = rest;
        for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) visit(path, dep);
        return;
      }
      if (!base) return; // an optional dependency not installed here
    }
  };
  for (const dep of packageDeps) visit("", dep);
  return out;
}

t.test("the packed tarball installs into an empty project, where init and matrix work", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "mittelo-pack-test-")); // outside this repository: nothing found by walking up
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pack = await execa("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, reject: false });
  t.equal(pack.exitCode, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; integrity: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error("npm pack printed no package");
  const files = info.files.map((f) => f.path);
  t.ok(files.includes("bin/mittelo.mjs"), "the bin is packed");
  t.ok(files.includes("schemas/matrix.schema.json"), "the schemas are packed");
  t.ok(files.includes("dist/main.js") && files.includes("dist/main.js.map"), "the build is packed, with its source maps");
  t.ok(files.includes("LICENSE") && files.includes("dist/THIRD_PARTY_LICENSES.md"), "the licenses are packed");
  t.ok(files.includes("backends/echo/run") && files.includes("matrix.yaml"), "the wrappers and the shipped manifest are packed");
  t.notOk(
    files.some((f) => f.startsWith("src/") || f === "tsconfig.json" || f.startsWith("scripts/") || f.startsWith("harness/")),
    "no TypeScript sources, build scripts or repository-only entry points: the package runs its build",
  );
  t.notOk(
    files.some((f) => f.startsWith("test/") || f.startsWith("reports/")),
    "no tests or reports in the package",
  );

  const ours = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const app = join(dir, "app");
  mkdirSync(app);
  const tarball = `file:../${info.filename}`;
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, devDependencies: { mittelo: tarball } }, null, 2));
  const appLock = {
    name: "app",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "app", devDependencies: { mittelo: tarball } },
      "node_modules/mittelo": {
        version: ours.version,
        resolved: tarball,
        integrity: info.integrity,
        dev: true,
        license: "MIT",
        dependencies: ours.dependencies,
        bin: { mittelo: "bin/mittelo.mjs" },
        engines: { node: ">=20" },
      },
      ...Object.fromEntries(Object.entries(lockClosure(lock.packages, Object.keys(ours.dependencies))).map(([p, e]) => [p, { ...e, dev: true }])),
    },
  };
  writeFileSync(join(app, "package-lock.json"), JSON.stringify(appLock, null, 2));
  const home = join(dir, "home");
  mkdirSync(home);
  // A user's environment without API keys or a test runner's loader; npm's cache is still the real one (read only).
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    npm_config_cache: join(process.env.HOME ?? "", ".npm"),
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
  };
  const install = await execa("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: app, env, extendEnv: false, reject: false });
  if (install.exitCode !== 0 && /ENOTCACHED/.test(install.stderr)) {
    t.comment(`SKIP: the npm cache lacks a dependency (run \`npm ci\` once): ${install.stderr.split("\n").find((l) => /ENOTCACHED/.test(l)) ?? ""}`);
    return;
  }
  t.equal(install.exitCode, 0, install.stderr);
  const native = join("node_modules", "better-sqlite3", "build");
  if (existsSync(join(ROOT, native))) cpSync(join(ROOT, native), join(app, native), { recursive: true });

  const npx = (args: string[]) => execa("npx", ["mittelo", ...args], { cwd: app, env, extendEnv: false, reject: false });
  const help = await npx(["--help"]);
  t.equal(help.exitCode, 0, help.stderr);
  t.match(help.stdout, "init");

  const init = await npx(["init"]);
  t.equal(init.exitCode, 0, init.stderr);
  t.match(init.stdout, /wrote matrix\.yaml: \d+ backend\(s\) active \(echo/);
  const manifest = readFileSync(join(app, "matrix.yaml"), "utf8");
  t.equal(
    manifest.split("\n")[0],
    "# yaml-language-server: $schema=./node_modules/mittelo/schemas/matrix.schema.json",
    "the editor's schema reference works in this project",
  );
  t.ok(existsSync(join(app, "node_modules", "mittelo", "schemas", "matrix.schema.json")), "and points at a file");
  const again = await npx(["init"]);
  t.equal(again.exitCode, 2, "init never overwrites without --force");
  t.match(again.stderr, "already exists; nothing was written");
  t.equal(readFileSync(join(app, "matrix.yaml"), "utf8"), manifest);

  const matrix = await npx(["matrix", "--reporter", "tap", "--out-dir", "out"]);
  t.equal(matrix.exitCode, 0, `${matrix.stdout}\n${matrix.stderr}`);
  t.match(matrix.stdout, /^ok \d+ - echo PASS$/m, "echo runs through the package's wrapper");
  t.match(matrix.stdout, /^ok \d+ - pair echo-echo \(echo \+ echo\) PASS$/m, "the pair smoke's hub and agents run from the package");
  t.notMatch(matrix.stderr, /missing-wrapper|does not exist/);

  writeFileSync(join(app, "bad.yaml"), "version: 1\nbackends:\n  cat: { invoke: { argv: [cat] }, timout: 3s }\n");
  const bad = await npx(["validate", "--manifest", "bad.yaml"]);
  t.equal(bad.exitCode, 2);
  t.match(bad.stderr, "bad.yaml:3:35: error[unknown-key]");
});
