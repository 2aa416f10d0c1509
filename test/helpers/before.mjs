// tap's `before` script: the CLI end-to-end tests run the compiled build, so make sure dist/ is current first
// (a no-op when it is; a build when a source changed since the last one).
import { build } from "../../scripts/build.mjs";

await build({ ifStale: true });
