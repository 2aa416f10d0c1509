// Part of step 2 of a merge: the shards used for one machine hold every cell of the plan exactly once. A cell in two
// shards, or fewer cells than the plan has (an interrupted run), is refused (exit 2). Pure.
import type { EventStream } from "../read.ts";
import { refuse, type ShowFile } from "./refuse.ts";

export function checkCoverage(label: string, shards: readonly EventStream[], planCells: number, show: ShowFile): void {
  const owner = new Map<string, EventStream>();
  for (const s of shards) {
    for (const e of s.events) {
      if (e.type !== "case-end") continue;
      const other = owner.get(e.cell);
      if (other && other !== s)
        throw refuse(`${label}: cell ${e.cell} ran in both ${show(other.file)} and ${show(s.file)}`, "the shards do not belong to one split: run them again");
      owner.set(e.cell, s);
    }
  }
  if (owner.size !== planCells)
    throw refuse(
      `${label}: the shards hold ${owner.size} of the plan's ${planCells} cells`,
      "a shard did not run all its cells (an interrupted run?): run the shards again",
    );
}
