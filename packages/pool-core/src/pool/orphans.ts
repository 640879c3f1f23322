import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Micros } from "../domain/money.js";
import { assistantSchema } from "../driver/messages.js";
import { priceUsage } from "../driver/pricing.js";
import type { Store, TaskEvent } from "../store/port.js";

/** The `process` event a task records when its `claude` starts, so a later engine can find it. */
export interface ProcessRecord {
  pid: number;
  host: string;
  /** This run started the process (false: a turn on a warm process already running). */
  spawned: boolean;
}

export function processRecord(pid: number, spawned: boolean): ProcessRecord {
  return { pid, host: hostname(), spawned };
}

/**
 * Kills what a dead engine's run of this task left behind: its `claude` process group keeps
 * running (and spending) after the engine is SIGKILLed, and would race the resumed run on the
 * same session. Only on this host, and only if the pid still runs a stream-json `claude` (pids
 * are reused).
 */
export async function killOrphanedRun(store: Store, taskId: string): Promise<boolean> {
  const events = await store.listTaskEvents(taskId);
  const last = events.filter((e) => e.kind === "process").at(-1)?.payload;
  if (!isProcessRecord(last) || last.host !== hostname()) return false;
  if (!isOurRun(last.pid)) return false;
  try {
    process.kill(-last.pid, "SIGKILL");
    return true;
  } catch {
    return false; // the group is gone already
  }
}

/**
 * The pid is still the run we started: a zombie (the CLI died with its engine, nobody reaped it;
 * its pid cannot have been reused, so its group, with any tool processes, is ours), or a live
 * process running a stream-json `claude`.
 */
function isOurRun(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z") return true;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--output-format=stream-json");
  } catch {
    return false; // no such process
  }
}

function isProcessRecord(value: unknown): value is ProcessRecord {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ProcessRecord).pid === "number" &&
    typeof (value as ProcessRecord).host === "string"
  );
}

/**
 * What the dead engine's last run of a task spent before it died, priced from the assistant lines
 * it had persisted (each API call once): that money was spent even though no result line settled
 * it, and the run that takes over reports only its own spend. Zero when the last run ended with a
 * result (the store settles those itself).
 */
export function deadRunSpend(events: TaskEvent[]): Micros {
  let start = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i]?.kind === "process") {
      start = i;
      break;
    }
  }
  const run = events.slice(start + 1);
  if (run.some((e) => e.kind === "result")) return 0;
  const priced = new Set<string>();
  let micros = 0;
  for (const event of run) {
    if (event.kind !== "assistant") continue;
    const parsed = assistantSchema.safeParse(event.payload);
    if (!parsed.success || !parsed.data.message.usage) continue;
    const key = parsed.data.message.id ?? `#${event.seq}`;
    if (priced.has(key)) continue;
    priced.add(key);
    micros += priceUsage(parsed.data.message.model, parsed.data.message.usage);
  }
  return micros;
}
