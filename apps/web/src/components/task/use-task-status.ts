"use client";
import { skipToken, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/lib/trpc";

const TERMINAL = new Set(["completed", "failed", "cancelled", "timed_out"]);

/**
 * Keeps an open task's status live. Its output stream says nothing when the task is claimed, parked
 * by a usage limit or resumed (no line is written then), but its pool's status changes each time:
 * so, while the task has not ended, each `pools.onStatus` event re-reads the task. An ended task
 * holds no stream (a browser has few connections per origin).
 */
export function useTaskStatusLive(task: { id: string; poolId: string; status: string } | undefined) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const open = task !== undefined && !TERMINAL.has(task.status);
  useSubscription(
    trpc.pools.onStatus.subscriptionOptions(open ? { poolId: task.poolId } : skipToken, {
      onData() {
        if (task)
          void queryClient.invalidateQueries({ queryKey: trpc.tasks.get.queryKey({ taskId: task.id }) });
      },
    }),
  );
}
