// Plan → cells: the unit of work is one repetition of one case of one backend. Ids are built from names only, so every
// machine computes the same cells (and the same plan hash) from the same matrix.yaml and flags. Pure.
import { createHash } from "node:crypto";
import type { Plan } from "./plan-types.ts";

export interface Cell {
  /** `backend/case#repetition`, e.g. `codex/smoke#2`. Names match ^[a-z][a-z0-9_-]*$, so `/` and `#` never clash. */
  id: string;
  backend: string;
  case: string;
  /** 1-based. */
  repetition: number;
}

export function cellId(backend: string, caseName: string, repetition: number): string {
  return `${backend}/${caseName}#${repetition}`;
}

/** Every cell of the plan in plan order: backends by name, each backend's cases in manifest order, repetitions 1..k. */
export function planCells(plan: Pick<Plan, "backends" | "repeat">): Cell[] {
  const cells: Cell[] = [];
  for (const b of plan.backends) {
    for (const c of b.cases) {
      for (let r = 1; r <= plan.repeat; r++) cells.push({ id: cellId(b.name, c.name, r), backend: b.name, case: c.name, repetition: r });
    }
  }
  return cells;
}

/** What, besides the plan itself, changes outcomes and so belongs in the plan hash (the stub's mode). */
export interface PlanHashExtras {
  stubMode?: string;
}

/**
 * The plan's identity: the manifest's hash, the profile, the selected backends with their cases, expectations and
 * timeouts (so --include/--exclude/--prompt/--timeout count), the pairs, --repeat, --stub/--stub-mode and
 * --run-on-warn. Never a path, a concurrency, a shard or a label: those differ between machines of one plan.
 */
export function planHash(plan: Plan, extras: PlanHashExtras = {}): string {
  const identity = {
    v: 1,
    manifest: plan.manifestHash,
    profile: plan.profile ?? null,
    repeat: plan.repeat,
    stub: plan.settings.stub,
    stubMode: plan.settings.stub ? (extras.stubMode ?? "ok") : null,
    runOnWarn: plan.settings.runOnWarn,
    backends: plan.backends.map((b) => ({
      name: b.name,
      source: b.source,
      expected: b.expected,
      timeoutMs: b.timeoutMs,
      cases: b.cases.map((c) => ({ name: c.name, prompt: c.prompt, timeoutMs: c.timeoutMs, expect: c.expect, minPassRate: c.minPassRate ?? null })),
    })),
    pairs: plan.pairs.map((p) => ({ name: p.name, a: p.a, b: p.b, tasks: p.tasks, timeoutMs: p.timeoutMs, chaos: p.chaos, expected: p.expected })),
  };
  return createHash("sha256").update(canonicalJson(identity)).digest("hex");
}

/** JSON with object keys sorted, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
