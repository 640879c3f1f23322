import { randomUUID } from "node:crypto";
import { claudeConfigOf, mergeConfig, type PoolOptions } from "../domain/options.js";
import type { SpawnRequest } from "../driver/binding.js";
import type { KillReason } from "../driver/run.js";
import type { ClaimedTask } from "../store/port.js";
import type { Slot } from "./slot.js";

export interface FreshSpawnDeps {
  opts: PoolOptions;
  poolName: string;
  bin: string;
  env: Record<string, string>;
  cwd: string;
  context: Array<{ key: string; value: string }>;
}

/**
 * In `fresh` mode a warm process cannot take the slot's next task (a used process only continues
 * its own session), so without help every task would pay a spawn. When a fresh task's turn is
 * over, the slot's process is retired and the next one started at once, with a new
 * `--session-id` and the flags a task without options gets here, while the slot waits for work:
 * the next task takes it without a spawn (a task with other flags gets its own process, as
 * always). Only where the pool's default is `fresh`, only on a driver that keeps processes, and
 * not when the engine is stopping or lost the task.
 */
export function shouldPrespawnFresh(
  opts: PoolOptions,
  slot: Slot,
  task: ClaimedTask,
  stoppedFor: KillReason | null,
): boolean {
  return (
    opts.config.sessionMode === "fresh" &&
    task.sessionMode === "fresh" &&
    task.explicitSession === null &&
    slot.driver.prespawn !== undefined &&
    stoppedFor !== "shutdown" &&
    stoppedFor !== "lease_lost"
  );
}

/** The process the slot's next fresh task will most likely want: pool and slot config, a new session id. */
export function freshSpawnRequest(slot: Slot, d: FreshSpawnDeps): SpawnRequest {
  const config = mergeConfig(claudeConfigOf(d.opts.config), slot.config);
  return {
    bin: d.bin,
    cwd: slot.worktreePath ?? d.cwd,
    env: d.env,
    invocation: {
      prompt: "",
      config,
      appendSystemPrompt: slot.appendedSystemPrompt(d.poolName, config.systemPrompt, d.context),
      resumeSessionId: null,
      resumeSessionAt: null,
      newSessionId: randomUUID(),
      forkSession: false,
      maxBudgetUsd: null,
      mcpConfig: d.opts.claude.mcpServers ?? {},
      extraArgs: d.opts.claude.extraArgs ?? [],
    },
  };
}
