// Every subcommand registers here, one line each. Keep commands thin: parse options, call src/, print, set the exit code.
import type { Command } from "commander";
import type { CliIO } from "../io.ts";
import { registerStub } from "./stub.ts";
import { registerAgent } from "./agent.ts";
import { registerExec } from "./exec.ts";
import { registerMatrix } from "./matrix.ts";
import { registerSystemTest } from "./system-test.ts";
import { registerValidate } from "./validate.ts";
import { registerBackendCheck } from "./backend-check.ts";
import { registerDoctor } from "./doctor.ts";
import { registerDocs } from "./docs.ts";
import { registerHub } from "./hub.ts";
import { registerHubClient } from "./hub-client.ts";
import { registerDashboard } from "./dashboard.ts";
import { registerPairSmoke } from "./pair-smoke.ts";
import { registerInit } from "./init.ts";
import { registerReport } from "./report.ts";

export function registerCommands(program: Command, io: CliIO): void {
  registerInit(program, io);
  registerValidate(program, io);
  registerMatrix(program, io);
  registerReport(program, io);
  registerSystemTest(program, io);
  registerExec(program, io);
  registerAgent(program, io);
  registerHub(program, io);
  registerHubClient(program, io);
  registerDashboard(program, io);
  registerPairSmoke(program, io);
  registerStub(program, io);
  registerBackendCheck(program, io);
  registerDoctor(program, io);
  registerDocs(program, io);
  // backends/preflight: backend-check, doctor, docs
  // matrix: matrix, report merge, system-test
  // hub: hub, enqueue, status, stats, retry, shutdown, agent, swarm
  // smoke/dashboard: pair-smoke, dashboard
  // stub: stub
}
