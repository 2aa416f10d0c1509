// npm pack (its prepack builds dist/) → install the tarball into an empty directory (offline, from the npm cache that
// `npm ci` filled) → `mittelo --help` and `mittelo validate` work there against a manifest of that directory.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { ROOT } from "../helpers/cli.ts";

t.test("the packed tarball installs and runs in an empty directory", async (t) => {
  const dir = t.testdir();
  const pack = await execa("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, reject: false });
  t.equal(pack.exitCode, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = info?.files.map((f) => f.path) ?? [];
  t.ok(files.includes("bin/mittelo.mjs"), "the bin is packed");
  t.ok(files.includes("schemas/matrix.schema.json"), "the schemas are packed");
  t.ok(files.includes("dist/main.js") && files.includes("dist/main.js.map"), "the build is packed, with its source maps");
  t.ok(files.includes("LICENSE") && files.includes("dist/THIRD_PARTY_LICENSES.md"), "the licenses are packed");
  t.notOk(
    files.some((f) => f.startsWith("src/") || f === "tsconfig.json" || f.startsWith("scripts/")),
    "no TypeScript sources or build scripts: the package runs its build",
  );
  t.notOk(
    files.some((f) => f.startsWith("test/") || f.startsWith("reports/")),
    "no tests or reports in the package",
  );

  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  // Offline: every dependency comes from the npm cache (filled by `npm ci`); install scripts are not needed for
  // --help and validate (the native SQLite module is only loaded by the hub).
  const install = await execa("npm", ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", join(dir, info?.filename ?? "")], {
    cwd: app,
    reject: false,
  });
  if (install.exitCode !== 0 && /ENOTCACHED|offline/i.test(install.stderr)) {
    t.comment(
      `SKIP: the npm cache lacks a dependency, so an offline install is impossible here: ${install.stderr.split("\n").find((l) => /ENOTCACHED/.test(l)) ?? ""}`,
    );
    return;
  }
  t.equal(install.exitCode, 0, install.stderr);
  const bin = join(app, "node_modules", ".bin", "mittelo");
  const help = await execa(bin, ["--help"], { cwd: app, reject: false });
  t.equal(help.exitCode, 0, help.stderr);
  t.match(help.stdout, "validate");
  writeFileSync(join(app, "matrix.yaml"), "version: 1\nbackends:\n  cat: { invoke: { argv: [cat] } }\n");
  const ok = await execa(bin, ["validate"], { cwd: app, reject: false });
  t.equal(ok.exitCode, 0, ok.stderr);
  t.match(ok.stdout, "ok (1 backends");
  writeFileSync(join(app, "bad.yaml"), "version: 1\nbackends:\n  cat: { invoke: { argv: [cat] }, timout: 3s }\n");
  const bad = await execa(bin, ["validate", "--manifest", "bad.yaml"], { cwd: app, reject: false });
  t.equal(bad.exitCode, 2);
  t.match(bad.stderr, "bad.yaml:3:35: error[unknown-key]");
});
