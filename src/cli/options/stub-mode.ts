// `--stub-mode <mode>`: how a model stub answers, one of the stub's modes (matrix, agent, pair-smoke).
import { Option } from "commander";
import { MODES } from "../../stub/types.ts";

export function stubModeOption(description: string): Option {
  return new Option("--stub-mode <mode>", description).choices([...MODES]);
}
