import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { InvalidOptions } from "../domain/errors.js";

/** `<baseDir>/.owner.json`: which process owns the base dir, and which worktrees are slots and chains. */
export interface OwnerRecord {
  pid: number;
  hostname: string;
  startedAt: string;
  slots: string[];
  chains: string[];
}

export const OWNER_FILE = ".owner.json";

/** Ids become branch-name components and directory names: keep them to a safe alphabet. */
export function isRefSafeId(id: unknown): id is string {
  return (
    typeof id === "string" &&
    id.length <= 100 &&
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) &&
    !id.includes("..") &&
    !id.endsWith(".") &&
    !id.endsWith(".lock")
  );
}

export function assertRefSafeId(field: string, id: unknown): asserts id is string {
  if (!isRefSafeId(id)) {
    throw new InvalidOptions(
      field,
      id,
      "1-100 characters of [A-Za-z0-9._-], starting with a letter or digit",
    );
  }
}

export async function readOwner(baseDir: string): Promise<OwnerRecord | null> {
  const text = await readFile(path.join(baseDir, OWNER_FILE), "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return null;
    const record = parsed as Partial<OwnerRecord>;
    if (typeof record.pid !== "number" || typeof record.hostname !== "string") return null;
    return {
      pid: record.pid,
      hostname: record.hostname,
      startedAt: typeof record.startedAt === "string" ? record.startedAt : "",
      slots: Array.isArray(record.slots) ? record.slots.filter(isRefSafeId) : [],
      chains: Array.isArray(record.chains) ? record.chains.filter(isRefSafeId) : [],
    };
  } catch {
    return null; // a torn write of a crashed owner: nobody owns the dir
  }
}

/** An owner on another host cannot be checked and counts as alive. */
export function isOwnerAlive(owner: OwnerRecord): boolean {
  if (owner.hostname !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}
