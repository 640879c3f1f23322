import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath } from "@claude-pool/claude-sim";
import { describe, expect, it } from "vitest";
import { resolveClaudeBin } from "../src/bin.js";
import { ClaudeCliNotFound, InvalidOptions } from "../src/domain/errors.js";
import { Pool } from "../src/pool/pool.js";

const dir = mkdtempSync(path.join(tmpdir(), "driver-bin-"));
const emptyPath = { PATH: path.join(dir, "nothing-here") };

async function refusal(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error("expected a refusal");
  return err;
}

describe("checking claude.cwd and claude.bin at Pool.create", () => {
  it("refuses a cwd that does not exist, naming the option and the value", async () => {
    const missing = path.join(dir, "no-such-repo");
    const err = await refusal(Pool.create({ slots: 1, claude: { bin: simBinPath, cwd: missing } }));
    expect(err).toBeInstanceOf(InvalidOptions);
    expect(err.message).toBe(
      `options.claude.cwd must be an existing directory (it does not exist) (got "${missing}")`,
    );
    // The README's old example value, refused at create instead of failing the first task.
    const example = await refusal(
      Pool.create({ slots: 1, claude: { bin: simBinPath, cwd: "/path/to/repo" } }),
    );
    expect(example.message).toBe(
      'options.claude.cwd must be an existing directory (it does not exist) (got "/path/to/repo")',
    );
  });

  it("refuses a cwd that is a file", async () => {
    const file = path.join(dir, "a-file");
    writeFileSync(file, "x");
    const err = await refusal(resolveClaudeBin(simBinPath, process.env, file));
    expect(err.message).toContain("options.claude.cwd");
    expect(err.message).toContain("not a directory");
  });

  it("refuses a directory or a non-executable file as bin, naming the option and the value", async () => {
    const asDir = await refusal(Pool.create({ slots: 1, claude: { bin: dir, cwd: dir } }));
    expect(asDir).toBeInstanceOf(InvalidOptions);
    expect(asDir.message).toBe(
      `options.claude.bin must be an executable file (it is a directory) (got "${dir}")`,
    );
    const plain = path.join(dir, "claude-not-exec");
    writeFileSync(plain, "#!/bin/sh\n");
    chmodSync(plain, 0o644);
    const notExec = await refusal(resolveClaudeBin(plain, process.env));
    expect(notExec.message).toContain("not executable");
  });

  it("refuses a bin path that does not exist at Pool.create, naming claude.bin and the path", async () => {
    const missing = path.join(dir, "nope", "claude");
    const err = await refusal(Pool.create({ slots: 1, claude: { bin: missing, cwd: dir } }));
    expect(err).toBeInstanceOf(ClaudeCliNotFound);
    expect(err.message).toBe(
      `the Claude CLI was not found at "${missing}". Install it with \`npm i -g @anthropic-ai/claude-code\`, ` +
        "or point `claude.bin` at the executable (for a demo without credentials, use claude-sim).",
    );
  });

  it("says the CLI was not found for a missing path or a name found nowhere", async () => {
    expect(await refusal(resolveClaudeBin(path.join(dir, "nope", "claude"), emptyPath))).toBeInstanceOf(
      ClaudeCliNotFound,
    );
    expect(await refusal(resolveClaudeBin("claude-definitely-missing", emptyPath, dir))).toBeInstanceOf(
      ClaudeCliNotFound,
    );
  });

  it("finds a bare name on PATH, else in node_modules/.bin up from cwd, else this workspace's own", async () => {
    const onPath = path.join(dir, "bin");
    const exe = path.join(dir, "bin", "my-claude");
    mkdirSync(onPath, { recursive: true });
    writeFileSync(exe, "#!/bin/sh\n");
    chmodSync(exe, 0o755);
    expect(await resolveClaudeBin("my-claude", { PATH: onPath }, dir)).toBe(exe);
    const project = path.join(dir, "project");
    const nested = path.join(project, "src", "deep");
    mkdirSync(path.join(project, "node_modules", ".bin"), { recursive: true });
    mkdirSync(nested, { recursive: true });
    const local = path.join(project, "node_modules", ".bin", "my-local-claude");
    writeFileSync(local, "#!/bin/sh\n");
    chmodSync(local, 0o755);
    expect(await resolveClaudeBin("my-local-claude", emptyPath, nested)).toBe(local);
    // The real CLI is a dev dependency of pool-core: `claude` resolves with nothing on PATH.
    const own = await resolveClaudeBin("claude", emptyPath, dir);
    expect(own).toContain(path.join("pool-core", "node_modules", ".bin", "claude"));
  });
});
