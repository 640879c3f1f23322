"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { useTRPC } from "@/lib/trpc";
import { FieldError } from "../states";
import { useToasts } from "../toasts";

interface SlotIdentity {
  id: string;
  name: string;
  role: string | null;
  description: string | null;
}

/** Edits a slot's name, role and description (slots.configure); the slot board shows the change live. */
export function SlotEditor({ poolId, slots }: { poolId: string; slots: SlotIdentity[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const [slotId, setSlotId] = useState(slots[0]?.id ?? "");
  const current = slots.find((s) => s.id === slotId);
  const [f, setF] = useState({ name: "", role: "", description: "" });
  const configure = useMutation(
    trpc.slots.configure.mutationOptions({
      onSuccess: async () => {
        toast("Slot updated.", "success");
        await queryClient.invalidateQueries({ queryKey: trpc.pools.status.queryKey({ poolId }) });
      },
    }),
  );
  const errors = fieldErrors(configure.error);

  function pick(id: string) {
    setSlotId(id);
    const s = slots.find((x) => x.id === id);
    setF({ name: s?.name ?? "", role: s?.role ?? "", description: s?.description ?? "" });
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    configure.mutate({
      poolId,
      slotId,
      name: f.name.trim() || undefined,
      role: f.role.trim() || undefined,
      description: f.description.trim() || undefined,
    });
  }

  if (slots.length === 0) return null;
  return (
    <form className="card stack" onSubmit={onSubmit} aria-label="Edit a slot">
      <h2>Slot identity</h2>
      <label>
        Slot to edit
        <select value={slotId} onChange={(e) => pick(e.target.value)}>
          {slots.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <div className="row">
        <label>
          Slot name
          <input
            value={f.name}
            placeholder={current?.name}
            onChange={(e) => setF({ ...f, name: e.target.value })}
          />
          <FieldError id="slot-name-error" message={errorFor(errors, "name")} />
        </label>
        <label>
          Slot role
          <input
            value={f.role}
            placeholder={current?.role ?? "none"}
            onChange={(e) => setF({ ...f, role: e.target.value })}
          />
          <FieldError id="slot-role-error" message={errorFor(errors, "role")} />
        </label>
      </div>
      <label>
        Slot description
        <input
          value={f.description}
          placeholder={current?.description ?? "e.g. Code review specialist"}
          onChange={(e) => setF({ ...f, description: e.target.value })}
        />
      </label>
      {errors[""] && <p className="field-error">{errors[""]}</p>}
      <div>
        <button type="submit" disabled={configure.isPending}>
          Save slot
        </button>
      </div>
    </form>
  );
}
