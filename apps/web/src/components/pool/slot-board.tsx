"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { duration, usd } from "@/lib/format";
import type { RouterOutputs } from "@/lib/trpc";

type Status = RouterOutputs["pools"]["status"];
type Slot = Status["slots"][number];

/** Re-renders every second so "running for" counts up; the data itself comes from the subscription. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

function driverOf(slot: Slot): string | null {
  const s = slot as Slot & { driver?: string; warm?: boolean };
  if (typeof s.driver === "string") return s.driver;
  if (typeof s.warm === "boolean") return s.warm ? "warm" : "cold";
  return null;
}

export function SlotBoard({ status, startedAt }: { status: Status; startedAt: Map<string, string> }) {
  const now = useNow();
  if (status.slots.length === 0)
    return <p className="muted">This pool has no slots running on this engine.</p>;
  return (
    <ul className="slots" aria-label="Slots">
      {status.slots.map((slot) => {
        const since = slot.currentTaskId ? startedAt.get(slot.currentTaskId) : undefined;
        const driver = driverOf(slot);
        return (
          <li
            key={`${slot.engineId}:${slot.id}`}
            className="slot"
            data-state={slot.state}
            aria-label={`Slot ${slot.name}`}
          >
            <div className="spread">
              <strong>{slot.name}</strong>
              <span className={`badge badge-${slot.state}`} data-testid="slot-state">
                {slot.state}
              </span>
            </div>
            <div className="muted">
              {slot.role ? `role: ${slot.role}` : "no role"}
              {driver ? ` · ${driver}` : ""}
            </div>
            {slot.description && <div className="hint">{slot.description}</div>}
            {slot.currentTaskId ? (
              <div>
                <Link href={`/tasks/${slot.currentTaskId}`}>Current task</Link>
                {since && (
                  <span className="muted"> · running {duration(now - new Date(since).getTime())}</span>
                )}
              </div>
            ) : (
              <div className="muted">No task</div>
            )}
            <div className="muted">
              {slot.tasksCompleted} done · {slot.errors} errors · spent {usd(slot.spendUsd)}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
