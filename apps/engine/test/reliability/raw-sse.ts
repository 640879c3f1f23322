import { type ClientRequest, type IncomingMessage, request } from "node:http";

/**
 * A `tasks.onEvents` subscription over a bare node:http request, so a test can do what no
 * EventSource does: stop reading the socket (`stuck: true` never reads a byte until `resume()`),
 * then read what arrived and see how the stream ended.
 */
export interface RawSubscriber {
  /** Resolves once the engine answered (headers in); the body is not read while stuck. */
  answered: Promise<void>;
  /** Starts reading; resolves with everything the socket delivered once it closed. */
  readToEnd(): Promise<string>;
  destroy(): void;
}

export function subscribeRaw(opts: {
  url: string;
  token: string;
  taskId: string;
  lastEventId?: string;
  stuck: boolean;
}): RawSubscriber {
  const input = { taskId: opts.taskId, ...(opts.lastEventId ? { lastEventId: opts.lastEventId } : {}) };
  const target = new URL(`/trpc/tasks.onEvents?input=${encodeURIComponent(JSON.stringify(input))}`, opts.url);
  let req: ClientRequest;
  let response: IncomingMessage | undefined;
  let text = "";
  let closed!: () => void;
  const ended = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const answered = new Promise<void>((resolve, reject) => {
    req = request(
      target,
      { headers: { accept: "text/event-stream", authorization: `Bearer ${opts.token}` } },
      (res: IncomingMessage) => {
        response = res;
        // Paused before any data is taken: the socket is not read, the kernel buffers fill and the
        // engine's writes stop draining, as with a client process that hangs.
        if (opts.stuck) res.pause();
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        // A cut connection ends with "aborted"/"error" rather than "end"; all mean closed.
        res.once("end", closed);
        res.once("aborted", closed);
        res.once("error", closed);
        res.once("close", closed);
        resolve();
      },
    );
    req.once("error", (error) => {
      closed();
      reject(error);
    });
    req.end();
  });
  return {
    answered,
    async readToEnd() {
      await answered;
      response?.resume();
      await ended;
      return text;
    },
    destroy: () => req.destroy(),
  };
}

/**
 * Follows a task's events to the end as a real client does: a connection the engine cut (a busy
 * test process can look stalled too) is resumed after the last event id received.
 */
export async function followToEnd(opts: {
  url: string;
  token: string;
  taskId: string;
  lastEventId?: string;
}): Promise<{ seqs: number[]; connections: number }> {
  const seqs: number[] = [];
  let lastEventId = opts.lastEventId;
  for (let connections = 1; ; connections++) {
    const body = await subscribeRaw({
      ...opts,
      stuck: false,
      ...(lastEventId ? { lastEventId } : {}),
    }).readToEnd();
    seqs.push(...seqsOf(body));
    if (endedNormally(body)) return { seqs, connections };
    const last = seqs.at(-1);
    if (last !== undefined) lastEventId = String(last);
  }
}

/** The complete SSE events of a body (a trailing partial one is dropped, as an EventSource does). */
export function parseSse(text: string): Array<{ event?: string; id?: string; data?: string }> {
  const blocks = text.split("\n\n");
  blocks.pop();
  return blocks
    .filter((b) => b.trim() !== "")
    .map((block) => {
      const out: { event?: string; id?: string; data?: string } = {};
      for (const line of block.split("\n")) {
        const colon = line.indexOf(": ");
        if (colon < 0) continue;
        const [key, value] = [line.slice(0, colon), line.slice(colon + 2)];
        if (key === "event" || key === "id" || key === "data") out[key] = value;
      }
      return out;
    });
}

/** The event seqs a body carried (events with an id), in order. */
export function seqsOf(text: string): number[] {
  return parseSse(text)
    .filter((e) => e.id !== undefined && e.id !== "")
    .map((e) => Number(e.id));
}

/** Whether the stream ended as tRPC ends a finished subscription (a `return` event). */
export function endedNormally(text: string): boolean {
  return parseSse(text).some((e) => e.event === "return");
}

/** The process's resident set size in bytes (Linux /proc). */
export async function rssOf(pid: number): Promise<number> {
  const { readFileSync } = await import("node:fs");
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb ?? 0) * 1024;
}
