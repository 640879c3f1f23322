import { createPoolClient } from "@claude-pool/api";

/**
 * A bounded load generator on loopback: N real tRPC clients (`createPoolClient`, HTTP + SSE), each
 * submitting a task, following its events over `tasks.onEvents` to the end, then submitting the
 * next, until its task count or the time is up. A subscription that errors (the engine died, the
 * answer was a 503 while it restarts, the server closed a stalled stream) is resumed by the client
 * with `lastEventId` = the last seq it got, as a user's client would. Everything a fault test checks
 * afterwards is recorded: the seqs each task's subscriber received, submit failures, every HTTP
 * status the clients saw.
 */

export interface LoadOptions {
  /** The engine's URL; a function so a test can point clients at a restarted engine. */
  url: string | (() => string);
  token: string;
  poolId: string;
  clients: number;
  /** Clients stop submitting after this long (they still follow what they submitted). */
  durationMs: number;
  maxTasksPerClient: number;
  prompt: (client: number, i: number) => string;
  /** Following stops (the task counts as not ended) this long after the submit window closed. */
  drainMs?: number;
}

export interface TaskTrace {
  taskId: string;
  client: number;
  /** Every event seq the subscriber received, in arrival order (duplicates kept, to be caught). */
  seqs: number[];
  /** Subscriptions the client opened for this task (1 + resumes after an error). */
  subscriptions: number;
  /** SSE connections made for this task (the EventSource also reconnects by itself, with Last-Event-ID). */
  connections: number;
  /** The stream ended by itself (the server's "return" after the task ended). */
  ended: boolean;
}

export interface LoadResult {
  traces: TaskTrace[];
  /** Submits whose answer never came (network error): the task may or may not exist. */
  submitErrors: string[];
  /** Submits the engine refused with an answer (status ≥ 400), by message. */
  submitRefusals: string[];
  /** HTTP statuses every client request got, e.g. {"200": 812, "503": 3}. */
  statuses: Record<string, number>;
  /** Requests that got no answer at all (connection refused or reset). */
  networkErrors: number;
}

export interface RunningLoad {
  /** Resolves once every client stopped and every followed task's stream ended (or drainMs passed). */
  done: Promise<LoadResult>;
  /** Tasks submitted so far (acknowledged with an id). */
  submitted(): number;
  /** Events received so far, over all tasks. */
  events(): number;
}

export function startLoad(opts: LoadOptions): RunningLoad {
  const urlOf = typeof opts.url === "string" ? () => opts.url as string : opts.url;
  const result: LoadResult = {
    traces: [],
    submitErrors: [],
    submitRefusals: [],
    statuses: {},
    networkErrors: 0,
  };
  let events = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    try {
      const res = await fetch(input, init);
      result.statuses[res.status] = (result.statuses[res.status] ?? 0) + 1;
      return res;
    } catch (error) {
      result.networkErrors++;
      throw error;
    }
  };
  const connections = new Map<string, number>();
  // The URL is read per request, so a restarted engine on another port would be followed too.
  const routedFetch: typeof fetch = (input, init) => {
    const raw = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const target = new URL(raw);
    if (target.pathname.endsWith("/tasks.onEvents")) {
      const taskId =
        (JSON.parse(target.searchParams.get("input") ?? "{}") as { taskId?: string }).taskId ?? "";
      connections.set(taskId, (connections.get(taskId) ?? 0) + 1);
    }
    const now = new URL(urlOf());
    target.host = now.host;
    return countingFetch(target.href, init);
  };
  const client = createPoolClient({ url: urlOf(), token: opts.token, fetch: routedFetch });
  const submitUntil = Date.now() + opts.durationMs;
  const followUntil = submitUntil + (opts.drainMs ?? 90_000);

  const follow = (trace: TaskTrace) =>
    new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let current: { unsubscribe(): void } | undefined;
      // Bounded: a stream that never ends is given up at followUntil (its task counts as not ended).
      const giveUp = setTimeout(() => {
        current?.unsubscribe();
        if (timer) clearTimeout(timer);
        resolve();
      }, followUntil - Date.now());
      const open = () => {
        if (Date.now() > followUntil) return resolve();
        trace.subscriptions++;
        const last = trace.seqs.at(-1);
        const sub = client.tasks.onEvents.subscribe(
          { taskId: trace.taskId, ...(last === undefined ? {} : { lastEventId: String(last) }) },
          {
            onData(envelope) {
              trace.seqs.push(envelope.data.seq);
              events++;
            },
            onError() {
              sub.unsubscribe();
              // Resume after the last event received; a short pause so a dead engine is not hammered.
              timer = setTimeout(open, 250);
            },
            onComplete() {
              trace.ended = true;
              if (timer) clearTimeout(timer);
              clearTimeout(giveUp);
              resolve();
            },
          },
        );
        current = sub;
      };
      open();
    });

  const runClient = async (n: number) => {
    for (let i = 0; i < opts.maxTasksPerClient && Date.now() < submitUntil; i++) {
      let taskId: string;
      try {
        ({ taskId } = await client.tasks.submit.mutate({ poolId: opts.poolId, prompt: opts.prompt(n, i) }));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const status = (error as { data?: { httpStatus?: number } }).data?.httpStatus;
        if (status) result.submitRefusals.push(`${status} ${message}`);
        else result.submitErrors.push(message);
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      const trace: TaskTrace = {
        taskId,
        client: n,
        seqs: [],
        subscriptions: 0,
        connections: 0,
        ended: false,
      };
      result.traces.push(trace);
      await follow(trace);
    }
  };

  const done = Promise.all(Array.from({ length: opts.clients }, (_, n) => runClient(n))).then(() => {
    for (const trace of result.traces) trace.connections = connections.get(trace.taskId) ?? 0;
    return result;
  });
  return { done, submitted: () => result.traces.length, events: () => events };
}

/** Contiguous per task: the received seqs are exactly the stored ones, in order, none twice. */
export function seqProblems(trace: TaskTrace, stored: number[]): string | null {
  const got = trace.seqs.join(",");
  const want = stored.join(",");
  if (got === want) return null;
  const dups = trace.seqs.filter((s, i) => trace.seqs.indexOf(s) !== i);
  const missing = stored.filter((s) => !trace.seqs.includes(s));
  return `task ${trace.taskId}: got ${trace.seqs.length} events (dups ${dups.slice(0, 5).join(",")}), stored ${stored.length} (missing ${missing.slice(0, 5).join(",")})`;
}
