import { createHash } from "node:crypto";
import type { ClaudeInvocation } from "./args.js";

/** What a warm process is started with; a turn's prompt and budget are not part of it. */
export interface SpawnRequest {
  bin: string;
  cwd: string;
  env: Record<string, string>;
  invocation: ClaudeInvocation;
}

/**
 * The flags a warm process is bound to for its whole life: permission mode, tools, cwd, env,
 * appended system prompt, MCP config, extra args, every config flag but the model (everything
 * but the prompt, the budget, the model, which a `set_model` control request switches, and the
 * session, which {@link sessionFits} judges). Two invocations with the same key can share a
 * process. Hashed so a 200 KB appended prompt is not kept twice per slot.
 */
export function bindingKey(req: SpawnRequest): string {
  const inv = req.invocation;
  const env = Object.keys(req.env)
    .sort()
    .map((k) => [k, req.env[k]]);
  const bound = {
    bin: req.bin,
    cwd: req.cwd,
    env,
    config: sortedJson({ ...inv.config, model: undefined }),
    appendSystemPrompt: inv.appendSystemPrompt,
    mcpConfig: sortedJson(inv.mcpConfig),
    extraArgs: inv.extraArgs,
  };
  return createHash("sha256").update(JSON.stringify(bound)).digest("hex");
}

/** The session a process was started into, as its flags said. */
export interface SpawnSession {
  resumeSessionId: string | null;
  resumeSessionAt: string | null;
  forkSession: boolean;
  newSessionId: string | null;
}

export function spawnSessionOf(inv: ClaudeInvocation): SpawnSession {
  return {
    resumeSessionId: inv.resumeSessionId,
    resumeSessionAt: inv.resumeSessionAt ?? null,
    forkSession: inv.forkSession ?? false,
    newSessionId: inv.newSessionId ?? null,
  };
}

/**
 * Can a process with this history take a task asking for `inv`'s session? An unused process
 * fits when it was started exactly so (a fresh one also fits a new session with no chosen id); a
 * used one only continues its own session (resume of the id it reports, nothing cut, nothing
 * forked, no new id).
 */
export function sessionFits(
  proc: { turns: number; sessionId: string | null; spawnSession: SpawnSession },
  inv: ClaudeInvocation,
): boolean {
  const want = spawnSessionOf(inv);
  if (proc.turns === 0) {
    const had = proc.spawnSession;
    // A new session without a chosen id is what any unused process started fresh gives.
    const anyFresh =
      want.resumeSessionId === null && want.newSessionId === null && had.resumeSessionId === null;
    return (
      had.resumeSessionId === want.resumeSessionId &&
      had.resumeSessionAt === want.resumeSessionAt &&
      had.forkSession === want.forkSession &&
      (had.newSessionId === want.newSessionId || anyFresh)
    );
  }
  return (
    want.resumeSessionId !== null &&
    want.resumeSessionId === proc.sessionId &&
    want.resumeSessionAt === null &&
    !want.forkSession &&
    want.newSessionId === null
  );
}

/** JSON with object keys sorted, so key order never changes a binding. */
function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedJson((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
