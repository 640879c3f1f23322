// Store dispatch cost per task on Postgres (and the in-memory store for scale): what one engine's
// claim → reserve → events → settle costs, with 8 slots working at once. Run from the repo root:
//   node --import tsx packages/db/bench/store.bench.ts   (needs Postgres at CLAUDE_POOL_TEST_PG_URL)
import { InMemoryStore, type Store } from "@claude-pool/core";
import { newTestTask } from "@claude-pool/core/testing";
import { createDb, PgStore } from "../src/index.js";
import { createScratchPostgres } from "../test/helpers/databases.js";

const TASKS = Number(process.env.BENCH_TASKS ?? 400);
const SLOTS = 8;
const POOL = "bench";

async function dispatch(store: Store): Promise<number> {
  await store.ensurePool({ id: POOL, name: POOL, config: {}, budgetCapMicros: 1_000_000_000 });
  for (let i = 0; i < TASKS; i++) await store.insertTask(newTestTask(POOL));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SLOTS }, async (_, slot) => {
      for (;;) {
        const task = await store.claimNextTask({
          poolId: POOL,
          engineId: "bench",
          slotId: `slot-${slot}`,
          slotRole: null,
          leaseMs: 60_000,
        });
        if (!task) return;
        await store.getBudget(POOL);
        await store.reserveBudget({ poolId: POOL, taskId: task.id, desiredMicros: 10_000, minimumMicros: 1 });
        await store.appendTaskEvents(task.id, [
          { kind: "system", payload: { type: "system", subtype: "init", session_id: "s" } },
          {
            kind: "assistant",
            payload: { type: "assistant", message: { content: [{ type: "text", text: "hi" }] } },
          },
          {
            kind: "result",
            payload: { type: "result", subtype: "success", is_error: false, total_cost_usd: 0.001 },
          },
        ]);
        await store.finishTask(task.id, {
          engineId: "bench",
          status: "completed",
          result: null,
          error: null,
          spendMicros: 1_000,
          tokens: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 },
          model: "m",
          turns: 1,
          claudeSessionId: "s",
        });
      }
    }),
  );
  return TASKS / ((performance.now() - started) / 1000);
}

const memory = new InMemoryStore();
const memoryRate = await dispatch(memory);
const scratch = await createScratchPostgres("bench");
const database = await createDb({ url: scratch.url });
const pg = await PgStore.open(database);
const pgRate = await dispatch(pg);
await pg.close();
await database.close();
await scratch.drop();
console.log(
  `| store dispatch, ${SLOTS} slots, ${TASKS} tasks (claim, reserve, 3 events, settle) | in-memory ${memoryRate.toFixed(0)} tasks/s | Postgres ${pgRate.toFixed(0)} tasks/s |`,
);
