import type { RunOutcome } from "../driver/run.js";
import type { ClaimedTask, NewTaskEvent, Store } from "../store/port.js";
import type { Slot } from "./slot.js";

/** Where a run starts: the session it resumes (null: a new one) and the message to resume it at. */
export interface SessionPoint {
  sessionId: string | null;
  at: string | null;
}

/** Task event kinds that say where a task's session went after a turn that got no reply. */
export const SESSION_REWOUND = "session.rewound";
export const SESSION_FRESH = "session.fresh";

/**
 * Where the task's run starts. An explicit session (chains, review) is the caller's; a recovered
 * or parked task continues its own session, at the point its last unanswered turn was rewound to
 * (its `session.*` events); otherwise the slot's session in `resume` mode, or a new one.
 */
export async function startingPoint(store: Store, slot: Slot, task: ClaimedTask): Promise<SessionPoint> {
  const own = task.attempt > 1 ? await lastRewind(store, task.id) : undefined;
  if (own !== undefined) return own;
  if (task.explicitSession) {
    const resume = task.explicitSession.resume ?? (task.attempt > 1 ? task.claudeSessionId : null);
    return { sessionId: resume, at: resume === null ? null : (task.explicitSession.at ?? null) };
  }
  if (task.attempt > 1 && task.claudeSessionId) return { sessionId: task.claudeSessionId, at: null };
  if (task.sessionMode !== "resume") return { sessionId: null, at: null };
  const { sessionId, resumeAt } = slot.session;
  return { sessionId, at: sessionId === null ? null : resumeAt };
}

/**
 * After a run: moves the slot's session on (a slot-session task), and when the turn got no
 * assistant reply, says where the session goes instead of carrying the failed prompt — the event
 * the task records (`session.rewound` with the message resumed at, or `session.fresh`).
 */
export function sessionAfterRun(
  slot: Slot,
  task: ClaimedTask,
  start: SessionPoint,
  outcome: RunOutcome,
  appended: string,
): NewTaskEvent | null {
  const sessionId = outcome.sessionId;
  if (sessionId === null) return null;
  if (!task.explicitSession) {
    const after = slot.afterTurn(sessionId, outcome.assistantReplied, outcome.lastGoodMessageUuid, appended);
    if (after.kind === "continued") return null;
    if (after.kind === "rewound") {
      return {
        kind: SESSION_REWOUND,
        payload: { sessionId: after.sessionId, resumeAt: after.resumeAt, discarded: sessionId },
      };
    }
    return { kind: SESSION_FRESH, payload: { sessionId: null, discarded: sessionId } };
  }
  if (outcome.assistantReplied) return null;
  // A caller's session: its own runner decides the next turn; the task's own retry rewinds here.
  if (start.sessionId === null)
    return { kind: SESSION_FRESH, payload: { sessionId: null, discarded: sessionId } };
  if (start.at === null) return null; // nothing known to rewind to: the caller's runner decides
  return {
    kind: SESSION_REWOUND,
    payload: { sessionId: start.sessionId, resumeAt: start.at, discarded: sessionId },
  };
}

/** The latest rewind the task recorded, if any. */
async function lastRewind(store: Store, taskId: string): Promise<SessionPoint | undefined> {
  const events = await store.listTaskEvents(taskId);
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (!e) continue;
    if (e.kind === SESSION_FRESH) return { sessionId: null, at: null };
    if (e.kind === SESSION_REWOUND && isRewind(e.payload))
      return { sessionId: e.payload.sessionId, at: e.payload.resumeAt };
  }
  return undefined;
}

function isRewind(payload: unknown): payload is { sessionId: string; resumeAt: string } {
  if (typeof payload !== "object" || payload === null) return false;
  const p = payload as Record<string, unknown>;
  return typeof p.sessionId === "string" && typeof p.resumeAt === "string";
}

/**
 * The prompt a task sends. When it continues the slot's session, or a caller's session (a chain's,
 * a review's: `callerSeen` is what that session last saw, if this engine knows), and the slot's
 * identity or the shared context changed since that session last saw them, the new text leads
 * the prompt: the real CLI keeps a resumed session's appended system prompt from its first run.
 */
export function promptFor(
  slot: Slot,
  task: ClaimedTask,
  start: SessionPoint,
  appended: string,
  callerSeen: string | null = null,
): string {
  const resumesSlot =
    !task.explicitSession && start.sessionId !== null && start.sessionId === slot.session.sessionId;
  const resumesCaller = task.explicitSession !== null && start.sessionId !== null;
  const seen = resumesSlot ? slot.seenPrompt : resumesCaller ? callerSeen : null;
  if (seen === null || seen === appended) return task.prompt;
  return `<pool-context-update>
Your slot identity or the pool's shared context changed since this conversation began. From now on it reads:

${appended}
</pool-context-update>

${task.prompt}`;
}
