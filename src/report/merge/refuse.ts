// Step 1 of a merge: refuse outright what does not belong together, before anything is picked. Every refusal is a
// MitteloError (exit 2) naming the streams and what to do: nothing given, a merged stream as input, the same run twice,
// different manifests, different plans of one manifest. Pure.
import { MitteloError } from "../../util/errors.ts";
import type { RunStartEvent } from "../events.ts";
import type { EventStream } from "../read.ts";

/** How a stream's file is shown in messages and in the report. */
export type ShowFile = (file: string) => string;

/** The error of a refused merge (exit 2). */
export const refuse = (message: string, hint: string) => new MitteloError("merge-refused", message, { hint });

/** `2/3`, or `whole plan` for a run without --shard. */
export const shardName = (s: RunStartEvent) => (s.shard ? `${s.shard.index}/${s.shard.total}` : "whole plan");

/** Throws when the streams cannot be merged at all, whatever their shards: they must be runs of one plan, each once. */
export function refuseForeign(streams: readonly EventStream[], show: ShowFile): void {
  const first = streams[0];
  if (!first) throw refuse("nothing to merge", "pass the report folders of the shards or machines");
  for (const s of streams) {
    if (s.start.merged)
      throw refuse(`${show(s.file)} is already a merged report`, "merge the report folders of the runs themselves (each shard's and machine's own)");
  }
  const byRun = new Map<string, EventStream>();
  for (const s of streams) {
    const seen = byRun.get(s.start.runId);
    if (seen)
      throw refuse(
        `the same run was given twice: ${show(seen.file)} and ${show(s.file)} (${s.start.label}, ${shardName(s.start)})`,
        "pass each shard's report folder once",
      );
    byRun.set(s.start.runId, s);
  }
  for (const s of streams) {
    if (s.start.manifest.sha256 !== first.start.manifest.sha256)
      throw refuse(
        `different manifests: ${show(first.file)} ran ${first.start.manifest.sha256.slice(0, 12)}, ${show(s.file)} ran ${s.start.manifest.sha256.slice(0, 12)}`,
        "merge only runs of the same matrix.yaml (the same commit); re-run the others",
      );
    if (s.start.plan.hash !== first.start.plan.hash)
      throw refuse(
        `different plans of one manifest: ${show(first.file)} is ${describePlan(first.start)}, ${show(s.file)} is ${describePlan(s.start)}`,
        "run every shard and machine with the same plan flags (--profile, --include, --exclude, --repeat, --prompt, --timeout, --stub, --run-on-warn)",
      );
  }
}

function describePlan(s: RunStartEvent): string {
  return `plan ${s.plan.hash.slice(0, 12)} (profile ${s.profile ?? "(none)"}, ${s.plan.backends.length} backends, ${s.plan.cells} cells, repeat ${s.plan.repeat})`;
}
