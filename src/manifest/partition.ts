// Cells → n shards: deterministic (names only, fixed tie-breaks), every cell in exactly one shard, no empty shard while
// there are at least n cells. Pure.
//
// Units: by default one unit per backend, joined with the backends a smoke pair links to it (union-find), so a pair runs
// on the shard that ran all the cells of both its backends and its gate sees what a single run would see. With
// `--shard-by cell` every cell is a unit. While fewer units than shards hold cells, the unit with the most cells is cut
// into two halves (cell order), so no shard stays empty. Units are placed longest first (LPT) on the shard with the
// least load so far (ties: fewer cells, then lower index); the load is a unit's cell count, or with timings its
// predicted milliseconds: its cells' mean durations, its backends' preflight and its pairs.
import { type Cell, canonicalJson, planCells } from "./cells.ts";
import { createHash } from "node:crypto";
import type { Plan } from "./plan-types.ts";

export type ShardBy = "backend" | "cell";

/** timings.json: durations of a previous run or merge, per machine label. */
export interface Timings {
  schema: "mittelo-timings/1";
  generatedAt: string;
  /** The plan hash of the run that wrote it (informative: durations are looked up by name). */
  plan: string;
  machines: Record<string, MachineTimings>;
}

export interface MachineTimings {
  /** Mean milliseconds of one run of `backend/case`. */
  cases: Record<string, number>;
  /** Milliseconds of each backend's preflight. */
  preflight: Record<string, number>;
  /** Milliseconds of each pair smoke. */
  pairs: Record<string, number>;
}

export interface ShardOptions {
  total: number;
  by?: ShardBy;
  timings?: Timings;
  /** The machine label whose timings to use (else the first machine in the file). */
  label?: string;
}

export interface Shard {
  /** 1-based. */
  index: number;
  /** Plan order. */
  cells: Cell[];
  /** Backends this shard runs: those with cells here (and backends without any case), plan order. */
  backends: string[];
  /** Smoke pairs that run here, plan order. */
  pairs: string[];
  /** Load in the basis unit: cells, or predicted milliseconds. */
  load: number;
}

export interface Partition {
  total: number;
  by: ShardBy;
  basis: "count" | "timings";
  shards: Shard[];
  /** Hash of the whole assignment: every shard of one split computes the same, a merge checks it. */
  id: string;
}

interface Unit {
  key: string;
  cells: Cell[];
  /** Backends of the unit that have no cell at all (no cases): they still preflight and report SKIP. */
  bare: string[];
  /** Pairs with their anchor: the id of their first backend's first cell (or the backend's name when it has none). */
  pairs: Array<{ name: string; anchor: string }>;
}

export function parseShard(text: string): { index: number; total: number } | undefined {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const total = Number(m[2]);
  return index >= 1 && total >= 1 && index <= total ? { index, total } : undefined;
}

/** The durations of one machine from a timings file: the label's own, else the first machine's. */
export function machineTimings(timings: Timings | undefined, label: string | undefined): MachineTimings | undefined {
  if (!timings) return undefined;
  return (label !== undefined ? timings.machines[label] : undefined) ?? Object.values(timings.machines)[0];
}

/** Predicted milliseconds of a set of cells, backends and pairs under these timings (unknown cases: the mean of the known). */
export function predictMs(t: MachineTimings, cells: readonly Cell[], backends: readonly string[], pairs: readonly string[]): number {
  const known = Object.values(t.cases);
  const mean = known.length ? known.reduce((s, v) => s + v, 0) / known.length : 1;
  let ms = 0;
  for (const c of cells) ms += Math.max(1, t.cases[`${c.backend}/${c.case}`] ?? mean);
  for (const b of backends) ms += t.preflight[b] ?? 0;
  for (const p of pairs) ms += t.pairs[p] ?? 0;
  return ms;
}

