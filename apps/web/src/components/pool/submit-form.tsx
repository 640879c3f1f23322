"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { type RouterInputs, useTRPC } from "@/lib/trpc";
import { CheckField, FormError, NumberField, SelectField, TextField } from "../fields";
import { FieldError } from "../states";
import { useToasts } from "../toasts";
import { watch } from "../watchers";

const EFFORTS = ["low", "medium", "high", "xhigh", "max"] as const;
type SubmitInput = RouterInputs["tasks"]["submit"];

interface SlotChoice {
  id: string;
  name: string;
  role: string | null;
}

function numberOrUndefined(v: string): number | undefined {
  return v.trim() === "" ? undefined : Number(v);
}

export function SubmitForm({ poolId, slots }: { poolId: string; slots: SlotChoice[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const empty = {
    prompt: "",
    slot: "",
    role: "",
    priority: "",
    model: "",
    effort: "",
    maxBudgetUsd: "",
    tags: "",
    review: false,
  };
  const [f, setF] = useState(empty);
  const onSuccess = async ({ taskId }: { taskId: string }) => {
    watch("task", taskId, f.prompt.slice(0, 40), poolId);
    toast("Task submitted.", "info", `/tasks/${taskId}`);
    setF(empty);
    await queryClient.invalidateQueries({ queryKey: trpc.tasks.list.queryKey({ poolId }) });
  };
  const submit = useMutation(trpc.tasks.submit.mutationOptions({ onSuccess }));
  const submitReview = useMutation(trpc.tasks.submitWithReview.mutationOptions({ onSuccess }));
  const active = f.review ? submitReview : submit;
  const errors = fieldErrors(active.error);
  const err = (k: string) => errorFor(errors, k);
  const roles = [...new Set(slots.map((s) => s.role).filter((r): r is string => !!r))];

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const config: Record<string, string> = {};
    if (f.model.trim()) config.model = f.model.trim();
    if (f.effort) config.effort = f.effort;
    const input = {
      poolId,
      prompt: f.prompt,
      slot: f.slot || undefined,
      role: f.role || undefined,
      priority: numberOrUndefined(f.priority),
      maxBudgetUsd: numberOrUndefined(f.maxBudgetUsd),
      tags: f.tags
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
      config: Object.keys(config).length ? config : undefined,
    } as SubmitInput;
    if (f.review) submitReview.mutate(input as RouterInputs["tasks"]["submitWithReview"]);
    else submit.mutate(input);
  }

  return (
    <form className="card stack" onSubmit={onSubmit} aria-label="Submit a task">
      <h2>Submit a task</h2>
      <label>
        Prompt
        <textarea
          value={f.prompt}
          onChange={(e) => setF({ ...f, prompt: e.target.value })}
          required
          aria-invalid={!!err("prompt")}
          aria-describedby="submit-prompt-error"
        />
        <FieldError id="submit-prompt-error" message={err("prompt")} />
      </label>
      <div className="row">
        <SelectField
          label="Slot"
          errorId="submit-slot-error"
          error={err("slot")}
          value={f.slot}
          onChange={(slot) => setF({ ...f, slot })}
          none="any slot"
          options={slots.map((s) => ({ value: s.id, label: s.name }))}
        />
        <TextField
          label="Role"
          errorId="submit-role-error"
          error={err("role")}
          value={f.role}
          onChange={(role) => setF({ ...f, role })}
          list={`roles-${poolId}`}
        >
          <datalist id={`roles-${poolId}`}>
            {roles.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
        </TextField>
        <NumberField
          label="Priority"
          errorId="submit-priority-error"
          error={err("priority")}
          value={f.priority}
          onChange={(priority) => setF({ ...f, priority })}
          step={1}
          placeholder="0"
        />
        <TextField
          label="Model"
          errorId="submit-model-error"
          error={err("config.model")}
          value={f.model}
          onChange={(model) => setF({ ...f, model })}
          placeholder="pool default"
        />
        <SelectField
          label="Effort"
          errorId="submit-effort-error"
          error={err("config.effort")}
          value={f.effort}
          onChange={(effort) => setF({ ...f, effort })}
          none="pool default"
          options={EFFORTS}
        />
        <NumberField
          label="Task budget (USD)"
          errorId="submit-budget-error"
          error={err("maxBudgetUsd")}
          value={f.maxBudgetUsd}
          onChange={(maxBudgetUsd) => setF({ ...f, maxBudgetUsd })}
          min={0}
          step="any"
          placeholder="pool default"
        />
        <TextField
          label="Tags"
          errorId="submit-tags-error"
          error={err("tags")}
          value={f.tags}
          onChange={(tags) => setF({ ...f, tags })}
          placeholder="comma, separated"
        />
        <CheckField checked={f.review} onChange={(review) => setF({ ...f, review })}>
          Hold the result for review
        </CheckField>
      </div>
      <FormError message={errors[""]} />
      <div>
        <button type="submit" disabled={active.isPending}>
          Submit task
        </button>
      </div>
    </form>
  );
}

export function FanOutForm({ poolId }: { poolId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const [text, setText] = useState("");
  const fanOut = useMutation(
    trpc.tasks.fanOut.mutationOptions({
      onSuccess: async ({ taskIds }) => {
        for (const id of taskIds) watch("task", id, "fan-out task", poolId);
        toast(`${taskIds.length} tasks submitted.`, "info");
        setText("");
        await queryClient.invalidateQueries({ queryKey: trpc.tasks.list.queryKey({ poolId }) });
      },
    }),
  );
  const errors = fieldErrors(fanOut.error);
  const prompts = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    <form
      className="card stack"
      aria-label="Fan out prompts"
      onSubmit={(e) => {
        e.preventDefault();
        fanOut.mutate({ poolId, prompts });
      }}
    >
      <h2>Fan out</h2>
      <label>
        Prompts, one per line
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          required
          aria-invalid={!!errorFor(errors, "prompts")}
        />
        <FieldError id="fanout-error" message={errorFor(errors, "prompts") ?? errors[""]} />
      </label>
      <div>
        <button type="submit" disabled={fanOut.isPending || prompts.length === 0}>
          Fan out {prompts.length || ""} prompts
        </button>
      </div>
    </form>
  );
}
