// Which report goes to stdout: a person's on a terminal, TAP 14 for machines (stdout not a terminal, or in CI).
export const REPORTERS = ["human", "tap", "json", "none"] as const;
export type Reporter = (typeof REPORTERS)[number];

/** The default reporter: `human` when stdout is a terminal outside CI, else `tap`. */
export function defaultReporter(stdoutIsTTY: boolean, env: Readonly<Record<string, string | undefined>>): Reporter {
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "0" && env.CI !== "false";
  return stdoutIsTTY && !ci ? "human" : "tap";
}
