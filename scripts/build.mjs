#!/usr/bin/env node
// Compiles the CLI into dist/: one esbuild bundle of src/cli/main.ts with code splitting (every `await import()` of
// a command becomes a chunk of its own, loaded only by the command that needs it), ES modules for Node 20, linked
// source maps (an internal error's stack is mapped back to the .ts lines). `npm ci` runs it (prepare), `npm pack`
// too (prepack); bin/mittelo.mjs runs dist/ only while dist/build.json says it is current (bin/build-state.mjs).
//
// The files are written in place, entry last and the stamp after it, so a process starting meanwhile runs either the
// old build or the new one; then what the new build does not use is removed.
//   node scripts/build.mjs            build
//   node scripts/build.mjs --if-stale build only when dist/ is not current (what the tests call)
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_ENTRY, BUILD_STAMP, buildState, scanInputs } from "../bin/build-state.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

/** Dependencies that stay in node_modules (the package's run-time dependencies): native code (better-sqlite3) and the
 * live dashboard (ink, react), loaded only by the commands that use them. Ajv is loaded with require(), only to compile
 * a schema at run time (src/util/ajv.ts). Every other dependency is bundled. */
export const EXTERNAL = ["better-sqlite3", "ink", "react", "react/jsx-runtime"];

/**
 * Ajv's standalone code of schemas/<name>.schema.json (and, for the protocol, of each hub method's params), compiled
 * with the options src/util/ajv.ts uses at run time, registered with it: the module that replaces
 * src/util/precompiled/<name>.ts in the bundle.
 */
export function precompiledValidators(name) {
  const require = createRequire(import.meta.url);
  const { Ajv2020, _ } = require("ajv/dist/2020.js");
  const addFormats = require("ajv-formats");
  const standaloneCode = require("ajv/dist/standalone").default;
  const options = { allErrors: true, verbose: true, strict: false }; // = AJV_OPTIONS of src/util/ajv.ts (a test compares them)
  const ajv = new Ajv2020({ ...options, code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  addFormats(ajv);
  const file = `${name}.schema.json`;
  const schema = JSON.parse(readFileSync(join(root, "schemas", file), "utf8"));
  ajv.addSchema(schema, file);
  const exports = { v: file }; // export name → schema key or id#pointer
  const keys = { v: file }; // export name → the key util/ajv.ts looks up
  for (const method of Object.keys((name === "protocol" && schema.$defs?.params?.properties) || {})) {
    const pointer = `/$defs/params/properties/${method}`;
    exports[`v_${method}`] = `${schema.$id}#${pointer}`;
    keys[`v_${method}`] = `${file}#${pointer}`;
  }
  const table = Object.entries(keys).map(([name, key]) => `  ${JSON.stringify(key)}: ${name},`);
  const register = `import { registerPrecompiled } from ${JSON.stringify(join(root, "src", "util", "ajv.ts"))};`;
  return `${register}\n${standaloneCode(ajv, exports)}\nregisterPrecompiled({\n${table.join("\n")}\n});\n`;
}

/** The esbuild plugin that puts precompiledValidators(name) in place of src/util/precompiled/<name>.ts. */
const precompilePlugin = {
  name: "mittelo-precompiled-validators",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]util[\\/]precompiled[\\/][a-z-]+\.ts$/ }, (args) => ({
      contents: precompiledValidators(args.path.replace(/^.*[\\/]/, "").replace(/\.ts$/, "")),
      loader: "js",
      resolveDir: root,
    }));
  },
};

function writeIfChanged(path, contents) {
  try {
    if (Buffer.compare(readFileSync(path), contents) === 0) return;
  } catch {
    mkdirSync(dirname(path), { recursive: true });
  }
  writeFileSync(`${path}.tmp`, contents);
  renameSync(`${path}.tmp`, path);
}

/** The license of every package bundled into dist/ (their MIT/ISC/BSD terms ask for the notice to travel with the code). */
function thirdPartyLicenses(metafile) {
  const packages = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(m[1]);
  }
  const sections = [...packages].sort().map((path) => {
    const dir = join(root, path);
    const name = path.replace(/^.*node_modules\//, "");
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = file ? readFileSync(join(dir, file), "utf8").trim() : `${manifest.license ?? "see the package"} (no license file in the package)`;
    return `## ${name} ${manifest.version} (${manifest.license ?? "?"})\n\n\`\`\`\n${text}\n\`\`\`\n`;
  });
  return `# Third-party code bundled in dist/\n\n${sections.join("\n")}`;
}

/** One build at a time (tests and `npm run build` may start together): a lock folder, taken over when abandoned. */
async function withLock(run) {
  const lock = join(root, ".dist-lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      if (Date.now() - statMtime(lock) > 120_000) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another build holds ${lock} for too long; remove it if no build is running`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function statMtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

export async function build({ ifStale = false, quiet = false } = {}) {
  if (ifStale && buildState(root).fresh) return { built: false };
  return withLock(() => (ifStale && buildState(root).fresh ? { built: false } : buildNow(quiet)));
}

async function buildNow(quiet) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    throw new Error("esbuild (a dev dependency) is not installed: run `npm ci` (without --omit=dev) to build dist/");
  }
  const started = Date.now();
  const inputs = scanInputs(root);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: "src/cli/main.ts" },
    outdir: dist,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    jsx: "automatic",
    external: EXTERNAL,
    plugins: [precompilePlugin],
    // Bundled CommonJS dependencies (commander, yaml, ajv, semver) may call require(): give them one.
    banner: { js: 'import { createRequire as __mitteloRequire } from "node:module"; const require = __mitteloRequire(import.meta.url);' },
    sourcemap: "linked",
    sourcesContent: false,
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  const entry = join(root, BUILD_ENTRY);
  const licenses = { path: join(dist, "THIRD_PARTY_LICENSES.md"), contents: Buffer.from(thirdPartyLicenses(result.metafile)) };
  result.outputFiles.push(licenses);
  const written = new Set(result.outputFiles.map((f) => f.path));
  // Chunks and maps first, the entry last: a process starting meanwhile loads the old build or the new one, never
  // half of a file (each is written beside and renamed into place; unchanged ones are left alone).
  const order = result.outputFiles.sort((a, b) => Number(a.path === entry) - Number(b.path === entry));
  for (const file of order) writeIfChanged(file.path, file.contents);
  const stamp = join(root, BUILD_STAMP);
  written.add(stamp);
  const bytes = result.outputFiles.filter((f) => f.path.endsWith(".js")).reduce((n, f) => n + f.contents.length, 0);
  writeFileSync(
    `${stamp}.tmp`,
    `${JSON.stringify({ builtAt: new Date().toISOString(), tool: `esbuild ${esbuild.version}`, inputs: { files: inputs.files, newest: inputs.newest } }, null, 2)}\n`,
  );
  renameSync(`${stamp}.tmp`, stamp);
  for (const entryPath of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    const path = join(entryPath.parentPath ?? entryPath.path, entryPath.name);
    if (entryPath.isFile() && !written.has(path)) rmSync(path, { force: true });
  }
  const chunks = result.outputFiles.filter((f) => f.path.endsWith(".js")).length;
  if (!quiet) console.error(`built ${relative(root, dist)}/: ${chunks} modules, ${(bytes / 1024).toFixed(0)} KiB, in ${Date.now() - started} ms`);
  return { built: true, metafile: result.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await build({ ifStale: process.argv.includes("--if-stale") });
  } catch (error) {
    console.error(`build failed: ${error.message}`);
    process.exitCode = 1;
  }
}
