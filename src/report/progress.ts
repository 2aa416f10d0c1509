// Live progress on stderr while a matrix runs: one line per backend with its status and elapsed time.
// Only on a TTY and outside CI; otherwise silent (TAP on stdout is the record). Under the human reporter the frame is
// cleared at the end (its lines follow on stdout); otherwise the last frame stays.
import type { MatrixEvent } from "./events.ts";

export async function attachProgress(
  stream: NodeJS.WriteStream,
  enabled: boolean,
  options: { keep?: boolean } = {},
): Promise<{ listener: (e: MatrixEvent) => void; stop: () => void }> {
  if (!enabled) return { listener: () => {}, stop: () => {} };
  const { createLogUpdate } = await import("log-update");
  const update = createLogUpdate(stream);
  const rows = new Map<string, { state: string; since: number; done?: number }>();
  const render = () => {
    const width = Math.max(...[...rows.keys()].map((k) => k.length), 8);
    const lines = [...rows.entries()].map(([name, row]) => {
      const elapsed = (((row.done ?? Date.now()) - row.since) / 1000).toFixed(1);
      return `${name.padEnd(width)}  ${row.state.padEnd(28)} ${elapsed}s`;
    });
    update(lines.join("\n"));
  };
  const timer = setInterval(render, 250);
  timer.unref();
  const listener = (e: MatrixEvent) => {
    const t = Date.now();
    if (e.type === "run-start") for (const b of e.backends) rows.set(b.name, { state: "preflight…", since: t });
    else if (e.type === "preflight")
      rows.set(e.backend, { state: e.decision === "run" ? "running…" : "skipped (preflight)", since: rows.get(e.backend)?.since ?? t });
    else if (e.type === "case-start") rows.set(e.backend, { ...(rows.get(e.backend) ?? { since: t }), state: `running ${e.case}…` });
    else if (e.type === "backend-end") {
      const row = rows.get(e.backend) ?? { since: t };
      rows.set(e.backend, { ...row, state: `${e.outcome}${e.matches ? "" : ` (expected ${e.expected})`}`, done: t });
    } else if (e.type === "pair-end") rows.set(`pair ${e.pair}`, { state: e.verdict.outcome, since: t - e.durationMs, done: t });
    render();
  };
  return {
    listener,
    stop: () => {
      clearInterval(timer);
      if (options.keep === false) update.clear();
      else {
        render();
        update.done();
      }
    },
  };
}
