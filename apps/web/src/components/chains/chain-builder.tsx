"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { type RouterInputs, useTRPC } from "@/lib/trpc";
import { FieldError } from "../states";
import { watch } from "../watchers";

interface StepDraft {
  name: string;
  type: "prompt" | "skill";
  prompt: string;
  skill: string;
  args: string;
  retries: string;
  recoveryPrompt: string;
  outputVars: string;
}

const blank = (i: number): StepDraft => ({
  name: `step-${i + 1}`,
  type: "prompt",
  prompt: "",
  skill: "",
  args: "",
  retries: "0",
  recoveryPrompt: "",
  outputVars: "",
});

/** `key=value` lines → record; a line without "=" is kept whole as a key so the API names it. */
function pairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    const at = t.indexOf("=");
    if (at < 0) out[t] = "";
    else out[t.slice(0, at).trim()] = t.slice(at + 1).trim();
  }
  return out;
}

type ChainInput = RouterInputs["chains"]["submit"];

export function ChainBuilder({ poolId }: { poolId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [steps, setSteps] = useState<StepDraft[]>([blank(0), blank(1)]);
  const [isolation, setIsolation] = useState<"none" | "worktree">("none");
  const [tags, setTags] = useState("");
  const submit = useMutation(
    trpc.chains.submit.mutationOptions({
      onSuccess: ({ chainId }) => {
        watch("chain", chainId, steps.map((s) => s.name).join(" → "), poolId);
        router.push(`/chains/${chainId}?pool=${poolId}`);
      },
    }),
  );
  const errors = fieldErrors(submit.error);
  const update = (i: number, patch: Partial<StepDraft>) =>
    setSteps((all) => all.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const input = {
      poolId,
      steps: steps.map((s) => ({
        name: s.name.trim(),
        action:
          s.type === "prompt"
            ? { type: "prompt" as const, prompt: s.prompt }
            : { type: "skill" as const, skill: s.skill.trim(), arguments: pairs(s.args) },
        failurePolicy: {
          retries: Number(s.retries || 0),
          ...(s.recoveryPrompt.trim() ? { recoveryPrompt: s.recoveryPrompt } : {}),
        },
        outputVars: pairs(s.outputVars),
      })),
      options: {
        isolation,
        tags: tags
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
      },
    } as ChainInput;
    submit.mutate(input);
  }

  return (
    <form className="card stack" onSubmit={onSubmit} aria-label="Chain builder">
      <h2>Build a chain</h2>
      <p className="hint">
        Templates: <code>{"{previous_output}"}</code>, <code>{"{steps.<step>.<var>}"}</code>, and{" "}
        <code>{"{error}"}</code> in a recovery prompt.
      </p>
      {steps.map((s, i) => {
        const p = `steps.${i}`;
        const err = (k: string) => errorFor(errors, `${p}.${k}`);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: steps are edited in place and identified by position
          <fieldset key={i}>
            <legend>Step {i + 1}</legend>
            <div className="row">
              <label>
                Step {i + 1} name
                <input
                  value={s.name}
                  onChange={(e) => update(i, { name: e.target.value })}
                  aria-invalid={!!err("name")}
                />
                <FieldError id={`${p}-name-err`} message={err("name")} />
              </label>
              <label>
                Step {i + 1} action
                <select
                  value={s.type}
                  onChange={(e) => update(i, { type: e.target.value as StepDraft["type"] })}
                >
                  <option value="prompt">prompt</option>
                  <option value="skill">skill</option>
                </select>
              </label>
              <label>
                Step {i + 1} retries
                <input
                  type="number"
                  min={0}
                  max={10}
                  value={s.retries}
                  onChange={(e) => update(i, { retries: e.target.value })}
                />
                <FieldError id={`${p}-retries-err`} message={err("failurePolicy.retries")} />
              </label>
            </div>
            {s.type === "prompt" ? (
              <label>
                Step {i + 1} prompt
                <textarea
                  value={s.prompt}
                  onChange={(e) => update(i, { prompt: e.target.value })}
                  aria-invalid={!!err("action")}
                />
                <FieldError id={`${p}-prompt-err`} message={err("action")} />
              </label>
            ) : (
              <div className="row">
                <label>
                  Step {i + 1} skill
                  <input
                    value={s.skill}
                    onChange={(e) => update(i, { skill: e.target.value })}
                    aria-invalid={!!err("action")}
                  />
                  <FieldError id={`${p}-skill-err`} message={err("action")} />
                </label>
                <label>
                  Step {i + 1} arguments (name=value per line)
                  <textarea value={s.args} onChange={(e) => update(i, { args: e.target.value })} />
                </label>
              </div>
            )}
            <div className="row">
              <label>
                Step {i + 1} recovery prompt
                <input
                  value={s.recoveryPrompt}
                  onChange={(e) => update(i, { recoveryPrompt: e.target.value })}
                />
                <FieldError id={`${p}-recovery-err`} message={err("failurePolicy.recoveryPrompt")} />
              </label>
              <label>
                Step {i + 1} output variables (var=json.path per line)
                <textarea value={s.outputVars} onChange={(e) => update(i, { outputVars: e.target.value })} />
                <FieldError id={`${p}-vars-err`} message={err("outputVars")} />
              </label>
            </div>
            {steps.length > 1 && (
              <button
                type="button"
                className="secondary"
                onClick={() => setSteps((all) => all.filter((_, j) => j !== i))}
              >
                Remove step {i + 1}
              </button>
            )}
          </fieldset>
        );
      })}
      <div className="row">
        <button
          type="button"
          className="secondary"
          onClick={() => setSteps((all) => [...all, blank(all.length)])}
        >
          Add step
        </button>
        <label>
          Isolation
          <select value={isolation} onChange={(e) => setIsolation(e.target.value as "none" | "worktree")}>
            <option value="none">none</option>
            <option value="worktree">own git worktree</option>
          </select>
        </label>
        <label>
          Chain tags
          <input value={tags} placeholder="comma, separated" onChange={(e) => setTags(e.target.value)} />
        </label>
      </div>
      <FieldError
        id="chain-error"
        message={
          errorFor(errors, "steps") && !Object.keys(errors).some((k) => k.startsWith("steps."))
            ? errorFor(errors, "steps")
            : (errors[""] ?? errorFor(errors, "options"))
        }
      />
      <div>
        <button type="submit" disabled={submit.isPending}>
          Run chain
        </button>
      </div>
    </form>
  );
}
