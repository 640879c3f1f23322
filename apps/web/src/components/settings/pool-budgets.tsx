"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage } from "@/lib/errors";
import { usd } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import type { TeamSummary } from "../session";
import { Empty } from "../states";
import { useToasts } from "../toasts";

function PoolBudgetRow({ pool }: { pool: { id: string; name: string; budgetUsd: number | null } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const [value, setValue] = useState("");
  const update = useMutation(
    trpc.pools.update.mutationOptions({
      onSuccess: () => {
        toast(`Budget of ${pool.name} saved.`, "success");
        setValue("");
        void queryClient.invalidateQueries({ queryKey: trpc.pools.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.pools.status.queryKey({ poolId: pool.id }) });
      },
      onError: (e) => toast(errorMessage(e), "error"),
    }),
  );
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    update.mutate({ poolId: pool.id, budgetUsd: value.trim() === "" ? null : Number(value) });
  }
  return (
    <tr>
      <td>{pool.name}</td>
      <td>{pool.budgetUsd === null ? "no cap" : usd(pool.budgetUsd)}</td>
      <td>
        <form className="row" onSubmit={onSubmit} aria-label={`Budget of ${pool.name}`}>
          <label>
            New cap of {pool.name} (USD, empty for none)
            <input
              type="number"
              min={0}
              step="any"
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </label>
          <button type="submit" disabled={update.isPending}>
            Save cap of {pool.name}
          </button>
        </form>
      </td>
    </tr>
  );
}

export function PoolBudgets({ team }: { team: TeamSummary }) {
  const trpc = useTRPC();
  const pools = useQuery(trpc.pools.list.queryOptions({ teamId: team.id }));
  return (
    <section className="card stack" aria-labelledby="pool-budgets-title">
      <h2 id="pool-budgets-title">Pool budgets</h2>
      {pools.data && pools.data.length === 0 && <Empty>No pools yet.</Empty>}
      {pools.data && pools.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Pool</th>
                <th scope="col">Cap</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {pools.data.map((p) => (
                <PoolBudgetRow key={p.id} pool={p} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
