"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { use } from "react";
import { atLeast, useRoleIn } from "@/components/session";
import { ErrorBox, Loading } from "@/components/states";
import { useToasts } from "@/components/toasts";
import { connectionLabel } from "@/lib/connection";
import { duration, statusLabel, usd } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";

export default function ChainPage({ params }: { params: Promise<{ chainId: string }> }) {
  const { chainId } = use(params);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const key = trpc.chains.get.queryKey({ chainId });
  const chain = useQuery(trpc.chains.get.queryOptions({ chainId }));
  const sub = useSubscription(
    trpc.chains.onProgress.subscriptionOptions(
      { chainId },
      { onData: (ev) => queryClient.setQueryData(key, ev.data) },
    ),
  );
  // A chain's progress does not name its pool; the links that lead here do (?pool=).
  const poolId = useSearchParams().get("pool") ?? "";
  const pool = useQuery({ ...trpc.pools.get.queryOptions({ poolId }), enabled: !!poolId });
  const role = useRoleIn(pool.data?.teamId);
  const cancel = useMutation(
    trpc.chains.cancel.mutationOptions({
      onSuccess: () => toast("Chain cancel requested.", "info"),
      onError: (e) => toast(e.message, "error"),
    }),
  );

  if (chain.isPending) return <Loading what="the chain" />;
  if (chain.isError) return <ErrorBox title="Chain not available" error={chain.error} />;
  const c = chain.data;
  return (
    <>
      {poolId && (
        <p>
          <Link href={`/pools/${poolId}/chains`}>Back to the chains of {pool.data?.name ?? "the pool"}</Link>
        </p>
      )}
      <div className="spread">
        <h1>Chain</h1>
        <span className={`badge badge-${c.status}`} data-testid="chain-status">
          {statusLabel(c.status)}
        </span>
      </div>
      <p className="muted" role="status">
        {connectionLabel(sub.status)} · spent {usd(c.spendUsd)}
        {c.branch ? ` · branch ${c.branch}` : ""}
      </p>
      {c.status === "running" && atLeast(role, "member") && (
        <button
          type="button"
          className="danger"
          onClick={() => cancel.mutate({ chainId })}
          disabled={cancel.isPending}
        >
          Cancel chain
        </button>
      )}
      <ol className="stack" aria-label="Steps" style={{ paddingLeft: "1.2rem" }}>
        {c.steps.map((s, i) => (
          <li key={s.name} className="card" aria-label={`Step ${s.name}`}>
            <div className="spread">
              <h2>{s.name}</h2>
              <span className={`badge badge-${s.status}`} data-testid="step-status">
                {statusLabel(s.status)}
              </span>
            </div>
            <p className="muted">
              {s.attempts} attempts · {usd(s.spendUsd)} · {duration(s.durationMs)}
              {s.recovered ? " · recovered" : ""}
            </p>
            {s.taskIds.length > 0 && (
              <p>
                {s.taskIds.map((t, j) => (
                  <Link key={t} href={`/tasks/${t}`}>
                    Attempt {j + 1} task{" "}
                  </Link>
                ))}
              </p>
            )}
            {c.currentStep === i && c.partialOutput && (
              <>
                <h3>Output so far</h3>
                <pre className="stream">{c.partialOutput}</pre>
              </>
            )}
            {s.output && <p style={{ whiteSpace: "pre-wrap" }}>{s.output}</p>}
            {s.error && <p className="field-error">{s.error}</p>}
            {Object.keys(s.vars).length > 0 && <pre className="mono">{JSON.stringify(s.vars, null, 2)}</pre>}
          </li>
        ))}
      </ol>
      {c.finalOutput && (
        <section className="card">
          <h2>Final output</h2>
          <p style={{ whiteSpace: "pre-wrap" }}>{c.finalOutput}</p>
        </section>
      )}
      {c.error && <ErrorBox title="The chain failed" error={{ message: c.error }} />}
    </>
  );
}
