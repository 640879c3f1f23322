import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export interface PromptFile {
  path: string;
  remove(): Promise<void>;
}

/**
 * Writes an appended system prompt to a private temp file for `--append-system-prompt-file`, so
 * its size is not capped by argv (Linux: 128 KB per argument). The caller removes it when the
 * process that reads it has exited.
 */
export async function writePromptFile(text: string): Promise<PromptFile> {
  const dir = await mkdtemp(path.join(tmpdir(), "claude-pool-prompt-"));
  const file = path.join(dir, "append-system-prompt.md");
  await writeFile(file, text, { mode: 0o600 });
  return { path: file, remove: () => rm(dir, { recursive: true, force: true }) };
}
