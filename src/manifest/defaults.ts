// Built-in defaults for everything matrix.yaml may leave out. One place, so docs and code agree.
export const DEFAULTS = {
  timeout: "120s",
  killGrace: "2s",
  concurrency: 8,
  probeTimeout: "5s",
  gateIdle: "10s",
  outputCap: "10MiB",
  expect: "any-but-fail",
  smokeTasks: 6,
  smokeTimeout: "15s",
  crashPatterns: [
    "Traceback \\(most recent call last\\)",
    "Unhandled(Promise)?Rejection|unhandled exception|Uncaught (Type|Reference|Range)?Error",
    "^panic: |thread '[^']*' panicked at",
    "Segmentation fault|core dumped|FATAL ERROR:",
  ],
  gatePatterns: [
    "\\(y/n\\)|\\[y/N\\]|\\[Y/n\\]",
    "press (enter|any key|return)",
    "do you (trust|want to)",
    "(log ?in|sign ?in|authenticate)[^\\n]{0,60}[?:]\\s*$",
    "\\?\\s*$",
  ],
} as const;
