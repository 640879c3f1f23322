"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { type RouterInputs, useTRPC } from "@/lib/trpc";
import { FieldError } from "../states";
import { useToasts } from "../toasts";

/** Arguments are written one per line: `name | description | required` (the last part optional). */
function parseArgs(text: string) {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [name = "", description = "", required = ""] = l.split("|").map((p) => p.trim());
      return { name, description, required: /^(required|yes|true)$/i.test(required) };
    });
}

export function AddSkill({ poolId }: { poolId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const [f, setF] = useState({ name: "", description: "", prompt: "", args: "", scope: "task" });
  const add = useMutation(
    trpc.skills.add.mutationOptions({
      onSuccess: () => {
        toast(`Skill ${f.name} added.`, "success");
        setF({ name: "", description: "", prompt: "", args: "", scope: "task" });
        void queryClient.invalidateQueries({ queryKey: trpc.skills.list.queryKey({ poolId }) });
      },
    }),
  );
  const errors = fieldErrors(add.error);
  const err = (k: string) => errorFor(errors, k) ?? errorFor(errors, `skill.${k}`);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    add.mutate({
      poolId,
      skill: {
        name: f.name.trim(),
        description: f.description,
        prompt: f.prompt,
        arguments: parseArgs(f.args),
        scope: f.scope,
      },
    } as RouterInputs["skills"]["add"]);
  }

  return (
    <form className="card stack" onSubmit={onSubmit} aria-label="Add a skill">
      <h2>Add a skill</h2>
      <div className="row">
        <label>
          Skill name
          <input
            value={f.name}
            onChange={(e) => setF({ ...f, name: e.target.value })}
            required
            aria-invalid={!!err("name")}
          />
          <FieldError id="skill-name-err" message={err("name")} />
        </label>
        <label>
          Skill scope
          <select value={f.scope} onChange={(e) => setF({ ...f, scope: e.target.value })}>
            <option value="task">task</option>
            <option value="coordinator">coordinator</option>
          </select>
        </label>
      </div>
      <label>
        Skill description
        <input value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} />
      </label>
      <label>
        Skill prompt template
        <textarea
          value={f.prompt}
          onChange={(e) => setF({ ...f, prompt: e.target.value })}
          required
          aria-invalid={!!err("prompt")}
        />
        <span className="hint">Use {"{name}"} for an argument.</span>
        <FieldError id="skill-prompt-err" message={err("prompt")} />
      </label>
      <label>
        Skill arguments (one per line: name | description | required)
        <textarea
          value={f.args}
          onChange={(e) => setF({ ...f, args: e.target.value })}
          aria-invalid={!!err("arguments")}
        />
        <FieldError id="skill-args-err" message={err("arguments") ?? errors[""]} />
      </label>
      <div>
        <button type="submit" disabled={add.isPending}>
          Add skill
        </button>
      </div>
    </form>
  );
}
