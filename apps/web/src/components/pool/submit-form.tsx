"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { type RouterInputs, useTRPC } from "@/lib/trpc";
import { binder, CheckField, FormError, InputField, SelectField } from "../fields";
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
  const bind = binder(f, setF, errors, "submit");
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
          {...bind("slot")}
          none="any slot"
          options={slots.map((s) => ({ value: s.id, label: s.name }))}
        />
        <InputField label="Role" {...bind("role")} list={`roles-${poolId}`}>
          <datalist id={`roles-${poolId}`}>
            {roles.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
        </InputField>
        <InputField label="Priority" {...bind("priority")} type="number" step={1} placeholder="0" />
        <InputField label="Model" {...bind("model", "config.model")} placeholder="pool default" />
        <SelectField
          label="Effort"
          {...bind("effort", "config.effort")}
          none="pool default"
          options={EFFORTS}
        />
        <InputField
          label="Task budget (USD)"
          {...bind("maxBudgetUsd")}
          type="number"
          min={0}
          step="any"
          placeholder="pool default"
        />
        <InputField label="Tags" {...bind("tags")} placeholder="comma, separated" />
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
