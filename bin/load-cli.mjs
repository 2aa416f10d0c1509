// Loads the CLI's main(): the compiled build in dist/ when it is current, else (in a clone whose sources changed since
// `npm run build`) the TypeScript sources through the tsx loader, saying so in one line on stderr. Never a stale build.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BUILD_ENTRY, buildState } from "./build-state.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** @returns {Promise<{ main: (argv: string[]) => Promise<number>, stopWithLauncher: () => () => void }>} the CLI module */
export async function loadCli() {
  const state = buildState(root);
  if (state.fresh) return await import(pathToFileURL(join(root, BUILD_ENTRY)).href);
  let tsx;
  try {
    tsx = await import("tsx/esm/api");
  } catch {
    process.stderr.write(`mittelo: ${state.why}, and tsx (a dev dependency) is not installed to run the sources: run \`npm run build\`\n`);
    process.exit(2);
  }
  process.stderr.write(`mittelo: ${state.why}; running the sources through tsx (slower; \`npm run build\` compiles them)\n`);
  tsx.register();
  return await import(pathToFileURL(join(root, "src", "cli", "main.ts")).href);
}
