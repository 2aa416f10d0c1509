// The live dashboard (ink): polls the hub, shows the shared view lines in colour, handles keys and terminal size.
import { Box, Text, useApp, useInput, useStdout } from "ink";
import { useCallback, useEffect, useRef, useState } from "react";
import { rowBudget } from "./layout.ts";
import { type DashboardState, nextFilter, type StatusFilter } from "./model.ts";
import type { HubSource } from "./snapshot.ts";
import { type Tone, viewLines } from "./view.ts";

export interface AppProps {
  source: HubSource;
  intervalMs: number;
  /** Delay before reconnecting while offline. */
  retryMs: number;
  /** Draw in colour (false under NO_COLOR). */
  color: boolean;
}

/** Tasks fetched per poll for the recent table (more than any terminal shows). */
const FETCH_LIMIT = 100;

const COLORS: Record<Tone, string | undefined> = {
  title: "cyan",
  ok: "green",
  bad: "red",
  warn: "yellow",
  dim: "gray",
  plain: undefined,
  queued: "blue",
  leased: "yellow",
  done: "green",
  failed: "red",
};

function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = useCallback(() => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 }), [stdout]);
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, read]);
  return size;
}

export function App({ source, intervalMs, retryMs, color }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [state, setState] = useState<DashboardState | undefined>(undefined);
  const [filter, setFilter] = useState<StatusFilter>("all");
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState("");
  const [nextAt, setNextAt] = useState(0);
  const [now, setNow] = useState(Date.now());
  const filterRef = useRef<StatusFilter>("all");
  const pollNow = useRef<() => void>(() => {});

  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let busy = false;
    const tick = async () => {
      if (busy || stopped) return;
      busy = true;
      clearTimeout(timer);
      const next = await source.poll({ filter: filterRef.current, limit: FETCH_LIMIT, retryInSeconds: retryMs / 1000 });
      busy = false;
      if (stopped) return;
      const delay = next.kind === "online" ? intervalMs : retryMs;
      setState(next);
      setNextAt(Date.now() + delay);
      timer = setTimeout(() => void tick(), delay);
    };
    pollNow.current = () => void tick();
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [source, intervalMs, retryMs]);

  // The retry countdown ticks while offline.
  const offline = state?.kind === "offline";
  useEffect(() => {
    if (!offline) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [offline]);

  useInput((input) => {
    if (confirming) {
      setConfirming(false);
      if (input === "y" || input === "Y") {
        setMessage("retrying failed tasks…");
        void source.retryFailed().then((text) => {
          setMessage(text);
          pollNow.current();
        });
      } else {
        setMessage("retry cancelled");
      }
      return;
    }
    if (input === "q") exit();
    else if (input === "f") {
      const next = nextFilter(filterRef.current);
      filterRef.current = next;
      setFilter(next);
      pollNow.current();
    } else if (input === "r") {
      if (state?.kind !== "online") setMessage("the hub is offline: nothing to retry");
      else if (state.stats.failed === 0) setMessage("no failed tasks to retry");
      else setConfirming(true);
    }
  });

  const shown: DashboardState | undefined =
    state?.kind === "offline" ? { ...state, retryInSeconds: Math.max(1, (nextAt - Math.max(now, state.at)) / 1000) } : state;
  const budget = rowBudget(rows, shown?.kind === "online" ? shown.workers.length : 0);
  const lines = shown
    ? viewLines(shown.kind === "online" ? { ...shown, filter } : shown, { width: columns, ...budget })
    : [{ text: `Mittelö dashboard · connecting to ${source.address}…`, tone: "title" as Tone }];
  const prompt = confirming && state?.kind === "online" ? `retry ${state.stats.failed} failed task(s)? y/n` : message;
  return (
    <Box flexDirection="column" width={columns}>
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
        <Text key={i} wrap="truncate" bold={line.tone === "title"} color={color ? COLORS[line.tone] : undefined}>
          {line.text || " "}
        </Text>
      ))}
      <Text> </Text>
      <Text wrap="truncate" dimColor={color}>
        {`keys: q quit · r retry failed · f filter (${filter})`}
      </Text>
      <Text wrap="truncate" color={color && confirming ? "yellow" : undefined}>
        {prompt || " "}
      </Text>
    </Box>
  );
}