export function partitionPlan(plan: Pick<Plan, "backends" | "pairs" | "repeat">, options: ShardOptions): Partition {
  const total = options.total;
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`shard total must be a whole number >= 1, got ${total}`);
  const by = options.by ?? "backend";
  const cells = planCells(plan);
  const order = new Map(plan.backends.map((b, i) => [b.name, i]));
  const cellIndex = new Map(cells.map((c, i) => [c.id, i]));
  const units = by === "cell" ? cellUnits(plan, cells) : backendUnits(plan, cells);
  attachPairs(plan, units);
  splitUntil(units, total);

  const times = machineTimings(options.timings, options.label);
  const basis = times && Object.keys(times.cases).length ? "timings" : "count";
  const weight = (u: Unit) =>
    basis === "timings" && times
      ? predictMs(
          times,
          u.cells,
          unitBackends(u),
          u.pairs.map((p) => p.name),
        )
      : u.cells.length;

  const shards = Array.from({ length: total }, (_, i) => ({ index: i + 1, units: [] as Unit[], load: 0, cells: 0 }));
  const place = (list: Unit[]) => {
    const weighted = list.map((u) => ({ u, w: weight(u) })).sort((x, y) => y.w - x.w || compare(x.u.key, y.u.key));
    for (const { u, w } of weighted) {
      let best = shards[0] as (typeof shards)[number];
      for (const s of shards) if (s.load < best.load || (s.load === best.load && s.cells < best.cells)) best = s;
      best.units.push(u);
      best.load += w;
      best.cells += u.cells.length;
    }
  };
  // Units with cells first: while a shard is empty it has load 0 and every such unit weighs at least 1, so the first
  // n units land on n different shards. Cell-less units (a backend without cases) follow.
  place(units.filter((u) => u.cells.length));
  place(units.filter((u) => !u.cells.length));

  const pairOrder = new Map(plan.pairs.map((p, i) => [p.name, i]));
  const result: Shard[] = shards.map((s) => {
    const shardCells = s.units.flatMap((u) => u.cells).sort((a, b) => (cellIndex.get(a.id) ?? 0) - (cellIndex.get(b.id) ?? 0));
    const backends = [...new Set(s.units.flatMap(unitBackends))].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    const pairs = s.units.flatMap((u) => u.pairs.map((p) => p.name)).sort((a, b) => (pairOrder.get(a) ?? 0) - (pairOrder.get(b) ?? 0));
    return { index: s.index, cells: shardCells, backends, pairs, load: s.load };
  });
  // Pairs whose backends are both outside the plan belong to no unit: shard 1 reports them.
  const placed = new Set(result.flatMap((s) => s.pairs));
  const orphans = plan.pairs.filter((p) => !placed.has(p.name)).map((p) => p.name);
  if (orphans.length) (result[0] as Shard).pairs.push(...orphans);
  const id = createHash("sha256")
    .update(canonicalJson({ by, basis, shards: result.map((s) => [s.cells.map((c) => c.id), s.backends, s.pairs]) }))
    .digest("hex")
    .slice(0, 16);
  return { total, by, basis, shards: result, id };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function unitBackends(u: Unit): string[] {
  return [...new Set([...u.cells.map((c) => c.backend), ...u.bare])];
}

function backendUnits(plan: Pick<Plan, "backends" | "pairs">, cells: Cell[]): Unit[] {
  const parent = new Map(plan.backends.map((b) => [b.name, b.name]));
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(x, root);
    return root;
  };
  for (const p of plan.pairs) {
    if (!parent.has(p.a) || !parent.has(p.b)) continue;
    const [ra, rb] = [find(p.a), find(p.b)];
    // The smaller name becomes the root, so the result does not depend on the order of the pairs.
    if (ra !== rb) ra < rb ? parent.set(rb, ra) : parent.set(ra, rb);
  }
  const units = new Map<string, Unit>();
  for (const b of plan.backends) {
    const root = find(b.name);
    const unit = units.get(root) ?? { key: root, cells: [], bare: [], pairs: [] };
    units.set(root, unit);
    const own = cells.filter((c) => c.backend === b.name);
    if (own.length) unit.cells.push(...own);
    else unit.bare.push(b.name);
  }
  for (const u of units.values()) if (u.cells[0]) u.key = u.cells[0].id;
  return [...units.values()];
}

function cellUnits(plan: Pick<Plan, "backends">, cells: Cell[]): Unit[] {
  const units: Unit[] = cells.map((c) => ({ key: c.id, cells: [c], bare: [], pairs: [] }));
  for (const b of plan.backends) if (!b.cases.length) units.push({ key: b.name, cells: [], bare: [b.name], pairs: [] });
  return units;
}

/** A pair belongs to the unit holding its first backend's first cell (else its second's). */
function attachPairs(plan: Pick<Plan, "pairs">, units: Unit[]): void {
  for (const p of plan.pairs) {
    for (const name of [p.a, p.b]) {
      const unit = units.find((u) => u.cells.some((c) => c.backend === name) || u.bare.includes(name));
      if (!unit) continue;
      unit.pairs.push({ name: p.name, anchor: unit.cells.find((c) => c.backend === name)?.id ?? name });
      break;
    }
  }
}

/** Cuts the unit with the most cells in two while fewer than `total` units hold cells. */
function splitUntil(units: Unit[], total: number): void {
  for (;;) {
    const withCells = units.filter((u) => u.cells.length);
    if (withCells.length >= total) return;
    const biggest = withCells.reduce<Unit | undefined>((best, u) => (!best || u.cells.length > best.cells.length ? u : best), undefined);
    if (!biggest || biggest.cells.length < 2) return;
    const half = Math.ceil(biggest.cells.length / 2);
    const rest: Unit = { key: (biggest.cells[half] as Cell).id, cells: biggest.cells.slice(half), bare: [], pairs: [] };
    biggest.cells = biggest.cells.slice(0, half);
    // Each pair stays with the part that holds its anchor.
    const moved = new Set(rest.cells.map((c) => c.id));
    rest.pairs = biggest.pairs.filter((p) => moved.has(p.anchor));
    biggest.pairs = biggest.pairs.filter((p) => !moved.has(p.anchor));
    units.push(rest);
  }
}
