"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useRef, useSyncExternalStore } from "react";
import { useTRPC } from "@/lib/trpc";
import { useToasts } from "./toasts";

/**
 * Tasks and chains this browser tab submitted: when one ends, a toast says so (issue 10, item 8),
 * and a pool with watched work that crosses 80% of its budget says that too. Kept in
 * sessionStorage so a reload keeps watching.
 *
 * One `pools.onStatus` subscription per pool with watched work, not one per task: a browser
 * opens at most six HTTP/1.1 connections to an origin, and every SSE stream holds one.
 */
type Watched = { kind: "task" | "chain"; id: string; label: string; poolId: string };
const KEY = "claude-pool.watched";
const TERMINAL = new Set(["completed", "failed", "cancelled", "timed_out"]);
let watched: Watched[] = [];
const listeners = new Set<() => void>();

if (typeof window !== "undefined") {
  try {
    watched = JSON.parse(window.sessionStorage.getItem(KEY) ?? "[]") as Watched[];
  } catch {
    watched = [];
  }
}

function save() {
  window.sessionStorage.setItem(KEY, JSON.stringify(watched));
  for (const l of listeners) l();
}

export function watch(kind: Watched["kind"], id: string, label: string, poolId: string) {
  if (watched.some((w) => w.id === id)) return;
  watched = [...watched.slice(-49), { kind, id, label, poolId }];
  save();
}

export function unwatch(id: string) {
  watched = watched.filter((w) => w.id !== id);
  save();
}

export function useWatched(): Watched[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => watched,
    () => [],
  );
}

function PoolWatcher({ poolId, items }: { poolId: string; items: Watched[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const warned = useRef(false);
  const itemsRef = useRef(items);
  itemsRef.current = items;

  async function check() {
    for (const w of itemsRef.current) {
      try {
        if (w.kind === "task") {
          const t = await queryClient.fetchQuery({
            ...trpc.tasks.get.queryOptions({ taskId: w.id }),
            staleTime: 0,
          });
          if (!TERMINAL.has(t.status)) continue;
          unwatch(w.id);
          const ok = t.status === "completed";
          toast(
            `Task “${w.label}” ${ok ? "finished" : t.status.replace("_", " ")}.`,
            ok ? "success" : "error",
            `/tasks/${w.id}`,
          );
        } else {
          const c = await queryClient.fetchQuery({
            ...trpc.chains.get.queryOptions({ chainId: w.id }),
            staleTime: 0,
          });
          if (c.status === "running") continue;
          unwatch(w.id);
          const ok = c.status === "completed";
          toast(
            `Chain “${w.label}” ${c.status}.`,
            ok ? "success" : "error",
            `/chains/${w.id}?pool=${w.poolId}`,
          );
        }
      } catch {
        unwatch(w.id);
      }
    }
  }

  useSubscription(
    trpc.pools.onStatus.subscriptionOptions(
      { poolId },
      {
        onData(ev) {
          const s = ev.data;
          if (s.budgetUsd && s.spendUsd >= 0.8 * s.budgetUsd && !warned.current) {
            warned.current = true;
            toast(
              `A pool's budget is ${Math.round((s.spendUsd / s.budgetUsd) * 100)}% spent.`,
              "warning",
              `/pools/${poolId}`,
            );
          }
          void check();
        },
      },
    ),
  );
  return null;
}

export function TaskWatchers() {
  const list = useWatched();
  const byPool = new Map<string, Watched[]>();
  for (const w of list) byPool.set(w.poolId, [...(byPool.get(w.poolId) ?? []), w]);
  return (
    <>
      {[...byPool.entries()].map(([poolId, items]) => (
        <PoolWatcher key={poolId} poolId={poolId} items={items} />
      ))}
    </>
  );
}
