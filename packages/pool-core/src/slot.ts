import { microsToUsd } from "./money.js";
import type { SlotSpec } from "./options.js";
import type { SlotRecord } from "./store/port.js";
import type { ClaudeConfig, SlotInfo } from "./types.js";

/** A slot: identity, per-slot config, counters, and at most one running `claude` process. */
export class Slot {
  record: SlotRecord;

  constructor(poolId: string, engineId: string, index: number, spec: SlotSpec) {
    const id = `slot-${index}`;
    this.record = {
      id,
      poolId,
      engineId,
      name: spec.name ?? id,
      role: spec.role ?? null,
      description: spec.description ?? null,
      config: spec.config ?? {},
      state: "idle",
      currentTaskId: null,
      sessionId: null,
      worktreePath: null,
      tasksCompleted: 0,
      errors: 0,
      restarts: 0,
      spendMicros: 0,
    };
  }

  get id(): string {
    return this.record.id;
  }

  get busy(): boolean {
    return this.record.state === "busy";
  }

  get config(): ClaudeConfig {
    return this.record.config;
  }

  info(): SlotInfo {
    const r = this.record;
    return {
      id: r.id,
      name: r.name,
      role: r.role,
      description: r.description,
      state: r.state,
      currentTaskId: r.currentTaskId,
      tasksCompleted: r.tasksCompleted,
      errors: r.errors,
      spendUsd: microsToUsd(r.spendMicros),
      worktreePath: r.worktreePath,
      sessionId: r.sessionId,
    };
  }

  /**
   * What goes into `--append-system-prompt`: the slot's identity, the configured system prompt and
   * the pool's shared context (appended to Claude Code's own prompt, never replacing it).
   */
  appendedSystemPrompt(
    poolName: string,
    configured: string | undefined,
    context: Array<{ key: string; value: string }>,
  ): string {
    const shared =
      context.length > 0 ? `Shared context:\n${context.map((c) => `- ${c.key}: ${c.value}`).join("\n")}` : "";
    return [this.identity(poolName), configured ?? "", shared].filter((p) => p !== "").join("\n\n");
  }

  /** Slot identity for the appended system prompt. */
  identity(poolName: string): string {
    const r = this.record;
    let text = `You are "${r.name}" (slot ${r.id}) of the claude-pool "${poolName}".`;
    if (r.role) text += ` Your role: ${r.role}.`;
    if (r.description) text += ` ${r.description}`;
    return text;
  }
}
