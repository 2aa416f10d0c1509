// Waiting for a condition in tests: polls instead of sleeping a fixed time, so a loaded machine only makes it slower.

/** Polls `check` every `everyMs` until it holds (true) or `ms` pass (false). */
export async function until(check: () => boolean, ms: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return true;
}
