"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { useTRPC } from "@/lib/trpc";
import { binder, CheckField, FormError, InputField, SelectField } from "./fields";

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
      onSuccess: ({ poolId }) => {
        // To the new pool at once: waiting for the list's refetch first left the user on the form
        // for as long as the engine took to answer it.
        router.push(`/pools/${poolId}`);
        void queryClient.invalidateQueries({ queryKey: trpc.pools.list.queryKey({ teamId }) });
      },
    }),
  );
  const errors = fieldErrors(create.error);
  const bind = binder(f, setF, errors, "pool");

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
        <InputField label="Pool name" {...bind("name")} required />
        <InputField label="Slots" {...bind("slots")} type="number" min={1} max={256} required />
        <InputField label="Model" {...bind("model", "config.model")} placeholder="pool default" />
        <InputField
          label="Budget cap (USD)"
          {...bind("budgetUsd", "config.budgetUsd")}
          type="number"
          min={0}
          step="any"
          placeholder="no cap"
        />
        <SelectField
          label="Permission mode"
          {...bind("permissionMode", "config.permissionMode")}
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
      <FormError message={errors[""] ?? errorFor(errors, "config.allowBypassPermissions")} />
      <div>
        <button type="submit" disabled={create.isPending}>
          Create pool
        </button>
      </div>
    </form>
  );
}
