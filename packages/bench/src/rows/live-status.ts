/**
 * Row 7: live status. 200 tRPC clients (each its own SSE connections, as 200 dashboards or CLIs
 * would hold) subscribe to `pools.onStatus` and to `tasks.onEvents` of one of 8 tasks streaming on
 * a real engine (the built binary, on Postgres). Latency is from the moment the database stored a
 * thing to its arrival at a client: an output line's stored `at`; for a status snapshot, the stored
 * `started_at` of a task whose slot it first shows busy with it.
 */
import { createPoolClient, type PoolClient } from "@claude-pool/api";
import { simDirective } from "@claude-pool/claude-sim";
import { createOwner, rssMb, startEngine } from "../engine.js";
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
      ? { clients: 200, waves: 3, toolTurns: 12, delayMs: 150 }
      : { clients: 4, waves: 1, toolTurns: 2, delayMs: 50 };
  const scratch = await scratchDatabase(ctx.postgresUrl, "live");
  const { token, teamId } = createOwner(["--database-url", scratch.url]);
  const engine = await startEngine(["--database-url", scratch.url]);
  const unsubscribes: Array<() => void> = [];
  try {
    const admin = createPoolClient({ url: engine.url, token });
    const { poolId } = await admin.pools.create.mutate({ teamId, name: "live", slots: SLOTS, config: {} });
    const clients = Array.from({ length: sizes.clients }, () => createPoolClient({ url: engine.url, token }));

    // Every client follows the pool's status for the whole run: when each task first shows on a slot.
    const firstSeen = clients.map(() => new Map<string, number>());
    await Promise.all(
      clients.map(
        (client, i) =>
          new Promise<void>((resolve, reject) => {
            const sub = client.pools.onStatus.subscribe(
              { poolId },
              {
                onStarted: () => resolve(),
                onData: ({ data }) => {
                  const now = Date.now();
                  for (const slot of data.slots)
                    if (slot.currentTaskId && !firstSeen[i]?.has(slot.currentTaskId))
                      firstSeen[i]?.set(slot.currentTaskId, now);
                },
                onError: reject,
              },
            );
            unsubscribes.push(() => sub.unsubscribe());
          }),
      ),
    );

    const eventLatencies: number[] = [];
    const rss: number[] = [];
    const taskIds: string[] = [];
    let events = 0;
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
      // Client i follows task i mod 8 from its start; only lines stored after its stream was live
      // count (the replay of earlier lines is a catch-up, not live latency).
      await Promise.all(
        clients.map((client, i) =>
          followTask(client, ids[i % SLOTS] as string, (stored, arrived) => {
            events++;
            eventLatencies.push(arrived - stored);
          }),
        ),
      );
      clearInterval(sampler);
    }

    const startedAt = new Map<string, number>();
    for (const taskId of taskIds) {
      const task = await admin.tasks.get.query({ taskId });
      if (task.startedAt) startedAt.set(taskId, Date.parse(task.startedAt));
    }
    const statusLatencies: number[] = [];
    for (const seen of firstSeen)
      for (const [taskId, arrived] of seen) {
        const started = startedAt.get(taskId);
        if (started !== undefined) statusLatencies.push(arrived - started);
      }
    if (eventLatencies.length === 0 || statusLatencies.length === 0)
      throw new Error("live status: no live event or status arrived");
    const ev = { p50: percentile(eventLatencies, 50), p99: percentile(eventLatencies, 99) };
    const st = { p50: percentile(statusLatencies, 50), p99: percentile(statusLatencies, 99) };
    const mem = spread(rss.length > 0 ? rss : [rssMb(engine.child.pid as number)]);
    ctx.log(
      `live status: events p50 ${ev.p50} p99 ${ev.p99} ms (${events}); status p50 ${st.p50} p99 ${st.p99} ms (${statusLatencies.length}); RSS ${mem.median.toFixed(0)} MB`,
    );
    return [
      {
        id: 7,
        what: `live status: ${sizes.clients} tRPC SSE clients on pools.onStatus + tasks.onEvents, ${SLOTS} slots streaming (${sizes.waves} × ${SLOTS} tasks, ${sizes.toolTurns} tool turns each), Postgres`,
        figure: `output line stored→client p50 ${ev.p50.toFixed(0)} ms, p99 ${ev.p99.toFixed(0)} ms (${events} deliveries); status (task started→shown) p50 ${st.p50.toFixed(0)} ms, p99 ${st.p99.toFixed(0)} ms (${statusLatencies.length}); engine RSS ${formatSpread(mem, 0, " MB")}`,
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
  onLine: (storedMs: number, arrivedMs: number) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let liveSince = Number.POSITIVE_INFINITY;
    const sub = client.tasks.onEvents.subscribe(
      { taskId },
      {
        onStarted: () => {
          liveSince = Date.now();
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
