import { bindingKey, type SpawnRequest, sessionFits } from "./binding.js";
import type { Driver, SlotDriver } from "./port.js";
import type { RunOutcome, RunRequest } from "./run.js";
import { WarmProcess } from "./warm-process.js";

/**
 * One long-lived stream-json process per slot (DESIGN.md, "Slots, drivers and sessions"). A
 * task whose flags (binding key) or session do not fit the slot's process gets a new one; a
 * failed, stopped or retired process ends after its turn; `retire(next)` and `prespawn(next)`
 * start the next process in the background so the next task does not pay the spawn.
 */
export function createWarmDriver(): Driver {
  const slots = new Map<string, WarmSlot>();
  return {
    kind: "warm",
    slot(slotId) {
      let s = slots.get(slotId);
      if (!s) {
        s = new WarmSlot();
        slots.set(slotId, s);
      }
      return s;
    },
    async close() {
      await Promise.all([...slots.values()].map((s) => s.close()));
      slots.clear();
    },
  };
}

export class WarmSlot implements SlotDriver {
  /** The process turns go to. */
  #current: WarmProcess | null = null;
  /** A process started ahead of the next task. */
  #spare: Promise<WarmProcess | null> | null = null;
  /** What to pre-spawn once the current (retired) process has finished its turn. */
  #afterTurn: SpawnRequest | "continue" | null = null;
  /** Every process not yet exited (current, spare, ending ones): `close()` kills them all. */
  readonly #all = new Set<WarmProcess>();
  /** Bumped by `close()`: a process whose spawn was under way then is killed as soon as it exists. */
  #generation = 0;

  get warm(): boolean {
    const c = this.#current;
    return (c?.alive === true && !c.retired) || this.#spare !== null;
  }

  /** Pids of this slot's processes still alive (for tests and the dashboard). */
  get pids(): number[] {
    return [...this.#all].flatMap((p) => (p.alive && p.pid !== null ? [p.pid] : []));
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    const { proc, spawned } = await this.#take(req);
    let stopped = false;
    try {
      const outcome = await proc.runTurn(req, spawned);
      stopped = outcome.killedFor !== null;
      return outcome;
    } finally {
      if (proc.retired || !proc.alive) {
        if (this.#current === proc) this.#current = null;
        const after = this.#afterTurn;
        this.#afterTurn = null;
        const next = after === "continue" ? continuation(proc) : after;
        const generation = this.#generation;
        // A stopped turn (cancel, timeout, budget, shutdown) ends as on cold: the process group is
        // killed and gone before the task's end is known, so nothing it started runs on.
        const ended = stopped ? proc.kill() : proc.end();
        void ended.then(() => {
          if (next && generation === this.#generation) this.prespawn(next);
        });
        if (stopped) await ended;
      }
    }
  }

  /** The process for this task: the current one if it fits, else the spare if it fits, else a new one. */
  async #take(req: RunRequest): Promise<{ proc: WarmProcess; spawned: boolean }> {
    const spawnReq: SpawnRequest = { bin: req.bin, cwd: req.cwd, env: req.env, invocation: req.invocation };
    const key = bindingKey(spawnReq);
    const model = req.invocation.config.model;
    // Same flags but the model: switch it with a control request rather than pay a spawn.
    const fits = async (p: WarmProcess): Promise<boolean> => {
      if (!p.alive || p.retired || p.key !== key || !sessionFits(p, req.invocation)) return false;
      if (p.model === model) return true;
      return model !== undefined && (await p.setModel(model));
    };
    const current = this.#current;
    if (current && (await fits(current))) return { proc: current, spawned: false };
    if (current) void current.end();
    this.#current = null;
    const spare = this.#spare ? await this.#spare : null;
    this.#spare = null;
    if (spare && (await fits(spare))) {
      this.#current = spare;
      return { proc: spare, spawned: false };
    }
    if (spare) void spare.end();
    const proc = await this.#spawn(spawnReq);
    this.#current = proc;
    return { proc, spawned: true };
  }

  async #spawn(req: SpawnRequest): Promise<WarmProcess> {
    const generation = this.#generation;
    const proc = await WarmProcess.spawn(req);
    this.#all.add(proc);
    void proc.exited.then(() => this.#all.delete(proc));
    if (generation !== this.#generation) void proc.kill("shutdown");
    return proc;
  }

  /**
   * The slot's identity or the shared context changed: the process ends after its current turn.
   * The next one is pre-spawned in the background with `next` (the invocation the slot's next
   * task will most likely use), else with the same flags continuing the same session.
   */
  retire(next?: SpawnRequest): void {
    const c = this.#current;
    if (c?.busy) {
      c.retired = true;
      this.#afterTurn = next ?? "continue";
      return;
    }
    const follow = next ?? (c ? continuation(c) : null);
    this.#current = null;
    if (c) {
      const generation = this.#generation;
      void c.end().then(() => {
        if (follow && generation === this.#generation) this.prespawn(follow);
      });
    } else if (follow) {
      this.prespawn(follow);
    }
  }

  /**
   * Starts a process for the next task while the slot is idle (e.g. fresh mode: an invocation
   * with a new `newSessionId`). A task whose invocation fits it takes it without a spawn.
   */
  prespawn(next: SpawnRequest): void {
    const old = this.#spare;
    this.#spare = this.#spawn(next).catch(() => null);
    if (old) void old.then((p) => p?.end());
  }

  async close(): Promise<void> {
    this.#generation += 1;
    this.#afterTurn = null;
    const spare = this.#spare;
    this.#spare = null;
    this.#current = null;
    if (spare) await spare;
    await Promise.all([...this.#all].map((p) => p.kill("shutdown")));
  }
}

/** The same flags, continuing the process's session where it is. */
function continuation(proc: WarmProcess): SpawnRequest | null {
  if (!proc.sessionId || !proc.lastTurnSucceeded) return null;
  const inv = proc.spawnRequest.invocation;
  return {
    ...proc.spawnRequest,
    invocation: {
      ...inv,
      config: { ...inv.config, model: proc.model },
      resumeSessionId: proc.sessionId,
      resumeSessionAt: null,
      forkSession: false,
      newSessionId: null,
    },
  };
}
