#!/usr/bin/env node
// Installs the real AI CLIs at their pinned versions into .cache/real-clis/ (git-ignored), never globally.
// Reused when every pinned version is already there. Pins come from matrix.yaml (`backends.<name>.version.package`
// + an exact `lock`) when present, else from the list below (measured in info/real-cli-facts.md).
//
//   node scripts/install-real-clis.mjs              install what is missing, print the bin directory
//   node scripts/install-real-clis.mjs --only codex,claude_code
//   node scripts/install-real-clis.mjs --json       print {binDir, clis:[{name,package,version,bin,installed}]}
//   node scripts/install-real-clis.mjs --check      install nothing; exit 1 when something is missing
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const cacheDir = join(root, ".cache", "real-clis");
export const binDir = join(cacheDir, "node_modules", ".bin");

/** The default pins: backend name → npm package, version, binary. */
export const defaultPins = [
  { name: "codex", package: "@openai/codex", version: "0.169.0", bin: "codex" },
  { name: "claude_code", package: "@anthropic-ai/claude-code", version: "2.1.197", bin: "claude" },
  { name: "gemini", package: "@google/gemini-cli", version: "0.61.0", bin: "gemini" },
  { name: "qwen", package: "@qwen-code/qwen-code", version: "0.15.10", bin: "qwen" },
  { name: "opencode", package: "opencode-ai", version: "1.18.33", bin: "opencode" },
  { name: "copilot", package: "@github/copilot", version: "1.0.102", bin: "copilot" },
  { name: "kilo", package: "@kilocode/cli", version: "7.7.7", bin: "kilo" },
];

const exact = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** Pins overridden by matrix.yaml version locks (package + exact lock) where the manifest has them. */
async function pinsFromManifest(pins) {
  const file = join(root, "matrix.yaml");
  if (!existsSync(file)) return pins;
  let doc;
  try {
    const { parse } = await import("yaml");
    doc = parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.error(`install-real-clis: cannot read matrix.yaml (${error.message}); using the built-in pins`);
    return pins;
  }
  const backends = doc?.backends ?? {};
  return pins.map((pin) => {
    const lock = backends[pin.name]?.version;
    if (lock?.package === pin.package && typeof lock.lock === "string" && exact.test(lock.lock)) return { ...pin, version: lock.lock };
    return pin;
  });
}

function installedVersion(pkg) {
  const file = join(cacheDir, "node_modules", ...pkg.split("/"), "package.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")).version;
  } catch {
    return undefined;
  }
}

function parseArgs(argv) {
  const options = { only: undefined, json: false, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") options.json = true;
    else if (a === "--check") options.check = true;
    else if (a === "--only") options.only = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (a.startsWith("--only=")) options.only = a.slice(7).split(",").filter(Boolean);
    else {
      console.error(`install-real-clis: unknown argument ${a}\nusage: node scripts/install-real-clis.mjs [--only a,b] [--json] [--check]`);
      process.exit(2);
    }
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let pins = await pinsFromManifest(defaultPins);
  if (options.only) {
    const unknown = options.only.filter((n) => !pins.some((p) => p.name === n));
    if (unknown.length > 0) {
      console.error(`install-real-clis: unknown CLI ${unknown.join(", ")}; known: ${pins.map((p) => p.name).join(", ")}`);
      process.exit(2);
    }
  }
  // npm --no-save prunes what an earlier --no-save install left, so every install names the whole list.
  const missing = pins.filter((p) => installedVersion(p.package) !== p.version);
  const wanted = options.only ? missing.filter((p) => options.only.includes(p.name)) : missing;
  if (wanted.length > 0 && !options.check) {
    await mkdir(cacheDir, { recursive: true });
    const specs = pins.map((p) => `${p.package}@${p.version}`);
    console.error(`install-real-clis: npm install --prefix ${cacheDir} --no-save ${specs.join(" ")}`);
    const result = spawnSync("npm", ["install", "--prefix", cacheDir, "--no-save", "--no-audit", "--no-fund", ...specs], {
      stdio: ["ignore", "inherit", "inherit"],
      timeout: 15 * 60_000,
    });
    if (result.status !== 0) {
      console.error(`install-real-clis: npm install failed (${result.error?.message ?? `exit ${result.status}`})`);
      process.exit(1);
    }
  }
  pins = pins.map((p) => ({ ...p, installed: installedVersion(p.package) ?? null, binPath: join(binDir, p.bin) }));
  const selected = options.only ? pins.filter((p) => options.only.includes(p.name)) : pins;
  const absent = selected.filter((p) => p.installed !== p.version);
  if (options.json) console.log(JSON.stringify({ binDir, clis: selected }, null, 2));
  else {
    for (const p of selected) console.error(`${p.name.padEnd(12)} ${p.package}@${p.version}  installed: ${p.installed ?? "no"}`);
    console.log(binDir);
  }
  if (absent.length > 0) process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
