import { execFileSync } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A small tmpfs of its own (a real filesystem that fills up, so git and the CLI meet a real
 * ENOSPC), mounted with `mount -t tmpfs`: as root, or through passwordless sudo. The disk-full
 * scenario needs it; without either the test fails saying so (it is not skipped).
 */
export interface SmallDisk {
  dir: string;
  /** Writes a filler file until the disk has no space left. */
  fill(): void;
  /** Removes the filler: the disk has room again. */
  free(): void;
  freeBytes(): number;
  unmount(): void;
}

export function mountSmallDisk(sizeMb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), "cp-small-disk-"));
  const args = ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir];
  const asRoot = process.getuid?.() === 0;
  try {
    if (asRoot) execFileSync("mount", args, { stdio: "pipe" });
    else execFileSync("sudo", ["-n", "mount", ...args], { stdio: "pipe" });
  } catch (error) {
    throw new Error(
      `the disk-full scenario mounts a ${sizeMb} MB tmpfs and needs root or passwordless sudo: ${String(error)}`,
    );
  }
  const filler = join(dir, "filler");
  const freeBytes = () => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    freeBytes,
    fill() {
      // Chunks down to one block, so every last byte is taken.
      writeFileSync(filler, "");
      for (let chunk = 1024 * 1024; chunk >= 4096; chunk /= 2) {
        for (;;) {
          try {
            appendFileSync(filler, Buffer.alloc(chunk));
          } catch {
            break;
          }
        }
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      const umount = ["umount", "-l", dir];
      try {
        if (asRoot) execFileSync(umount[0] as string, umount.slice(1), { stdio: "pipe" });
        else execFileSync("sudo", ["-n", ...umount], { stdio: "pipe" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
