// Merge by replay: several event streams of one plan (the shards of a split, and/or runs on differently labelled
// machines) → one stream that folds into one report, rendered by the same renderers as a single run. Pure.
//
// Four steps, one file each in merge/: refuse what does not belong together (refuse.ts: different manifests or plans,
// a merged stream as input, the same run given twice); per machine, the latest attempt of each shard of one complete
// split (attempts.ts, coverage.ts: a missing shard, shards of different splits, a run that did not finish, cells not
// covered exactly once); the merged run-start and body (start.ts); and what the merge judges again from the whole plan
// (rejudge.ts: backend ends, the pairs' gate, the run's end). A refusal is a MitteloError (exit 2) naming the problem.
import type { MatrixEvent } from "./events.ts";
import { latestAttempts } from "./merge/attempts.ts";
import { refuseForeign } from "./merge/refuse.ts";
import { rejudge } from "./merge/rejudge.ts";
import { mergedBody, mergedStart } from "./merge/start.ts";
import type { EventStream } from "./read.ts";

export interface MergeContext {
  outDir: string;
  command: string[];
  runId: string;
  /** When the merge happened (ISO), for the events it writes itself. */
  now: string;
  /** How a stream's file is shown in messages and in the report. */
  show?: (file: string) => string;
}

export function mergeStreams(streams: readonly EventStream[], context: MergeContext): MatrixEvent[] {
  const show = context.show ?? ((f: string) => f);
  refuseForeign(streams, show);
  const attempts = latestAttempts(streams, show);
  const start = mergedStart(attempts, context);
  const body = mergedBody(attempts.used);
  return [start, ...body, ...rejudge(start, body, attempts.used, context.now)];
}
