import { execa } from "execa";
import { ClaudeCliNotFound } from "../domain/errors.js";
import { buildClaudeArgs } from "./args.js";
import { bindingKey, type SpawnRequest, type SpawnSession, spawnSessionOf } from "./binding.js";
import { LineSplitter } from "./lines.js";
import { parseStreamLine } from "./messages.js";
import { type PromptFile, writePromptFile } from "./prompt-file.js";
import type { KillReason, RunOutcome, RunRequest } from "./run.js";
import { abortReason, appendStderr, emptyOutcome, killGroup, TurnTracker } from "./turn.js";

/** How long an interrupted turn may take to end, and a closed process to exit, before a kill. */
export const GRACE_MS = 1500;

interface ActiveTurn {
  outcome: RunOutcome;
  tracker: TurnTracker;
  req: RunRequest;
  done: () => void;
}

/**
 * One long-lived `claude -p --input-format stream-json` process, in its own process group. It
 * runs one turn at a time (one NDJSON user message each); a `control_request` interrupt stops a
 * turn. The real CLI answers an interrupt with a `control_response` and then an
 * `error_during_execution` result, which is the interrupt's echo, not the task's result.
 */
export class WarmProcess {
  readonly key: string;
  readonly spawnSession: SpawnSession;
  readonly spawnRequest: SpawnRequest;
  /** Learned from the first init line; a warm process stays in one session. */
  sessionId: string | null;
  turns = 0;
  /** End after the current turn (context or identity changed, or the last turn failed). */
  retired = false;
  /** The last turn ended with a successful result (its session may be continued as it is). */
  lastTurnSucceeded = false;
  /** `config.model` as the process now runs it (started with it, or switched by `set_model`). */
  model: string | undefined;
  readonly #acks = new Map<string, (ok: boolean) => void>();
  #child: ReturnType<typeof execa> | null = null;
  #promptFile: PromptFile | null = null;
  #turn: ActiveTurn | null = null;
  #alive = false;
  #exitCode: number | null = null;
  #signal: string | null = null;
  /** Set when the spawn itself failed: the binary is missing (ENOENT) or not executable (EACCES). */
  #notFound: "missing" | "notExecutable" | null = null;
  #exited: Promise<void> = Promise.resolve();
  #stderrBeforeTurn = "";
  #requestSeq = 0;

  private constructor(req: SpawnRequest) {
    this.spawnRequest = req;
    this.key = bindingKey(req);
    this.spawnSession = spawnSessionOf(req.invocation);
    this.sessionId = req.invocation.newSessionId ?? null;
    this.model = req.invocation.config.model;
  }

  /** Starts the process; it waits for its first user message on stdin. */
  static async spawn(req: SpawnRequest): Promise<WarmProcess> {
    const p = new WarmProcess(req);
    await p.#start();
    return p;
  }

  async #start(): Promise<void> {
    const inv = this.spawnRequest.invocation;
    this.#promptFile = inv.appendSystemPrompt ? await writePromptFile(inv.appendSystemPrompt) : null;
    const args = buildClaudeArgs(inv, {
      inputFormat: "stream-json",
      appendSystemPromptFile: this.#promptFile?.path,
      // The CLI's budget counts the whole process's spend, not one turn's: the driver stops a
      // turn on its streamed cost (stopAboveMicros) instead.
      omitBudget: true,
    });
    const child = execa(this.spawnRequest.bin, args, {
      cwd: this.spawnRequest.cwd,
      env: this.spawnRequest.env,
      extendEnv: false,
      stdin: "pipe",
      buffer: false,
      reject: false,
      detached: true,
      cleanup: true,
      encoding: "buffer",
    });
    this.#child = child;
    this.#alive = child.pid !== undefined;
    // A write after the process died is reported as the turn's outcome, not as an exception.
    child.stdin?.on("error", () => {});
    const splitter = new LineSplitter((text) => this.#onLine(text));
    child.stdout?.on("data", (chunk: Buffer) => splitter.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => this.#onStderr(chunk.toString("utf8")));
    this.#exited = child.then(async (done) => {
      splitter.end();
      this.#alive = false;
      this.#notFound = done.code === "ENOENT" ? "missing" : done.code === "EACCES" ? "notExecutable" : null;
      this.#exitCode = done.exitCode ?? null;
      this.#signal = done.signal ?? null;
      // Tool processes a crash left behind share the group.
      if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
      await this.#promptFile?.remove();
      this.#finishTurn();
    });
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  get alive(): boolean {
    return this.#alive;
  }

  get busy(): boolean {
    return this.#turn !== null;
  }

  get exited(): Promise<void> {
    return this.#exited;
  }

