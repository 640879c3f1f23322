"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { CreatePoolForm } from "@/components/create-pool-form";
import { CreateTeamForm } from "@/components/create-team-form";
import { BypassBadge } from "@/components/pool/bypass-badge";
import { atLeast, useSession } from "@/components/session";
import { Empty, ErrorBox, Gauge, Loading } from "@/components/states";
import { parkedLabel, usd } from "@/lib/format";
import { useLivePoolStatus } from "@/lib/live";
import { useTRPC } from "@/lib/trpc";

/** Pools beyond this many show a snapshot with a refresh button (see useLivePoolStatus). */
const LIVE_CARDS = 3;

function PoolCard({
  pool,
  teamId,
  live,
}: {
  pool: { id: string; name: string; config: Record<string, unknown> };
  teamId: string;
  live: boolean;
}) {
  const trpc = useTRPC();
  const { status } = useLivePoolStatus(pool.id, live);
  const parked = useQuery(trpc.tasks.list.queryOptions({ poolId: pool.id, status: "waiting_for_quota" }));
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const todaySpend = useQuery(
    trpc.reports.spend.queryOptions({
      teamId,
      from: today.toISOString().slice(0, 10),
      to: new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10),
      bucket: "day",
      groupBy: "pool",
    }),
  );
  const s = status.data;
  const busy = s?.slots.filter((x) => x.state === "busy").length ?? 0;
  const idle = s?.slots.filter((x) => x.state === "idle").length ?? 0;
  const todayUsd = (todaySpend.data ?? [])
    .filter((r) => r.key === pool.id)
    .reduce((sum, r) => sum + r.spendUsd, 0);
  const parkedTasks = parked.data?.items ?? [];
  return (
    <article className="card" aria-labelledby={`pool-${pool.id}`}>
      <h2 id={`pool-${pool.id}`}>
        <Link href={`/pools/${pool.id}`}>{pool.name}</Link>
      </h2>
      <BypassBadge config={pool.config} />
      {status.isPending && <Loading what="status" />}
      {status.isError && <ErrorBox title="Status unavailable" error={status.error} />}
      {s && (
        <div className="stack">
          <p>
            <span className="badge badge-busy">{busy} busy</span>{" "}
            <span className="badge badge-idle">{idle} idle</span>{" "}
            <span className="badge">{s.pendingTasks} queued</span>
          </p>
          <Gauge
            label={`Spend ${usd(s.spendUsd)} of ${s.budgetUsd ? usd(s.budgetUsd) : "no cap"}`}
            value={s.spendUsd}
            max={s.budgetUsd}
          />
          <p className="muted">Today: {usd(todayUsd)}</p>
          {!live && (
            <button type="button" className="secondary" onClick={() => void status.refetch()}>
              Refresh {pool.name}
            </button>
          )}
          {parkedTasks.length > 0 && (
            <div>
              <h3>Parked by usage limits</h3>
              <ul>
                {parkedTasks.map((t) => (
                  <li key={t.id}>
                    <Link href={`/tasks/${t.id}`}>{t.prompt.slice(0, 60)}</Link> —{" "}
                    <span data-testid="parked-until">{parkedLabel(t.runAfter)}</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </article>
  );
}

export default function PoolsPage() {
  const { team } = useSession();
  const trpc = useTRPC();
  const pools = useQuery({ ...trpc.pools.list.queryOptions({ teamId: team?.id ?? "" }), enabled: !!team });

  if (!team) {
    return (
      <>
        <h1>Create your first team</h1>
        <p className="muted">A team owns pools, budgets, members and API tokens.</p>
        <CreateTeamForm />
      </>
    );
  }
  return (
    <>
      <div className="spread">
        <h1>Pools of {team.name}</h1>
      </div>
      {pools.isPending && <Loading what="pools" />}
      {pools.isError && (
        <ErrorBox title="Could not load the pools" error={pools.error} retry={() => void pools.refetch()} />
      )}
      {pools.data && pools.data.length === 0 && (
        <Empty>
          No pools yet.{" "}
          {atLeast(team.role, "admin") ? "Create one below." : "Ask an admin of the team to create one."}
        </Empty>
      )}
      {pools.data && pools.data.length > 0 && (
        <div className="grid">
          {pools.data.map((p, i) => (
            <PoolCard key={p.id} pool={p} teamId={team.id} live={i < LIVE_CARDS} />
          ))}
        </div>
      )}
      {atLeast(team.role, "admin") && <CreatePoolForm teamId={team.id} />}
    </>
  );
}
