"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { useRoleIn } from "../session";

/** The pool row and the caller's role in the pool's team. */
export function usePool(poolId: string) {
  const trpc = useTRPC();
  const pool = useQuery(trpc.pools.get.queryOptions({ poolId }));
  const role = useRoleIn(pool.data?.teamId);
  return { pool, role };
}