  /** Runs one turn. Never throws for what the CLI does; throws ClaudeCliNotFound only. */
  async runTurn(req: RunRequest, spawned: boolean): Promise<RunOutcome> {
    const started = Date.now();
    const outcome = emptyOutcome("warm", spawned);
    outcome.pid = this.pid;
    outcome.sessionId = this.sessionId;
    if (req.signal.aborted) {
      // Stopped before it began: nothing is sent, the process stays as it was.
      outcome.killedFor = abortReason(req.signal);
      return outcome;
    }
    appendStderr(outcome, this.#stderrBeforeTurn);
    this.#stderrBeforeTurn = "";
    const finished = new Promise<void>((resolve) => {
      this.#turn = {
        outcome,
        req,
        done: resolve,
        tracker: new TurnTracker(outcome, req.stopAboveMicros, () => this.#stop("over_reservation")),
      };
    });
    // The task records the process that runs it (recovery kills that group if this engine dies).
    if (this.pid !== null) req.onSpawn?.(this.pid, spawned);
    const onAbort = () => this.#stop(abortReason(req.signal));
    const timeout =
      req.timeoutMs === null ? undefined : setTimeout(() => this.#stop("timeout"), req.timeoutMs);
    req.signal.addEventListener("abort", onAbort, { once: true });
    this.turns += 1;
    if (this.#alive) {
      this.#write({ type: "user", message: { role: "user", content: req.invocation.prompt } });
    } else {
      await this.#exited;
      this.#finishTurn();
    }
    await finished;
    clearTimeout(timeout);
    req.signal.removeEventListener("abort", onAbort);
    if (this.#notFound) throw new ClaudeCliNotFound(req.bin, this.#notFound);
    if (!this.#alive) {
      outcome.exitCode = this.#exitCode;
      outcome.signal = this.#signal;
    }
    outcome.durationMs = Date.now() - started;
    // A failed or stopped turn stays in the process's in-memory history: never reuse it.
    this.lastTurnSucceeded = outcome.killedFor === null && outcome.result?.is_error === false;
    if (!this.lastTurnSucceeded) this.retired = true;
    if (this.sessionId === null) this.sessionId = outcome.sessionId;
    return outcome;
  }

  #onLine(text: string): void {
    const parsed = parseStreamLine(text);
    // Acks of our own control requests are protocol, not the task's output.
    if (parsed.kind === "other" && parsed.type === "control_response") {
      const response = parsed.raw.response as { request_id?: unknown; subtype?: unknown } | undefined;
      const settle =
        typeof response?.request_id === "string" ? this.#acks.get(response.request_id) : undefined;
      settle?.(response?.subtype === "success");
      return;
    }
    const turn = this.#turn;
    if (!turn) return; // between turns nothing is expected; a late line has no task to go to
    const line = turn.tracker.fold(parsed);
    if (line.kind === "init" && this.sessionId === null) this.sessionId = line.raw.session_id;
    turn.req.onLine(line);
    if (line.kind !== "result") return;
    if (turn.outcome.killedFor !== null) {
      // The interrupt's echo: no reply. Keep what the turn spent, report it as stopped.
      const since = line.raw.model_usage_since_last_result ?? {};
      const reported = Object.values(since).reduce((a, m) => a + Math.round(m.costUSD * 1e6), 0);
      turn.outcome.streamedCostMicros = Math.max(turn.outcome.streamedCostMicros, reported);
      turn.outcome.result = null;
    }
    this.#finishTurn();
  }

  #onStderr(text: string): void {
    const turn = this.#turn;
    if (turn) {
      appendStderr(turn.outcome, text);
      turn.req.onStderr?.(text);
    } else {
      this.#stderrBeforeTurn = (this.#stderrBeforeTurn + text).slice(-4096);
    }
  }

  #finishTurn(): void {
    const turn = this.#turn;
    this.#turn = null;
    turn?.done();
  }

  /** Interrupts the running turn; kills the group if it has not ended within GRACE_MS. */
  #stop(reason: KillReason): void {
    const turn = this.#turn;
    if (!turn || turn.outcome.killedFor !== null) return;
    turn.outcome.killedFor = reason;
    this.retired = true;
    this.#write({
      type: "control_request",
      request_id: `interrupt-${++this.#requestSeq}`,
      request: { subtype: "interrupt" },
    });
    const timer = setTimeout(() => {
      if (this.#turn === turn) void this.kill();
    }, GRACE_MS);
    timer.unref();
  }

  /**
   * Switches the model between turns with a `set_model` control request (the real CLI 2.1.332
   * answers `{"model":"<resolved id>"}` and the next turn's init shows it). False when the CLI
   * refused it or did not answer within GRACE_MS: the caller respawns instead.
   */
  async setModel(model: string): Promise<boolean> {
    if (!this.#alive || this.#turn) return false;
    const id = `set-model-${++this.#requestSeq}`;
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), GRACE_MS);
      this.#acks.set(id, (v) => {
        clearTimeout(timer);
        resolve(v);
      });
      this.#write({ type: "control_request", request_id: id, request: { subtype: "set_model", model } });
    });
    this.#acks.delete(id);
    if (ok) this.model = model;
    return ok;
  }

  #write(message: unknown): void {
    this.#child?.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** Lets the process finish its turn and exit (stdin EOF); kills its group if it lingers. */
  async end(): Promise<void> {
    this.retired = true;
    if (this.#turn) return; // ended by runTurn's caller once the turn is over
    this.#child?.stdin?.end();
    const timer = setTimeout(() => void this.kill(), GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  /**
   * SIGTERM to the whole group, SIGKILL after GRACE_MS; resolves when the process has exited. A
   * turn still running ends without a result, stopped for `reason`.
   */
  async kill(reason?: KillReason): Promise<void> {
    this.retired = true;
    if (reason && this.#turn && this.#turn.outcome.killedFor === null) this.#turn.outcome.killedFor = reason;
    const pid = this.pid;
    if (pid === null || !this.#alive) return this.#exited;
    killGroup(pid, "SIGTERM");
    const timer = setTimeout(() => killGroup(pid, "SIGKILL"), GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}
