"use client";
import Link from "next/link";
import { use } from "react";
import { ChainBuilder } from "@/components/chains/chain-builder";
import { Workflows } from "@/components/chains/workflows";
import { PoolNav } from "@/components/pool/pool-nav";
import { usePool } from "@/components/pool/use-pool";
import { atLeast } from "@/components/session";
import { ErrorBox, Loading } from "@/components/states";
import { useWatched } from "@/components/watchers";

export default function PoolChainsPage({ params }: { params: Promise<{ poolId: string }> }) {
  const { poolId } = use(params);
  const { pool, role } = usePool(poolId);
  const watched = useWatched().filter((w) => w.kind === "chain");
  if (pool.isPending) return <Loading what="the pool" />;
  if (pool.isError) return <ErrorBox title="Pool not available" error={pool.error} />;
  const canSubmit = atLeast(role, "member");
  return (
    <>
      <h1>{pool.data.name}: chains</h1>
      <PoolNav poolId={poolId} name={pool.data.name} />
      {watched.length > 0 && (
        <section className="card">
          <h2>Chains you started here</h2>
          <ul>
            {watched.map((w) => (
              <li key={w.id}>
                <Link href={`/chains/${w.id}?pool=${poolId}`}>{w.label || w.id}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {canSubmit && <ChainBuilder poolId={poolId} />}
      <Workflows poolId={poolId} canRun={canSubmit} />
    </>
  );
}
