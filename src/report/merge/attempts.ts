// Step 2 of a merge: per machine label, one complete split made of the latest attempt of each shard. Refused (exit 2):
// shards of different splits (another total, another --shard-by or --timings), a missing shard, a latest attempt that
// did not finish, shards that do not cover the plan's cells exactly once. A shard run more than once is a note, and
// every stream given is listed with whether it was used. Pure.
import type { MergeInfo } from "../events.ts";
import type { EventStream } from "../read.ts";
import { checkCoverage } from "./coverage.ts";
import { refuse, type ShowFile, shardName } from "./refuse.ts";

/** What the merge uses, and what it tells the reader about the streams it was given. */
export interface Attempts {
  /** The machine labels, sorted. */
  labels: string[];
  /** The latest attempt of every shard of every machine, machine by machine, shard by shard. */
  used: EventStream[];
  /** Every stream given, used or not (an older attempt), for the merged run-start. */
  streams: MergeInfo["streams"];
  machines: MergeInfo["machines"];
  /** A shard that ran more than once, and which attempt is used. */
  notes: string[];
}

/** Attempts are ordered by their start, then run id; the last is the latest. */
const byStart = (a: EventStream, b: EventStream) => (a.start.ts < b.start.ts ? -1 : a.start.ts > b.start.ts ? 1 : a.start.runId < b.start.runId ? -1 : 1);

export function latestAttempts(streams: readonly EventStream[], show: ShowFile): Attempts {
  const labels = [...new Set(streams.map((s) => s.start.label))].sort();
  const out: Attempts = { labels, used: [], streams: [], machines: [], notes: [] };
  for (const label of labels) {
    const mine = streams.filter((s) => s.start.label === label);
    const total = oneSplit(label, mine, show);
    const used: EventStream[] = [];
    const missing: string[] = [];
    for (let index = 1; index <= total; index++) {
      const attempts = mine.filter((s) => (s.start.shard?.index ?? 1) === index).sort(byStart);
      const latest = attempts.at(-1);
      if (!latest) {
        missing.push(`${index}/${total}`);
        continue;
      }
      const where = total > 1 ? `shard ${index}/${total} of ${label}` : label;
      if (attempts.length > 1)
        out.notes.push(
          `${where} ran ${attempts.length} times: the latest (${latest.start.ts}, ${show(latest.file)}) is used; ignored ${attempts
            .slice(0, -1)
            .map((a) => `${a.start.ts} (${show(a.file)})`)
            .join(", ")}`,
        );
      if (!latest.events.some((e) => e.type === "run-end"))
        throw refuse(`${where}: the run in ${show(latest.file)} did not finish (no run-end event)`, "run that shard again, then merge");
      used.push(latest);
      for (const a of attempts)
        out.streams.push({
          source: show(a.file),
          label,
          shard: shardName(a.start),
          runId: a.start.runId,
          startedAt: a.start.ts,
          used: a === latest,
          ...(a !== latest && { note: "an older attempt of this shard" }),
        });
    }
    if (missing.length)
      throw refuse(
        `${missing.map((m) => `shard ${m}`).join(", ")} missing${labels.length > 1 ? ` (${label})` : ""}: got ${mine.map((s) => shardName(s.start)).join(", ")}`,
        "download every shard's report folder before merging (a failed shard job still uploads its reports with `if: always()`)",
      );
    checkCoverage(label, used, (streams[0] as EventStream).start.plan.cells, show);
    out.used.push(...used);
    out.machines.push({ label, env: (used[0] as EventStream).start.env, shards: total });
  }
  return out;
}

/** The shard total of one machine's streams; throws unless they are shards of one split. */
function oneSplit(label: string, mine: readonly EventStream[], show: ShowFile): number {
  const totals = [...new Set(mine.map((s) => s.start.shard?.total ?? 1))];
  if (totals.length > 1)
    throw refuse(
      `${label}: runs of different splits: ${mine.map((s) => `${show(s.file)} is ${shardName(s.start)}`).join(", ")}`,
      "merge the shards of one split (the same --shard i/n total) per machine label; give other runs their own --label",
    );
  const splits = [...new Set(mine.map((s) => s.start.shard?.partition ?? "whole"))];
  if (splits.length > 1)
    throw refuse(
      `${label}: the shards were split differently (${mine.map((s) => `${shardName(s.start)} by ${s.start.shard?.by}, ${s.start.shard?.basis}`).join("; ")})`,
      "run every shard with the same --shard-by and the same --timings file",
    );
  return totals[0] as number;
}
