/** The most of a task's patch a store keeps: past it the patch is cut (at a line end) and marked truncated. */
export const TASK_DIFF_PATCH_LIMIT_BYTES = 1024 * 1024;

/** One file a task changed in its worktree. */
export interface TaskDiffFile {
  path: string;
  additions: number;
  deletions: number;
  /** A binary file: git counts no lines for it. */
  binary: boolean;
}

/** What a task changed, as the worktree code computes it when the task ends. */
export interface NewTaskDiff {
  taskId: string;
  files: TaskDiffFile[];
  /** The unified diff; stores keep at most TASK_DIFF_PATCH_LIMIT_BYTES of it. */
  patch: string;
}

/** A task's diff as stored. */
export interface TaskDiff {
  taskId: string;
  files: TaskDiffFile[];
  patch: string;
  /** The stored patch is a prefix of the real one (which was `patchBytes` long). */
  truncated: boolean;
  /** UTF-8 size of the whole patch, before any truncation. */
  patchBytes: number;
  additions: number;
  deletions: number;
  createdAt: Date;
}

/**
 * The part of a patch a store keeps: all of it up to the limit, else the longest prefix of whole
 * lines within it (a single line longer than the limit is cut at a character boundary). NULs, which
 * Postgres text cannot hold, become U+FFFD, so every store keeps the same text.
 */
export function boundPatch(
  patch: string,
  limitBytes = TASK_DIFF_PATCH_LIMIT_BYTES,
): {
  patch: string;
  truncated: boolean;
  patchBytes: number;
} {
  const clean = patch.includes("\u0000") ? patch.replaceAll("\u0000", "\ufffd") : patch;
  const bytes = Buffer.from(clean, "utf8");
  if (bytes.length <= limitBytes) return { patch: clean, truncated: false, patchBytes: bytes.length };
  let cut = bytes.lastIndexOf(0x0a, limitBytes - 1) + 1; // keep the newline
  if (cut <= 0) {
    cut = limitBytes;
    while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--; // not inside a UTF-8 sequence
  }
  return { patch: bytes.subarray(0, cut).toString("utf8"), truncated: true, patchBytes: bytes.length };
}

/** The stored form of a new diff: the patch bounded, the totals summed. */
export function storedDiff(diff: NewTaskDiff, createdAt: Date): TaskDiff {
  const bounded = boundPatch(diff.patch);
  return {
    taskId: diff.taskId,
    files: diff.files.map((f) => ({ ...f })),
    ...bounded,
    additions: diff.files.reduce((n, f) => n + f.additions, 0),
    deletions: diff.files.reduce((n, f) => n + f.deletions, 0),
    createdAt,
  };
}
