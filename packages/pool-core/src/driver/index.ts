import { createColdDriver } from "./cold.js";
import { createInProcessDriver, type InProcessScript } from "./in-process.js";
import type { Driver, DriverKind } from "./port.js";
import { createWarmDriver } from "./warm.js";

export interface DriverOptions {
  /** In-process driver only: what each task answers. */
  inProcessScript?: InProcessScript;
}

/** The driver of that kind (see DriverKind). */
export function createDriver(kind: DriverKind, opts: DriverOptions = {}): Driver {
  switch (kind) {
    case "cold":
      return createColdDriver();
    case "warm":
      return createWarmDriver();
    case "in-process":
      return createInProcessDriver(opts.inProcessScript);
  }
}

export { type ArgvPlacement, buildClaudeArgs, type ClaudeInvocation } from "./args.js";
export { bindingKey, type SpawnRequest } from "./binding.js";
export { createColdDriver } from "./cold.js";
export { createInProcessDriver, type InProcessReply, type InProcessScript } from "./in-process.js";
export { parseStreamLine, type ResultMessage, type StreamLine } from "./messages.js";
export type { Driver, DriverKind, SlotDriver } from "./port.js";
export { type KillReason, type RunOutcome, type RunRequest, runClaude } from "./run.js";
export { createWarmDriver, WarmSlot } from "./warm.js";
