"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { usd } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import type { TeamSummary } from "../session";
import { FieldError } from "../states";
import { useToasts } from "../toasts";

/** The team's monthly cap across its pools (admins). Pool caps are set on each pool's row below. */
export function Budgets({ team }: { team: TeamSummary }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const current = teams.data?.find((t) => t.id === team.id);
  const [value, setValue] = useState("");
  const setBudget = useMutation(
    trpc.teams.setBudget.mutationOptions({
      onSuccess: (out) => {
        toast(
          `Team budget ${out.monthlyBudgetUsd === null ? "removed" : `set to ${usd(out.monthlyBudgetUsd)} a month`}.`,
          "success",
        );
        setValue("");
        void queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(setBudget.error);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBudget.mutate({ teamId: team.id, monthlyUsd: value.trim() === "" ? null : Number(value) });
  }

  return (
    <section className="card stack" aria-labelledby="budget-title">
      <h2 id="budget-title">Team budget</h2>
      <p>
        Monthly cap:{" "}
        <strong>
          {current ? (current.monthlyBudgetUsd === null ? "none" : usd(current.monthlyBudgetUsd)) : "…"}
        </strong>
      </p>
      <form className="row" onSubmit={onSubmit} aria-label="Set the team budget">
        <label>
          Monthly budget (USD, empty for none)
          <input
            type="number"
            min={0}
            step="any"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={!!errorFor(errors, "monthlyUsd")}
          />
          <FieldError id="team-budget-error" message={errorFor(errors, "monthlyUsd") ?? errors[""]} />
        </label>
        <button type="submit" disabled={setBudget.isPending}>
          Save team budget
        </button>
      </form>
    </section>
  );
}
