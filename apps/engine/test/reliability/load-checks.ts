import { execFileSync } from "node:child_process";
import postgres from "postgres";
import { isAlive } from "../helpers/engine-process.js";
import { type LoadResult, seqProblems } from "./load-generator.js";

/**
 * What every fault scenario checks after its load ran, read straight from the database (exact
 * micro-dollars, every task of the pool, not only the ones a client got an id for):
 * - every task ended, once: the day rollup counts each terminal status exactly as often as tasks
 *   have it (a task settled twice would be counted twice);
 * - failed tasks carry a reason the scenario expects (no generic "error");
 * - each subscriber received exactly the stored events of its task (no gap, no duplicate);
 * - spend per task summed = the pool's spent = the day rollup;
 * - no process the engine started outlives what it should (by pid);
 * - git lists only the worktrees and branches the pool owns.
 */

export interface Figures {
  submitted: number;
  /** Tasks in the database no client got an id for (their submit's answer was lost). */
  unacknowledged: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Tasks a client got an id for that are not in the database, or did not end. */
  lost: number;
  /** Tasks counted twice by the rollup (settled twice). */
  doubled: number;
  eventsReceived: number;
  /** Subscriptions the clients opened again after an error (with lastEventId). */
  resubscribes: number;
  /** SSE connections beyond one per task (the client's and the EventSource's own reconnects). */
  reconnects: number;
  /** Spend not accounted the same way in task rows, the pool row and the rollup (µ$). */
  spendMismatchMicros: number;
  statuses: Record<string, number>;
  networkErrors: number;
  /** Submits that got no answer (engine down) / an error answer. */
  submitErrors: number;
  submitRefusals: number;
  /** The refusals' first lines, by status and message. */
  refusals: Record<string, number>;
  orphans: number;
  reasons: Record<string, number>;
}

export interface CheckOptions {
  databaseUrl: string;
  poolId: string;
  load: LoadResult;
  /** Whether a failed task's error is one this scenario expects. */
  failureOk?: (error: { code?: string; message?: string }) => boolean;
  /** Pids that must all be gone (e.g. the engine's children before a kill). */
  pids?: number[];
}

