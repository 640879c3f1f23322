"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { useTRPC } from "@/lib/trpc";
import { useSession } from "./session";
import { FieldError } from "./states";

export function CreateTeamForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { selectTeam } = useSession();
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.teams.create.mutationOptions({
      onSuccess: async (team) => {
        selectTeam(team.id);
        setName("");
        await queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(create.error);
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ name: name.trim() });
  }
  return (
    <form className="card stack" onSubmit={onSubmit} aria-label="Create a team">
      <h2>Create a team</h2>
      <label>
        Team name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          aria-invalid={!!errorFor(errors, "name")}
          aria-describedby="team-name-error"
        />
        <FieldError id="team-name-error" message={errorFor(errors, "name") ?? errors[""]} />
      </label>
      <div>
        <button type="submit" disabled={create.isPending}>
          Create team
        </button>
      </div>
    </form>
  );
}
