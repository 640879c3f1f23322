"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fieldErrors } from "@/lib/errors";
import { useTRPC } from "@/lib/trpc";
import { ArgumentsForm } from "../arguments-form";
import { Empty, ErrorBox, Loading } from "../states";
import { watch } from "../watchers";

export function Workflows({ poolId, canRun }: { poolId: string; canRun: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const list = useQuery(trpc.chains.workflows.queryOptions({ poolId }));
  const [selected, setSelected] = useState("");
  const run = useMutation(
    trpc.chains.runWorkflow.mutationOptions({
      onSuccess: ({ chainId }) => {
        watch("chain", chainId, `workflow ${selected}`, poolId);
        router.push(`/chains/${chainId}?pool=${poolId}`);
      },
    }),
  );
  const wf = list.data?.find((w) => w.name === selected);
  return (
    <section className="card stack" aria-labelledby="wf-title">
      <h2 id="wf-title">Workflows</h2>
      {list.isPending && <Loading what="workflows" />}
      {list.isError && <ErrorBox title="Could not load the workflows" error={list.error} />}
      {list.data && list.data.length === 0 && <Empty>No workflows registered.</Empty>}
      {list.data && list.data.length > 0 && (
        <>
          <ul>
            {list.data.map((w) => (
              <li key={w.name}>
                <strong>{w.name}</strong> — {w.description}
              </li>
            ))}
          </ul>
          {canRun && (
            <>
              <label>
                Workflow to start
                <select value={selected} onChange={(e) => setSelected(e.target.value)}>
                  <option value="">choose a workflow</option>
                  {list.data.map((w) => (
                    <option key={w.name} value={w.name}>
                      {w.name}
                    </option>
                  ))}
                </select>
              </label>
              {wf && (
                <ArgumentsForm
                  key={wf.name}
                  idPrefix={`wf-${wf.name}`}
                  title={`Arguments of ${wf.name}`}
                  args={wf.arguments}
                  errors={fieldErrors(run.error)}
                  busy={run.isPending}
                  submitLabel={`Start ${wf.name}`}
                  onSubmit={(values) => run.mutate({ poolId, name: wf.name, arguments: values })}
                />
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}
