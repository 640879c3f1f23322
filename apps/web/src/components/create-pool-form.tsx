"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { useTRPC } from "@/lib/trpc";
import { CheckField, FormError, NumberField, SelectField, TextField } from "./fields";

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
    allowBypass: false,
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
    // The API refuses bypassPermissions unless the pool's config also opts in, explicitly.
    if (f.permissionMode === "bypassPermissions" && f.allowBypass) config.allowBypassPermissions = true;
    create.mutate({ teamId, name: f.name.trim(), slots: Number(f.slots), config } as Parameters<
      typeof create.mutate
    >[0]);
  }

  return (
    <form className="card stack" onSubmit={onSubmit} aria-label="Create a pool">
      <h2>Create a pool</h2>
      <div className="row">
        <TextField
          label="Pool name"
          errorId="pool-name-error"
          error={err("name")}
          value={f.name}
          onChange={(name) => setF({ ...f, name })}
          required
        />
        <NumberField
          label="Slots"
          errorId="pool-slots-error"
          error={err("slots")}
          value={f.slots}
          onChange={(slots) => setF({ ...f, slots })}
          min={1}
          max={256}
          required
        />
        <TextField
          label="Model"
          errorId="pool-model-error"
          error={err("config.model")}
          value={f.model}
          onChange={(model) => setF({ ...f, model })}
          placeholder="pool default"
        />
        <NumberField
          label="Budget cap (USD)"
          errorId="pool-budget-error"
          error={err("config.budgetUsd")}
          value={f.budgetUsd}
          onChange={(budgetUsd) => setF({ ...f, budgetUsd })}
          min={0}
          step="any"
          placeholder="no cap"
        />
        <SelectField
          label="Permission mode"
          errorId="pool-mode-error"
          error={err("config.permissionMode")}
          value={f.permissionMode}
          onChange={(permissionMode) => setF({ ...f, permissionMode })}
          none="pool default"
          options={MODES}
        />
        <CheckField checked={f.worktree} onChange={(worktree) => setF({ ...f, worktree })}>
          Each slot in its own git worktree
        </CheckField>
        {f.permissionMode === "bypassPermissions" && (
          <CheckField checked={f.allowBypass} onChange={(allowBypass) => setF({ ...f, allowBypass })}>
            Allow bypassPermissions: every tool runs without asking, file writes and shell commands included
          </CheckField>
        )}
      </div>
      <FormError message={errors[""] ?? err("config.allowBypassPermissions")} />
      <div>
        <button type="submit" disabled={create.isPending}>
          Create pool
        </button>
      </div>
    </form>
  );
}
