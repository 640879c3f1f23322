import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, expect, it, onTestFinished } from "vitest";
import { eventually, removeTempDirs } from "../helpers/engine-process.js";
import { type FaultEngine, startFaultEngine } from "./fault-engine.js";
import { endedNormally, followToEnd, type RawSubscriber, rssOf, seqsOf, subscribeRaw } from "./raw-sse.js";

/**
 * Fault 5: stuck subscribers. Ten clients subscribe to a task's events and never read their
 * socket: two while the task streams ~8 MB of output (15 000 events) through claude-sim, eight
 * once it has ended (a replay of the stored stream from the start). The engine
 * must not hold the stream for them: its RSS grows by a bounded amount (not by the stream's size
 * per stuck reader), each stalled connection is closed after CLAUDE_POOL_SSE_STALL_MS without a
 * drain, and a reconnect with the last event id it got receives exactly the rest.
 */

const STUCK = 10;
/** Of the ten, these subscribe while the task streams; the rest replay it once it ended. */
const LIVE_STUCK = 2;
const TOOL_TURNS = 5000;
const STALL_MS = 1500;
/**
 * Generous, and still below the old behaviour: one run grew by +99 MB; before paging, each replay
 * held the whole stream (one PGlite query, then an array of every event) and the same run grew by
 * +240 MB.
 */
const RSS_GROWTH_BOUND = 160 * 1024 * 1024;

let fault: FaultEngine;

beforeAll(async () => {
  // The embedded PGlite (no DATABASE_URL, the default deployment): a query's whole result passes
  // through its WebAssembly memory, which grows and never shrinks, so a replay must be paged.
  fault = await startFaultEngine({
    slots: 1,
    env: { CLAUDE_POOL_SSE_STALL_MS: String(STALL_MS) },
  });
});

afterAll(async () => {
  await fault?.engine.stop("SIGKILL");
  removeTempDirs();
});

it("stuck subscribers: bounded engine memory, stalled streams cut, a resume gets exactly the rest", async () => {
  const pid = fault.engine.child.pid ?? 0;
  const { url, token } = fault;
  // A small task first, so the baseline counts a warmed-up engine (pools, connections, JIT).
  const warm = await fault.client.tasks.submit.mutate({ poolId: fault.poolId, prompt: "warm up" });
  await fault.client.tasks.result.query({ taskId: warm.taskId, wait: true });
  const baseline = await rssOf(pid);

  const { taskId } = await fault.client.tasks.submit.mutate({
    poolId: fault.poolId,
    prompt: `stream a lot ${simDirective({ toolTurns: TOOL_TURNS, delayMs: 0 })}`,
  });
  const stuck: RawSubscriber[] = Array.from({ length: LIVE_STUCK }, () =>
    subscribeRaw({ url, token, taskId, stuck: true }),
  );
  await Promise.all(stuck.map((s) => s.answered));
  // One reader that keeps up: the whole stream, to compare the resumed ones against.
  const reader = followToEnd({ url, token, taskId });
  let peak = baseline;
  const sampler = setInterval(() => {
    void rssOf(pid).then(
      (rss) => {
        peak = Math.max(peak, rss);
      },
      () => {},
    );
  }, 100);
  onTestFinished(() => clearInterval(sampler));
  const full = (await reader).seqs;
  const task = await fault.client.tasks.get.query({ taskId });
  expect(task.status).toBe("completed");
  // Replays of the stored stream, one after another, none of them read.
  for (let i = LIVE_STUCK; i < STUCK; i++) {
    const late = subscribeRaw({ url, token, taskId, stuck: true });
    await late.answered;
    stuck.push(late);
  }
  // Every stuck connection was cut by the engine (it logs each), while the clients still read nothing.
  const cuts = await eventually(
    () => fault.engine.stderr().match(/closed a stalled response/g)?.length ?? 0,
    (n) => n >= STUCK,
    60_000,
  );
  clearInterval(sampler);
  peak = Math.max(peak, await rssOf(pid));
  const growth = peak - baseline;
  console.log(
    `stuck subscribers: ${STUCK} readers, ${full.length} events; engine RSS ${mb(baseline)} → peak ${mb(peak)} (+${mb(growth)}); stalled cuts ${cuts}`,
  );
  expect(full).toEqual(Array.from({ length: full.length }, (_, i) => i + 1));
  expect(full.length).toBeGreaterThan(3 * TOOL_TURNS);
  expect(cuts).toBeGreaterThanOrEqual(STUCK);
  expect(growth).toBeLessThan(RSS_GROWTH_BOUND);

  for (const s of stuck) {
    // What the socket had buffered, then the engine's close: part of the stream, not its end.
    const first = await s.readToEnd();
    expect(endedNormally(first)).toBe(false);
    const got = seqsOf(first);
    expect(got.length).toBeLessThan(full.length);
    const lastEventId = got.length > 0 ? String(got.at(-1)) : undefined;
    // Resumed as an EventSource would (and again if a busy test process looked stalled).
    const rest = await followToEnd({ url, token, taskId, ...(lastEventId ? { lastEventId } : {}) });
    expect([...got, ...rest.seqs]).toEqual(full);
  }
}, 300_000);

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
