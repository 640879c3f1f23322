/**
 * On-disk session store. One JSON file per session id under `<home>/sessions/`, plus
 * `<home>/latest/<cwd key>` holding the id of the most recent session per cwd (for --continue).
 * Every write is atomic (temp file + rename) because many sims run in parallel.
 */

import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface ModelTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** Integer pico-dollars. */
  costPico: number;
}

export interface HistoryEntry {
  role: "user" | "assistant";
  text: string;
  at: string;
  /** An assistant entry: uuid of the turn's last assistant line (for `--resume-session-at`). */
  uuid?: string;
}

export interface SessionRecord {
  version: 1;
  sessionId: string;
  cwd: string;
  name?: string;
  createdAt: string;
  updatedAt: string;
  /** Session this one was forked from, if any. */
  forkedFrom?: string;
  messages: HistoryEntry[];
  /** Cumulative over every run of this session, in integer pico-dollars. */
  totalCostPico: number;
  modelUsage: Record<string, ModelTotals>;
  /** Cumulative API calls (turns) over every run. */
  numTurns: number;
  /** Number of user prompts run in this session (one per process, or per stdin message). */
  runs: number;
}

/** History text is capped so a 10 MB reply does not make every later resume slow. */
export const MAX_STORED_TEXT = 64 * 1024;

export function simHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLAUDE_SIM_HOME) return env.CLAUDE_SIM_HOME;
  if (env.CLAUDE_CONFIG_DIR) return join(env.CLAUDE_CONFIG_DIR, "claude-sim");
  return join(homedir(), ".claude-sim");
}

/** Same rule as the real CLI's project directory names: every non-alphanumeric char becomes '-'. */
export function cwdKey(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, "-");
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

export class SessionStore {
  readonly #dir: string;

  constructor(home: string) {
    this.#dir = home;
  }

  #sessionPath(id: string): string {
    return join(this.#dir, "sessions", `${id}.json`);
  }

  #latestPath(cwd: string): string {
    return join(this.#dir, "latest", cwdKey(cwd));
  }

  load(id: string): SessionRecord | undefined {
    // Ids reach the filesystem: anything but a UUID is looked up by name instead.
    if (!isUuid(id)) return this.#findByName(id);
    try {
      return JSON.parse(readFileSync(this.#sessionPath(id), "utf8")) as SessionRecord;
    } catch {
      return undefined;
    }
  }

  exists(id: string): boolean {
    return isUuid(id) && this.load(id) !== undefined;
  }

  latestFor(cwd: string): SessionRecord | undefined {
    try {
      return this.load(readFileSync(this.#latestPath(cwd), "utf8").trim());
    } catch {
      return undefined;
    }
  }

  #findByName(name: string): SessionRecord | undefined {
    let best: SessionRecord | undefined;
    let files: string[];
    try {
      files = readdirSync(join(this.#dir, "sessions"));
    } catch {
      return undefined;
    }
    for (const file of files) {
      if (!file.endsWith(".json")) continue;
      const rec = this.load(file.slice(0, -5));
      if (rec?.name === name && (!best || rec.updatedAt > best.updatedAt)) best = rec;
    }
    return best;
  }

  save(rec: SessionRecord): void {
    this.#atomicWrite(this.#sessionPath(rec.sessionId), JSON.stringify(rec));
    this.#atomicWrite(this.#latestPath(rec.cwd), rec.sessionId);
  }

  #atomicWrite(path: string, data: string): void {
    const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      writeFileSync(tmp, data);
    } catch {
      mkdirSync(join(this.#dir, "sessions"), { recursive: true });
      mkdirSync(join(this.#dir, "latest"), { recursive: true });
      writeFileSync(tmp, data);
    }
    renameSync(tmp, path);
  }
}

export function newSession(sessionId: string, cwd: string, now: string): SessionRecord {
  return {
    version: 1,
    sessionId,
    cwd,
    createdAt: now,
    updatedAt: now,
    messages: [],
    totalCostPico: 0,
    modelUsage: {},
    numTurns: 0,
    runs: 0,
  };
}

export function capText(text: string): string {
  return text.length > MAX_STORED_TEXT ? `${text.slice(0, MAX_STORED_TEXT)}…[truncated]` : text;
}
