"use client";
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useMemo, useState } from "react";
import type { ChartPoint } from "@/components/reports/spend-chart";
import { useSession } from "@/components/session";
import { Empty, ErrorBox, Loading } from "@/components/states";
import { tokens, usd } from "@/lib/format";
import { type RouterInputs, useTRPC } from "@/lib/trpc";

// recharts renders on the client only and is big: load it with this page, never with the others.
const SpendChart = dynamic(() => import("@/components/reports/spend-chart"), {
  ssr: false,
  loading: () => <Loading what="the chart" />,
});

type SpendInput = RouterInputs["reports"]["spend"];
const GROUPS = ["model", "user", "pool", "skill", "tag", "slot"] as const;
const BUCKETS = ["day", "week", "month"] as const;

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export default function ReportsPage() {
  const { team } = useSession();
  const trpc = useTRPC();
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 29 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [bucket, setBucket] = useState<(typeof BUCKETS)[number]>("day");
  const [groupBy, setGroupBy] = useState<(typeof GROUPS)[number]>("model");
  const input: SpendInput = {
    teamId: team?.id ?? "",
    from,
    // The form's range includes the "to" day; the API's `to` is the first day not included.
    to: isoDay(new Date(new Date(`${to}T00:00:00.000Z`).getTime() + 86_400_000)),
    bucket,
    groupBy,
  };
  const report = useQuery({ ...trpc.reports.spend.queryOptions(input), enabled: !!team });
  const rows = report.data ?? [];
  // Pools and users are reported by id: show their names.
  const pools = useQuery({
    ...trpc.pools.list.queryOptions({ teamId: team?.id ?? "" }),
    enabled: !!team && groupBy === "pool",
  });
  const members = useQuery({
    ...trpc.teams.members.queryOptions({ teamId: team?.id ?? "" }),
    enabled: !!team && groupBy === "user",
  });
  const labelOf = useMemo(() => {
    const names = new Map<string, string>();
    for (const p of pools.data ?? []) names.set(p.id, p.name);
    for (const m of members.data ?? []) names.set(m.userId, m.name || m.email);
    return (key: string | null) => (key === null ? "(none)" : (names.get(key) ?? key));
  }, [pools.data, members.data]);

  const { spendData, tokenData, series } = useMemo(() => {
    const names = [...new Set(rows.map((r) => labelOf(r.key)))];
    const byBucket = new Map<string, { spend: ChartPoint; tokens: ChartPoint }>();
    for (const r of rows) {
      const b = r.period.slice(0, 10);
      const entry = byBucket.get(b) ?? { spend: { bucket: b }, tokens: { bucket: b } };
      const name = labelOf(r.key);
      entry.spend[name] = Number(entry.spend[name] ?? 0) + r.spendUsd;
      entry.tokens[name] = Number(entry.tokens[name] ?? 0) + r.tokens.input + r.tokens.output;
      byBucket.set(b, entry);
    }
    const sorted = [...byBucket.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
    return { spendData: sorted.map((v) => v.spend), tokenData: sorted.map((v) => v.tokens), series: names };
  }, [rows, labelOf]);

  if (!team) return <Empty>Join or create a team to see its spend.</Empty>;
  const total = rows.reduce((s, r) => s + r.spendUsd, 0);
  const csvHref = `/reports/spend.csv?${new URLSearchParams({
    teamId: team.id,
    from: input.from,
    to: input.to,
    bucket,
    groupBy,
  })}`;

  return (
    <>
      <h1>Spend reports</h1>
      <form className="card row" aria-label="Report range" onSubmit={(e) => e.preventDefault()}>
        <label>
          From
          <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Bucket
          <select value={bucket} onChange={(e) => setBucket(e.target.value as (typeof BUCKETS)[number])}>
            {BUCKETS.map((b) => (
              <option key={b}>{b}</option>
            ))}
          </select>
        </label>
        <label>
          Group by
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as (typeof GROUPS)[number])}>
            {GROUPS.map((g) => (
              <option key={g}>{g}</option>
            ))}
          </select>
        </label>
        <a className="button secondary" href={csvHref} download="spend.csv">
          Download CSV
        </a>
      </form>
      {report.isPending && <Loading what="the report" />}
      {report.isError && (
        <ErrorBox
          title="Could not load the report"
          error={report.error}
          retry={() => void report.refetch()}
        />
      )}
      {report.data && rows.length === 0 && <Empty>No spend in this range.</Empty>}
      {rows.length > 0 && (
        <>
          <p>
            Total in range: <strong data-testid="report-total">{usd(total)}</strong>
          </p>
          <section className="card" aria-labelledby="chart-spend">
            <h2 id="chart-spend">Spend by {groupBy}</h2>
            <SpendChart data={spendData} series={series} unit="usd" />
          </section>
          <section className="card" aria-labelledby="chart-tokens">
            <h2 id="chart-tokens">Tokens by {groupBy}</h2>
            <SpendChart data={tokenData} series={series} unit="tokens" />
          </section>
          <section className="card table-wrap" aria-labelledby="table-title">
            <h2 id="table-title">Table</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">{bucket}</th>
                  <th scope="col">{groupBy}</th>
                  <th scope="col">Spend</th>
                  <th scope="col">Input tokens</th>
                  <th scope="col">Output tokens</th>
                  <th scope="col">Tasks</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.period}-${r.key}`}>
                    <td>{r.period.slice(0, 10)}</td>
                    <td>{labelOf(r.key)}</td>
                    <td>{usd(r.spendUsd)}</td>
                    <td>{tokens(r.tokens.input)}</td>
                    <td>{tokens(r.tokens.output)}</td>
                    <td>{r.tasks}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}
