"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { useTRPC } from "@/lib/trpc";
import { Empty, ErrorBox, FieldError, Loading } from "../states";

/** The pool's shared context: key/value pairs every slot gets in its appended system prompt. */
export function ContextEditor({ poolId, canEdit }: { poolId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.context.list.queryOptions({ poolId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.context.list.queryKey({ poolId }) });
  const set = useMutation(trpc.context.set.mutationOptions({ onSuccess: refresh }));
  const del = useMutation(trpc.context.delete.mutationOptions({ onSuccess: refresh }));
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const errors = fieldErrors(set.error);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    set.mutate(
      { poolId, key: key.trim(), value },
      {
        onSuccess: () => {
          setKey("");
          setValue("");
        },
      },
    );
  }

  return (
    <section className="card stack" aria-labelledby="ctx-title">
      <h2 id="ctx-title">Shared context</h2>
      {list.isPending && <Loading what="context" />}
      {list.isError && <ErrorBox title="Could not load the context" error={list.error} />}
      {list.data && list.data.length === 0 && <Empty>No shared context yet.</Empty>}
      {list.data && list.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.map((entry) => (
              <tr key={entry.key}>
                <td className="mono">{entry.key}</td>
                <td>{entry.value}</td>
                {canEdit && (
                  <td>
                    <button
                      type="button"
                      className="link"
                      onClick={() => {
                        setKey(entry.key);
                        setValue(entry.value);
                      }}
                    >
                      Edit {entry.key}
                    </button>{" "}
                    <button
                      type="button"
                      className="link"
                      onClick={() => del.mutate({ poolId, key: entry.key })}
                    >
                      Delete {entry.key}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEdit && (
        <form className="row" onSubmit={onSubmit} aria-label="Set a context entry">
          <label>
            Context key
            <input
              value={key}
              onChange={(e) => setKey(e.target.value)}
              required
              aria-invalid={!!errorFor(errors, "key")}
            />
            <FieldError id="ctx-key-error" message={errorFor(errors, "key")} />
          </label>
          <label>
            Context value
            <input value={value} onChange={(e) => setValue(e.target.value)} required />
            <FieldError id="ctx-value-error" message={errorFor(errors, "value") ?? errors[""]} />
          </label>
          <button type="submit" disabled={set.isPending}>
            Save context
          </button>
        </form>
      )}
    </section>
  );
}
