// The plain-text snapshot (--once and tests): the dashboard's lines, no escape codes.
import type { DashboardState } from "./model.ts";
import { viewLines } from "./view.ts";

export function renderPlain(state: DashboardState, width = 100): string {
  return `${viewLines(state, { width })
    .map((l) => l.text)
    .join("\n")}\n`;
}
