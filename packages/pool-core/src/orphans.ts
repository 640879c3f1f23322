import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Store } from "./store/port.js";

/** The `process` event a task records when its `claude` starts, so a later engine can find it. */
export interface ProcessRecord {
  pid: number;
  host: string;
}

export function processRecord(pid: number): ProcessRecord {
  return { pid, host: hostname() };
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
