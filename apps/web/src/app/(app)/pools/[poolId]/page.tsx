"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { use, useEffect, useMemo, useRef } from "react";
import { BypassBadge } from "@/components/pool/bypass-badge";
import { ContextEditor } from "@/components/pool/context-editor";
import { PoolNav } from "@/components/pool/pool-nav";
import { SlotBoard } from "@/components/pool/slot-board";
import { SlotEditor } from "@/components/pool/slot-editor";
import { FanOutForm, SubmitForm } from "@/components/pool/submit-form";
import { TaskBoard } from "@/components/pool/task-board";
import { usePool } from "@/components/pool/use-pool";
import { atLeast } from "@/components/session";
import { ErrorBox, Gauge, Loading } from "@/components/states";
import { useToasts } from "@/components/toasts";
import { connectionLabel } from "@/lib/connection";
import { dateTime, usd } from "@/lib/format";
import { useLivePoolStatus } from "@/lib/live";
import { useTRPC } from "@/lib/trpc";

export default function PoolPage({ params }: { params: Promise<{ poolId: string }> }) {
  const { poolId } = use(params);
  const trpc = useTRPC();
  const { toast } = useToasts();
  const { pool, role } = usePool(poolId);
  const { status, connection } = useLivePoolStatus(poolId);
  const tasks = useQuery(trpc.tasks.list.queryOptions({ poolId }));
  const drain = useMutation(
    trpc.pools.drain.mutationOptions({
      onSuccess: (s) => toast(`Drained: ${s.totalTasks} tasks, ${usd(s.totalSpendUsd)} spent.`, "success"),
      onError: (e) => toast(e.message, "error"),
    }),
  );

  const items = tasks.data?.items ?? [];
  const startedAt = useMemo(() => {
    const m = new Map<string, string>();
    for (const t of items) if (t.startedAt) m.set(t.id, String(t.startedAt));
    return m;
  }, [items]);

  // A budget crossing 80% is worth a toast once per page view.
  const warned = useRef(false);
  const s = status.data;
  useEffect(() => {
    if (!s?.budgetUsd || warned.current) return;
    if (s.spendUsd >= 0.8 * s.budgetUsd) {
      warned.current = true;
      toast(`Pool budget is ${Math.round((s.spendUsd / s.budgetUsd) * 100)}% spent.`, "warning");
    }
  }, [s, toast]);

  if (pool.isPending) return <Loading what="the pool" />;
  if (pool.isError) return <ErrorBox title="Pool not available" error={pool.error} />;
  const canSubmit = atLeast(role, "member");
  const canAdmin = atLeast(role, "admin");

  return (
    <>
      <div className="spread">
        <h1>{pool.data.name}</h1>
        <BypassBadge config={pool.data.config} />
        <span className="muted" role="status">
          {connectionLabel(connection)}
        </span>
      </div>
      <PoolNav poolId={poolId} name={pool.data.name} />
      {status.isError && <ErrorBox title="Status unavailable" error={status.error} />}
      {s?.usageLimit && (
        // The limit is the account's: every task of it waits, so say so once for the pool.
        <p className="notice" role="status" data-testid="usage-limit">
          Usage limit reached: {s.usageLimit.parkedTasks}{" "}
          {s.usageLimit.parkedTasks === 1 ? "task waits" : "tasks wait"} until {dateTime(s.usageLimit.until)}
        </p>
      )}
      <div className="cols">
        <div>
          <section className="card" aria-labelledby="slots-title">
            <div className="spread">
              <h2 id="slots-title">Slots</h2>
              {s && (
                <span className="muted">
                  {s.activeTasks} running · {s.pendingTasks} queued
                </span>
              )}
            </div>
            {s ? <SlotBoard status={s} startedAt={startedAt} /> : <Loading what="slots" />}
          </section>
          <section className="card" aria-labelledby="tasks-title">
            <h2 id="tasks-title">Tasks</h2>
            {tasks.isPending && <Loading what="tasks" />}
            {tasks.isError && <ErrorBox title="Could not load the tasks" error={tasks.error} />}
            {tasks.data && <TaskBoard tasks={items} />}
          </section>
        </div>
        <div>
          <section className="card" aria-labelledby="budget-title">
            <h2 id="budget-title">Budget</h2>
            {s ? (
              <>
                <Gauge
                  label={`Spent ${usd(s.spendUsd)} of ${s.budgetUsd ? usd(s.budgetUsd) : "no cap"}`}
                  value={s.spendUsd}
                  max={s.budgetUsd}
                />
                <p className="muted" data-testid="pool-spend">
                  Spent {usd(s.spendUsd)} · reserved {usd(s.reservedUsd)}
                </p>
              </>
            ) : (
              <Loading what="budget" />
            )}
            {canAdmin && (
              <button
                type="button"
                className="danger"
                disabled={drain.isPending}
                onClick={() => {
                  if (window.confirm("Drain this pool? Queued tasks are cancelled; running ones finish."))
                    drain.mutate({ poolId });
                }}
              >
                Drain pool
              </button>
            )}
          </section>
          {canSubmit && s && <SubmitForm poolId={poolId} slots={s.slots} />}
          {canSubmit && <FanOutForm poolId={poolId} />}
        </div>
      </div>
      {canAdmin && s && <SlotEditor poolId={poolId} slots={s.slots} />}
      <ContextEditor poolId={poolId} canEdit={canSubmit} />
    </>
  );
}