export async function checkLoad(opts: CheckOptions): Promise<{ figures: Figures; problems: string[] }> {
  const sql = postgres(opts.databaseUrl, { max: 1, onnotice: () => {} });
  const problems: string[] = [];
  try {
    const rows = await sql<
      { id: string; status: string; error: { code?: string; message?: string } | null; spend: string }[]
    >`
      select id, status, error, spend_micros::text as spend from tasks where pool_id = ${opts.poolId}`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const count = (s: string[]) => rows.filter((r) => s.includes(r.status)).length;
    const reasons: Record<string, number> = {};
    for (const r of rows) {
      if (!["completed", "failed", "timed_out", "cancelled"].includes(r.status))
        problems.push(`task ${r.id} did not end (${r.status})`);
      if (r.status === "failed" || r.status === "timed_out") {
        const key = `${r.error?.code ?? "?"}: ${(r.error?.message ?? "").slice(0, 120)}`;
        reasons[key] = (reasons[key] ?? 0) + 1;
        if (!opts.failureOk?.(r.error ?? {})) problems.push(`task ${r.id} failed unexpectedly: ${key}`);
      }
    }
    const [roll] = await sql<{ spend: string; completed: string; failed: string; cancelled: string }[]>`
      select coalesce(sum(spend_micros), 0)::text as spend, coalesce(sum(tasks_completed), 0)::text as completed,
             coalesce(sum(tasks_failed), 0)::text as failed, coalesce(sum(tasks_cancelled), 0)::text as cancelled
      from spend_daily where pool_id = ${opts.poolId}`;
    const [pool] = await sql<
      { spent: string }[]
    >`select spent_micros::text as spent from pools where id = ${opts.poolId}`;
    const taskSpend = rows.reduce((s, r) => s + Number(r.spend), 0);
    const completed = count(["completed"]);
    const failed = count(["failed", "timed_out"]);
    const cancelled = count(["cancelled"]);
    const doubled =
      Math.max(0, Number(roll?.completed) - completed) +
      Math.max(0, Number(roll?.failed) - failed) +
      Math.max(0, Number(roll?.cancelled) - cancelled);
    if (
      Number(roll?.completed) !== completed ||
      Number(roll?.failed) !== failed ||
      Number(roll?.cancelled) !== cancelled
    )
      problems.push(
        `rollup counts ${roll?.completed}/${roll?.failed}/${roll?.cancelled} ≠ tasks ${completed}/${failed}/${cancelled}`,
      );
    const spendMismatchMicros =
      Math.abs(Number(pool?.spent) - taskSpend) + Math.abs(Number(roll?.spend) - taskSpend);
    if (spendMismatchMicros !== 0)
      problems.push(`spend: tasks ${taskSpend} µ$, pool ${pool?.spent} µ$, rollup ${roll?.spend} µ$`);

    let lost = 0;
    let resubscribes = 0;
    let reconnects = 0;
    let eventsReceived = 0;
    for (const trace of opts.load.traces) {
      resubscribes += trace.subscriptions - 1;
      reconnects += Math.max(0, trace.connections - 1);
      eventsReceived += trace.seqs.length;
      if (!byId.has(trace.taskId) || !trace.ended) {
        lost++;
        problems.push(
          `task ${trace.taskId}: ${byId.has(trace.taskId) ? "its stream never ended" : "not stored"}`,
        );
        continue;
      }
      const stored = await sql<
        { seq: number }[]
      >`select seq from task_events where task_id = ${trace.taskId} order by seq`;
      const seqProblem = seqProblems(
        trace,
        stored.map((s) => s.seq),
      );
      if (seqProblem) problems.push(seqProblem);
    }
    const orphans = (opts.pids ?? []).filter(isAlive);
    if (orphans.length > 0) problems.push(`processes still alive: ${orphans.join(", ")}`);
    const figures: Figures = {
      submitted: opts.load.traces.length,
      unacknowledged: rows.length - opts.load.traces.filter((t) => byId.has(t.taskId)).length,
      completed,
      failed,
      cancelled,
      lost,
      doubled,
      eventsReceived,
      resubscribes,
      reconnects,
      spendMismatchMicros,
      statuses: opts.load.statuses,
      networkErrors: opts.load.networkErrors,
      submitErrors: opts.load.submitErrors.length,
      submitRefusals: opts.load.submitRefusals.length,
      refusals: tally(opts.load.submitRefusals.map((r) => r.slice(0, 160))),
      orphans: orphans.length,
      reasons,
    };
    return { figures, problems };
  } finally {
    await sql.end();
  }
}

/** Worktrees and branches git knows in `repo` that the pool does not own (its slots' only). */
export function strayWorktrees(repo: string, poolId: string, slots: number): string[] {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
  const owned = new Set(Array.from({ length: slots }, (_, i) => `slot-${i}`));
  const stray: string[] = [];
  for (const line of git("worktree", "list", "--porcelain").split("\n")) {
    if (!line.startsWith("worktree ")) continue;
    const path = line.slice("worktree ".length);
    if (path === repo) continue;
    const name = path.split("/").at(-1) ?? "";
    if (!path.includes(`/.claude-pool/worktrees/${poolId}/`) || !owned.has(name))
      stray.push(`worktree ${path}`);
  }
  for (const raw of git("branch", "--format=%(refname:short)").split("\n")) {
    const branch = raw.trim();
    if (!branch || branch === "main") continue;
    const [prefix, pool, slot] = branch.split("/");
    if (prefix !== "claude-pool" || pool !== poolId || !owned.has(slot ?? "")) stray.push(`branch ${branch}`);
  }
  return stray;
}

/** The load's figures as one line a test prints (and RELIABILITY.md quotes). */
export function printFigures(label: string, figures: Figures, extra: Record<string, unknown> = {}): void {
  console.log(`[faults-${label}] ${JSON.stringify({ ...figures, ...extra })}`);
}

function tally(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}
