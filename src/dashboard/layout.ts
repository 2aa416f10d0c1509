// How many task and worker rows fit a terminal of `rows` lines (pure).

/** Lines the live view uses besides task and worker rows (titles, headers, blanks, footer). */
const FIXED_LINES = 13;

export function rowBudget(rows: number, workers: number): { maxTasks: number; maxWorkers: number } {
  // One line short of the height: ink redraws a frame as tall as the terminal by clearing the screen (flicker).
  const budget = Math.max(0, rows - 1 - FIXED_LINES);
  const maxWorkers = Math.min(workers, Math.max(1, Math.floor(budget / 3)));
  return { maxTasks: Math.max(1, budget - maxWorkers), maxWorkers };
}

/** NO_COLOR (https://no-color.org): present and not empty disables colour. */
export function colorEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return !env.NO_COLOR;
}
