/**
 * Row 7: live status. 200 tRPC clients (each its own SSE connections, as 200 dashboards or CLIs
 * would hold) subscribe to `pools.onStatus` and to `tasks.onEvents` of one of 8 tasks streaming on
 * a real engine (the built binary, on Postgres). Latency is from the moment the database stored a
 * thing to its arrival at a client: an output line's stored `at`; for a status snapshot, the stored
 * `finished_at` of a task it first shows on no slot.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createPoolClient, type PoolClient } from "@claude-pool/api";
import { simDirective } from "@claude-pool/claude-sim";
import postgres from "postgres";
import { cpuMs, createOwner, rssMb, startEngine } from "../engine.js";
import { scratchDatabase } from "../postgres.js";
import type { Benchmark } from "../row.js";
import { formatSpread, percentile, spread } from "../stats.js";

interface Sizes {
  clients: number;
  waves: number;
  toolTurns: number;
  delayMs: number;
}

const SLOTS = 8;

export const liveStatusBenchmark: Benchmark = async (ctx) => {
  const sizes: Sizes =
    ctx.size === "full"
      ? { clients: 200, waves: 3, toolTurns: 16, delayMs: 200 }
      : { clients: 4, waves: 1, toolTurns: 4, delayMs: 150 };
  const scratch = await scratchDatabase(ctx.postgresUrl, "live");
  const { token, teamId } = createOwner(["--database-url", scratch.url]);
  // CLAUDE_POOL_BENCH_CPU_PROF=<dir>: the engine writes a V8 CPU profile there when it stops.
  const profDir = process.env.CLAUDE_POOL_BENCH_CPU_PROF;
  const engine = await startEngine(
    ["--database-url", scratch.url],
    {},
    profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [],
  );
  // The clients' own event loop: a late arrival here is the bench's delay, not the engine's.
  const clientLag = monitorEventLoopDelay({ resolution: 10 });
  clientLag.enable();
  const unsubscribes: Array<() => void> = [];
  try {
    const admin = createPoolClient({ url: engine.url, token });
    const { poolId } = await admin.pools.create.mutate({ teamId, name: "live", slots: SLOTS, config: {} });
    const clients = Array.from({ length: sizes.clients }, () => createPoolClient({ url: engine.url, token }));

    // Every client follows the pool's status for the whole run: when each task stops showing on a
    // slot (its end; a start coincides with the wave's 200 new streams connecting, see below).
    const gone = clients.map(() => new Map<string, number>());
    await Promise.all(
      clients.map(
        (client, i) =>
          new Promise<void>((resolve, reject) => {
            let shown = new Set<string>();
            const sub = client.pools.onStatus.subscribe(
              { poolId },
              {
                onStarted: () => resolve(),
                onData: ({ data }) => {
                  const now = Date.now();
                  const current = new Set(data.slots.flatMap((slot) => slot.currentTaskId ?? []));
                  for (const taskId of shown) if (!current.has(taskId)) gone[i]?.set(taskId, now);
                  shown = current;
                },
                onError: reject,
              },
            );
            unsubscribes.push(() => sub.unsubscribe());
          }),
      ),
    );
    const xactsBefore = await transactions(ctx.postgresUrl, scratch.url);
    const enginePid = engine.child.pid as number;
    // Engine CPU while every stream of a wave is live (connecting is timed apart), per delivery.
    let liveCpuMs = 0;
    const eventLatencies: number[] = [];
    const rss: number[] = [];
    const taskIds: string[] = [];
    let events = 0;
    const connects: number[] = [];
    const waveP99s: number[] = [];
    for (let wave = 0; wave < sizes.waves; wave++) {
      const ids = await Promise.all(
        Array.from({ length: SLOTS }, (_, i) =>
          admin.tasks.submit
            .mutate({
              poolId,
              prompt: `stream ${wave}.${i} ${simDirective({ delayMs: sizes.delayMs, toolTurns: sizes.toolTurns, outputBytes: 1000 })}`,
            })
            .then((r) => r.taskId),
        ),
      );
      taskIds.push(...ids);
      const sampler = setInterval(() => rss.push(rssMb(engine.child.pid as number)), 250);
      // Client i follows task i mod 8 from its start. Only lines stored once all of the wave's
      // streams are live count: the replay of earlier lines is a catch-up, and 200 streams
      // connecting at once (auth, task and pool reads) is a burst, not live latency; it is timed apart.
      let live = 0;
      let allLive = Number.POSITIVE_INFINITY;
      let liveCpuFrom = Number.NaN;
      const connectStart = Date.now();
      const lines: Array<[number, number]> = [];
      await Promise.all(
        clients.map((client, i) =>
          followTask(
            client,
            ids[i % SLOTS] as string,
            () => {
              if (++live === clients.length) {
                allLive = Date.now();
                liveCpuFrom = cpuMs(enginePid);
                connects.push(allLive - connectStart);
              }
            },
            (stored, arrived) => lines.push([stored, arrived]),
          ),
        ),
      );
      // The next wave's 200 streams connect only once every client has seen this wave's tasks
      // leave the board (or 5 s passed): that burst is timed apart, as above, not inside the
      // status latency of the tasks that ended just before it.
      const shownGone = () => gone.every((seen) => ids.every((id) => seen.has(id)));
      for (const until = Date.now() + 5000; !shownGone() && Date.now() < until; )
        await new Promise((r) => setTimeout(r, 20));
      if (!Number.isNaN(liveCpuFrom)) liveCpuMs += cpuMs(enginePid) - liveCpuFrom;
      const wavePart: number[] = [];
      for (const [stored, arrived] of lines)
        if (stored > allLive) {
          events++;
          eventLatencies.push(arrived - stored);
          wavePart.push(arrived - stored);
        }
      if (wavePart.length > 0) waveP99s.push(percentile(wavePart, 99));
      clearInterval(sampler);
    }

    const xacts = (await transactions(ctx.postgresUrl, scratch.url)) - xactsBefore;
    const cpuPerDelivery = liveCpuMs / Math.max(1, events);
    const finishedAt = new Map<string, number>();
    for (const taskId of taskIds) {
      const task = await admin.tasks.get.query({ taskId });
      if (task.finishedAt) finishedAt.set(taskId, Date.parse(task.finishedAt));
    }
    const statusLatencies: number[] = [];
    for (const seen of gone)
      for (const [taskId, arrived] of seen) {
        const finished = finishedAt.get(taskId);
        if (finished !== undefined) statusLatencies.push(arrived - finished);
      }
    if (eventLatencies.length === 0 || statusLatencies.length === 0)
      throw new Error("live status: no live event or status arrived");
    const ev = { p50: percentile(eventLatencies, 50), p99: percentile(eventLatencies, 99) };
    const st = { p50: percentile(statusLatencies, 50), p99: percentile(statusLatencies, 99) };
    clientLag.disable();
    const lag = { p50: clientLag.percentile(50) / 1e6, p99: clientLag.percentile(99) / 1e6 };
    const connect = spread(connects);
    const mem = spread(rss.length > 0 ? rss : [rssMb(engine.child.pid as number)]);
    ctx.log(
      `live status: events p50 ${ev.p50} p99 ${ev.p99} ms (${events}); status p50 ${st.p50} p99 ${st.p99} ms (${statusLatencies.length}); connect ${connect.median} ms; ${xacts} transactions; RSS ${mem.median.toFixed(0)} MB; engine CPU ${cpuPerDelivery.toFixed(2)} ms per delivery; client event-loop delay p50 ${lag.p50.toFixed(0)} p99 ${lag.p99.toFixed(0)} ms`,
    );
    return [
      {
        id: 7,
        what: `live status: ${sizes.clients} tRPC SSE clients on pools.onStatus + tasks.onEvents, ${SLOTS} slots streaming (${sizes.waves} × ${SLOTS} tasks, ${sizes.toolTurns} tool turns each), Postgres`,
        figure: `output line stored→client p50 ${ev.p50.toFixed(0)} ms, p99 ${ev.p99.toFixed(0)} ms (${events} deliveries; p99 per wave ${formatSpread(spread(waveP99s), 0, " ms")}); status (task ended→shown) p50 ${st.p50.toFixed(0)} ms, p99 ${st.p99.toFixed(0)} ms (${statusLatencies.length}); engine RSS ${formatSpread(mem, 0, " MB")}; ${sizes.clients} streams connecting at once: ${formatSpread(connect, 0, " ms")}; ${xacts} database transactions in the run; engine CPU ${cpuPerDelivery.toFixed(2)} ms per live delivery (all its work while every stream is live ÷ deliveries); the clients' event-loop delay p99 ${lag.p99.toFixed(0)} ms`,
        target: "p99 < 50 ms; engine RSS reported",
        met: ev.p99 < 50 && st.p99 < 50,
        note: "percentiles over every delivery of the run; RSS sampled every 250 ms while streaming; the clients share one Node process on the same 2 cores",
      },
    ];
  } finally {
    for (const u of unsubscribes) u();
    await engine.stop();
    await scratch.drop();
  }
};

/** Follows one task's output until its stream ends, reporting each live line's stored and arrival time. */
function followTask(
  client: PoolClient,
  taskId: string,
  onLive: () => void,
  onLine: (storedMs: number, arrivedMs: number) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let liveSince = Number.POSITIVE_INFINITY;
    const sub = client.tasks.onEvents.subscribe(
      { taskId },
      {
        onStarted: () => {
          liveSince = Date.now();
          onLive();
        },
        onData: ({ data }) => {
          const arrived = Date.now();
          const stored = Date.parse(data.at);
          if (stored > liveSince) onLine(stored, arrived);
        },
        onComplete: () => resolve(),
        onError: (err) => {
          sub.unsubscribe();
          reject(err);
        },
      },
    );
  });
}

/** Committed transactions on the scratch database so far (pg_stat_database). */
async function transactions(adminUrl: string, url: string): Promise<number> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const name = new URL(url).pathname.slice(1);
    const [row] = await sql<Array<{ n: string }>>`
      select xact_commit::text as n from pg_stat_database where datname = ${name}`;
    return Number(row?.n ?? 0);
  } finally {
    await sql.end();
  }
}
