"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { use } from "react";
import { atLeast, useRoleIn } from "@/components/session";
import { ErrorBox, Loading } from "@/components/states";
import { EventLine } from "@/components/task/event-line";
import { TaskActions } from "@/components/task/task-actions";
import { TaskDiff } from "@/components/task/task-diff";
import { useTaskStatusLive } from "@/components/task/use-task-status";
import { useTaskStream } from "@/components/task/use-task-stream";
import { connectionLabel } from "@/lib/connection";
import { dateTime, duration, parkedLabel, statusLabel, tokens, usd } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";

export default function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const { taskId } = use(params);
  const trpc = useTRPC();
  const task = useQuery(trpc.tasks.get.queryOptions({ taskId }));
  const pool = useQuery({
    ...trpc.pools.get.queryOptions({ poolId: task.data?.poolId ?? "" }),
    enabled: !!task.data,
  });
  const role = useRoleIn(pool.data?.teamId);
  const { events, connection } = useTaskStream(taskId);
  useTaskStatusLive(task.data);

  if (task.isPending) return <Loading what="the task" />;
  if (task.isError) return <ErrorBox title="Task not available" error={task.error} />;
  const t = task.data;
  const r = t.result;
  return (
    <>
      <p>
        <Link href={`/pools/${t.poolId}`}>Back to {pool.data?.name ?? "the pool"}</Link>
      </p>
      <div className="spread">
        <h1>Task</h1>
        <span className={`badge badge-${t.status}`} data-testid="task-status">
          {statusLabel(t.status)}
        </span>
      </div>
      {t.status === "waiting_for_quota" && (
        <p className="notice" role="status" data-testid="parked-until">
          {parkedLabel(t.runAfter)}
        </p>
      )}
      <section className="card">
        <h2>Prompt</h2>
        <p className="mono" style={{ whiteSpace: "pre-wrap" }}>
          {t.prompt}
        </p>
        <dl className="facts">
          <dt>Spend</dt>
          <dd data-testid="task-spend">{usd(r?.spendUsd ?? t.spendUsd)}</dd>
          <dt>Tokens</dt>
          <dd>
            {tokens(t.tokens.input)} in · {tokens(t.tokens.output)} out · {tokens(t.tokens.cacheRead)} cache
            read · {tokens(t.tokens.cacheWrite)} cache write
          </dd>
          <dt>Model</dt>
          <dd>{r?.model ?? t.model ?? "—"}</dd>
          <dt>Turns</dt>
          <dd>{r?.turns ?? t.turns}</dd>
          <dt>Duration</dt>
          <dd>{duration(r?.durationMs)}</dd>
          <dt>Slot</dt>
          <dd>{t.slotId ?? "not yet assigned"}</dd>
          <dt>Submitted</dt>
          <dd>{dateTime(t.createdAt)}</dd>
          {t.tags.length > 0 && (
            <>
              <dt>Tags</dt>
              <dd>{t.tags.join(", ")}</dd>
            </>
          )}
          {/* A parked task's error is the usage limit itself: the notice above says it in words. */}
          {t.error && t.status !== "waiting_for_quota" && (
            <>
              <dt>Error</dt>
              <dd className="field-error">
                {t.error.message}
                {t.error.reason ? ` (${t.error.reason})` : ""}
              </dd>
            </>
          )}
        </dl>
      </section>
      {atLeast(role, "member") && <TaskActions task={t} />}
      <section className="card" aria-labelledby="out-title">
        <div className="spread">
          <h2 id="out-title">Output</h2>
          <span className="muted" role="status">
            {connectionLabel(connection)}
          </span>
        </div>
        {events.length === 0 ? (
          <p className="muted">{t.status === "queued" ? "Waiting for a free slot…" : "No output yet."}</p>
        ) : (
          <ol className="stream" aria-label="Task output" data-testid="task-output">
            {events.map((e) => (
              <EventLine key={e.seq} event={e} />
            ))}
          </ol>
        )}
        {r && (
          <>
            <h3 style={{ marginTop: "1rem" }}>Result</h3>
            <p style={{ whiteSpace: "pre-wrap" }} data-testid="task-result">
              {r.output}
            </p>
          </>
        )}
      </section>
      <TaskDiff taskId={taskId} />
    </>
  );
}
