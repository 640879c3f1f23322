"use client";
import Link from "next/link";
import { parkedLabel, statusLabel, TASK_STATUSES, usd } from "@/lib/format";
import type { RouterOutputs } from "@/lib/trpc";

type TaskItem = RouterOutputs["tasks"]["list"]["items"][number];

/** Tasks by status; the list is refreshed whenever the pool's status subscription reports a change. */
export function TaskBoard({ tasks }: { tasks: TaskItem[] }) {
  const known = new Set<string>(TASK_STATUSES);
  const columns = [...TASK_STATUSES, ...new Set(tasks.map((t) => t.status).filter((s) => !known.has(s)))];
  return (
    <div className="board">
      {columns.map((status) => {
        const items = tasks.filter((t) => t.status === status);
        return (
          <section key={status} aria-label={`${statusLabel(status)} tasks`} data-status={status}>
            <h3>
              {statusLabel(status)} <span className="badge">{items.length}</span>
            </h3>
            {items.length === 0 ? (
              <p className="hint">none</p>
            ) : (
              <ul>
                {items.map((t) => (
                  <li key={t.id}>
                    <Link href={`/tasks/${t.id}`}>{t.prompt.slice(0, 80) || t.id}</Link>
                    {t.status === "waiting_for_quota" && (
                      <div className="hint" data-testid="parked-until">
                        {parkedLabel(t.runAfter)}
                      </div>
                    )}
                    <div className="hint">
                      {t.spendUsd ? usd(t.spendUsd) : ""} {t.tags.length ? `· ${t.tags.join(", ")}` : ""}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
