// A smoke pair runs only when both its backends are in the plan. A pair whose backend is filtered out (--include,
// --exclude, a profile's include/exclude, `enabled: false`, an --include of a folder-only backend) is left out of the
// plan and listed under `excluded` with the reason, like the backend itself: never run, never an unexpected outcome.
import t from "tap";
import { buildPlan, type PlanOptions } from "../../src/manifest/plan.ts";
import type { MitteloBackendMatrixManifest as Manifest } from "../../src/manifest/schema-types.ts";

const manifest = (extra: Partial<Manifest["backends"][string]> = {}): Manifest => ({
  version: 1,
  defaults: { cases: [{ name: "smoke", prompt: "Return exactly: ok" }] },
  profiles: { solo: { include: ["codex"] }, noecho: { exclude: ["echo"] } },
  backends: {
    echo: { invoke: { argv: ["echo"] }, ...extra },
    codex: { invoke: { argv: ["codex"] } },
    claude: { invoke: { argv: ["claude"] } },
  },
  smoke: {
    pairs: [
      { name: "echo-echo", a: "echo", b: "echo" },
      { a: "codex", b: "claude" },
    ],
  },
});

const plan = (options: PlanOptions, m = manifest()) =>
  buildPlan(m, { file: "/x/matrix.yaml", dir: "/x", hash: "0".repeat(64), discovered: [{ name: "mine", wrapper: "/x/backends/mine/run" }] }, options);

const pairsOf = (p: ReturnType<typeof plan>) => p.pairs.map((x) => x.name);
const excludedPairs = (p: ReturnType<typeof plan>) => p.excluded.filter((e) => e.kind === "pair").map((e) => `${e.name}: ${e.why}`);

t.test("every pair is planned when every backend is", async (t) => {
  const p = plan({});
  t.same(pairsOf(p), ["echo-echo", "codex-claude"]);
  t.same(excludedPairs(p), []);
});

t.test("--include of one backend leaves out the pairs of the others, with the reason", async (t) => {
  const p = plan({ include: ["codex"] });
  t.same(pairsOf(p), []);
  t.same(excludedPairs(p), [
    "echo-echo: backend echo is not planned (not in --include / profile include)",
    "codex-claude: backend claude is not planned (not in --include / profile include)",
  ]);
  t.same(
    p.excluded.filter((e) => e.kind === "backend").map((e) => e.name),
    ["claude", "echo", "mine"],
    "the backends are listed too",
  );
});

t.test("--include of a folder-only backend, --exclude, a profile and enabled: false leave the pair out", async (t) => {
  t.same(excludedPairs(plan({ include: ["mine"] }))[0], "echo-echo: backend echo is not planned (not in --include / profile include)");
  t.same(excludedPairs(plan({ exclude: ["echo"] }))[0], "echo-echo: backend echo is not planned (excluded by --exclude / profile exclude)");
  t.same(excludedPairs(plan({ profile: "noecho" }))[0], "echo-echo: backend echo is not planned (excluded by --exclude / profile exclude)");
  t.same(pairsOf(plan({ profile: "solo" })), []);
  t.same(excludedPairs(plan({}, manifest({ enabled: false }))), ["echo-echo: backend echo is not planned (enabled: false in the manifest)"]);
  t.same(pairsOf(plan({ include: ["codex", "claude"] })), ["codex-claude"], "a pair whose two backends are included stays");
});
