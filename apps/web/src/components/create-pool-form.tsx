"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { useTRPC } from "@/lib/trpc";
import { FieldError } from "./states";

const MODES = ["default", "acceptEdits", "auto", "bypassPermissions", "dontAsk", "plan"] as const;

export function CreatePoolForm({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [f, setF] = useState({
    name: "",
    slots: "2",
    model: "",
    budgetUsd: "",
    permissionMode: "",
    worktree: false,
  });
  const create = useMutation(
    trpc.pools.create.mutationOptions({
      onSuccess: async ({ poolId }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.pools.list.queryKey({ teamId }) });
        router.push(`/pools/${poolId}`);
      },
    }),
  );
  const errors = fieldErrors(create.error);
  const err = (field: string) => errorFor(errors, field);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const config: Record<string, unknown> = { worktree: f.worktree };
    if (f.model.trim()) config.model = f.model.trim();
    if (f.budgetUsd.trim()) config.budgetUsd = Number(f.budgetUsd);
    if (f.permissionMode) config.permissionMode = f.permissionMode;
    create.mutate({ teamId, name: f.name.trim(), slots: Number(f.slots), config } as Parameters<
      typeof create.mutate
    >[0]);
  }

  return (
    <form className="card stack" onSubmit={onSubmit} aria-label="Create a pool">
      <h2>Create a pool</h2>
      <div className="row">
        <label>
          Pool name
          <input
            value={f.name}
            onChange={(e) => setF({ ...f, name: e.target.value })}
            required
            aria-invalid={!!err("name")}
          />
          <FieldError id="pool-name-error" message={err("name")} />
        </label>
        <label>
          Slots
          <input
            type="number"
            min={1}
            max={256}
            value={f.slots}
            onChange={(e) => setF({ ...f, slots: e.target.value })}
            required
            aria-invalid={!!err("slots")}
          />
          <FieldError id="pool-slots-error" message={err("slots")} />
        </label>
        <label>
          Model
          <input
            value={f.model}
            placeholder="pool default"
            onChange={(e) => setF({ ...f, model: e.target.value })}
          />
          <FieldError id="pool-model-error" message={err("config.model")} />
        </label>
        <label>
          Budget cap (USD)
          <input
            type="number"
            min={0}
            step="any"
            value={f.budgetUsd}
            placeholder="no cap"
            onChange={(e) => setF({ ...f, budgetUsd: e.target.value })}
            aria-invalid={!!err("config.budgetUsd")}
          />
          <FieldError id="pool-budget-error" message={err("config.budgetUsd")} />
        </label>
        <label>
          Permission mode
          <select value={f.permissionMode} onChange={(e) => setF({ ...f, permissionMode: e.target.value })}>
            <option value="">pool default</option>
            {MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={f.worktree}
            onChange={(e) => setF({ ...f, worktree: e.target.checked })}
          />
          Each slot in its own git worktree
        </label>
      </div>
      {errors[""] && (
        <p className="field-error" role="alert">
          {errors[""]}
        </p>
      )}
      <div>
        <button type="submit" disabled={create.isPending}>
          Create pool
        </button>
      </div>
    </form>
  );
}
