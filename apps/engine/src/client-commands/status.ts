import { stringFlag } from "../cli/args.js";
import { clientCall, printJson } from "./common.js";
import { type PoolRef, resolvePool } from "./connect.js";
import { duration, table, usd } from "./format.js";

/** `status [--pool]`: each pool's slots (name, role, state, current task and for how long, spend), queue and budget. */
export async function runStatus(argv: string[], usage: string): Promise<number> {
  const c = clientCall(argv, { pool: { type: "string" } });
  if (!c) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const ref = stringFlag(c.args, "pool");
  const pools: PoolRef[] = ref
    ? [await c.call(() => resolvePool(c.client, ref))]
    : await c.call(async () => {
        const me = await c.client.auth.me.query();
        const all: PoolRef[] = [];
        for (const team of me.teams) {
          for (const p of await c.client.pools.list.query({ teamId: team.id })) {
            all.push({ id: p.id, name: p.name, teamId: team.id });
          }
        }
        return all;
      });
  const report = await c.call(() =>
    Promise.all(
      pools.map(async (pool) => {
        const status = await c.client.pools.status.query({ poolId: pool.id });
        // How long each busy slot has been on its task: from the task's start.
        const running = await Promise.all(
          status.slots.map(async (s) =>
            s.currentTaskId ? c.client.tasks.get.query({ taskId: s.currentTaskId }).catch(() => null) : null,
          ),
        );
        const now = Date.now();
        return {
          pool,
          status,
          slots: status.slots.map((s, i) => {
            const started = running[i]?.startedAt;
            return { ...s, runningForMs: started ? now - Date.parse(started) : null };
          }),
        };
      }),
    ),
  );
  if (c.json) {
    printJson({
      pools: report.map((r) => ({
        id: r.pool.id,
        name: r.pool.name,
        pendingTasks: r.status.pendingTasks,
        activeTasks: r.status.activeTasks,
        spendUsd: r.status.spendUsd,
        reservedUsd: r.status.reservedUsd,
        budgetUsd: r.status.budgetUsd,
        usageLimit: r.status.usageLimit,
        slots: r.slots,
      })),
    });
    return 0;
  }
  if (report.length === 0) {
    process.stdout.write("no pools (create one in the dashboard or with the API)\n");
    return 0;
  }
  const blocks = report.map((r) => {
    const s = r.status;
    const budget =
      s.budgetUsd === null
        ? `spend ${usd(s.spendUsd)} (no cap)`
        : `spend ${usd(s.spendUsd)} of ${usd(s.budgetUsd)} (${usd(Math.max(0, s.budgetUsd - s.spendUsd - s.reservedUsd))} left)`;
    let header = `pool ${r.pool.name} (${r.pool.id}): queue ${s.pendingTasks}, running ${s.activeTasks}, ${budget}`;
    // The account is over its usage limit: say when its parked tasks run, in UTC and from now.
    if (s.usageLimit) {
      const left = Math.max(0, Date.parse(s.usageLimit.until) - Date.now());
      header += `\nusage limit reached: ${s.usageLimit.parkedTasks} tasks wait until ${s.usageLimit.until} (in ${duration(left)})`;
    }
    const rows = r.slots.map((slot) => [
      slot.name,
      slot.role ?? "-",
      slot.state,
      slot.currentTaskId ?? "-",
      slot.runningForMs === null ? "-" : duration(slot.runningForMs),
      usd(slot.spendUsd),
    ]);
    return `${header}\n${table(["SLOT", "ROLE", "STATE", "TASK", "FOR", "SPEND"], rows)}`;
  });
  process.stdout.write(`${blocks.join("\n\n")}\n`);
  return 0;
}

/** `drain --pool`: cancels the queued tasks, waits for the running ones, prints the totals. */
export async function runDrain(argv: string[], usage: string): Promise<number> {
  const c = clientCall(argv, { pool: { type: "string" } });
  if (!c) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const pool = await c.call(() => resolvePool(c.client, stringFlag(c.args, "pool")));
  const summary = await c.call(() => c.client.pools.drain.mutate({ poolId: pool.id }));
  if (c.json) printJson({ poolId: pool.id, ...summary });
  else
    process.stdout.write(
      `drained pool ${pool.name}: ${summary.cancelledTasks} queued tasks cancelled; ${summary.totalTasks} tasks in all, ${summary.errorCount} failed, ${usd(summary.totalSpendUsd)} spent\n`,
    );
  return 0;
}
