import type { ServerResponse } from "node:http";

/**
 * Closes a response whose client stopped reading: once a write is refused by the socket
 * (`res.write` returns false: node's buffer and the kernel's are full) and no `drain` follows
 * within `stallMs`, the connection is destroyed.
 *
 * Why: tRPC's SSE writer waits for `drain` before it pulls the next event, so a stuck reader costs
 * no unbounded queue, but it holds its subscription (an open position in a task's stream, a pending
 * event, a socket's buffers) for as long as the client hangs, which may be forever. Cut off, a
 * real client's EventSource reconnects with Last-Event-ID and the stream resumes after the last
 * event it received (the streams read by sequence number, so nothing is missed or sent twice).
 *
 * Every response is guarded, not only SSE: a large answer to a hung client is held the same way.
 */
export function guardStalls(res: ServerResponse, stallMs: number, onStall: () => void): void {
  const write = res.write;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  res.write = function (this: ServerResponse, ...args: Parameters<ServerResponse["write"]>) {
    const ok = write.apply(this, args);
    if (!ok && !timer && !res.destroyed) {
      timer = setTimeout(() => {
        timer = undefined;
        if (res.destroyed || !res.writableNeedDrain) return;
        onStall();
        res.destroy();
      }, stallMs);
      // A stalled client must not keep a stopping engine alive.
      timer.unref();
    }
    return ok;
  } as ServerResponse["write"];
  res.on("drain", clear);
  res.once("close", clear);
}
