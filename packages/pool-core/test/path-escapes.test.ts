import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath } from "@claude-pool/claude-sim";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidOptions, Pool, type PoolOptionsInput, WorktreeError } from "../src/index.js";
import { WorktreeManager } from "../src/worktrees/manager.js";

/**
 * Worktree base dirs, `addDirs` and skill directories cannot be used to reach outside what the
 * pool owns: `../`, absolute paths and symlinks are refused (with the field and value) or
 * contained (a link removed, never followed), and files outside are never touched.
 */

const root = realpathSync(mkdtempSync(path.join(tmpdir(), "path-escapes-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
let repo: string;
let victim: string;
beforeEach(() => {
  n += 1;
  repo = path.join(root, `repo-${n}`);
  mkdirSync(repo);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "init");
  // Someone else's files, which nothing here may delete or expose.
  victim = path.join(root, `victim-${n}`);
  mkdirSync(victim);
  writeFileSync(path.join(victim, "precious.txt"), "keep me");
});

function victimIntact(): void {
  expect(readdirSync(victim)).toEqual(["precious.txt"]);
  expect(readFileSync(path.join(victim, "precious.txt"), "utf8")).toBe("keep me");
}

const confined = (extra: Partial<PoolOptionsInput> = {}): PoolOptionsInput => ({
  slots: 1,
  confinePaths: true,
  skills: { globalDir: null },
  claude: { bin: simBinPath, cwd: repo, env: { CLAUDE_SIM_HOME: path.join(root, `sim-${n}`) } },
  ...extra,
});

async function refused(run: () => Promise<unknown>): Promise<Error> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

const cases: string[] = [];

describe("worktree base dirs", () => {
  it("a confined pool refuses a base dir with ../, an absolute one, or one leading outside through a symlink", async () => {
    symlinkSync(victim, path.join(repo, "link-out"));
    for (const baseDir of ["../elsewhere", "a/../../b", victim, "/tmp", "link-out", "link-out/sub"]) {
      const error = await refused(() => Pool.create(confined({ config: { worktree: { baseDir } } })));
      expect(error, baseDir).toBeInstanceOf(InvalidOptions);
      expect((error as InvalidOptions).field).toBe("options.config.worktree.baseDir");
      expect(error.message).toContain(JSON.stringify(baseDir));
      cases.push(`baseDir ${baseDir}`);
    }
    victimIntact();
  });

  it("any pool refuses a base dir that is someone's non-empty directory, or a symlink back to the repository", async () => {
    const notOurs = await refused(() =>
      WorktreeManager.open({ repoDir: repo, poolId: "p", baseDir: victim }),
    );
    expect(notOurs).toBeInstanceOf(WorktreeError);
    expect(notOurs.message).toContain(
      `worktree base dir ${victim} is not empty and was not made by claude-pool`,
    );
    const linkToRepo = path.join(root, `link-to-repo-${n}`);
    symlinkSync(repo, linkToRepo);
    const back = await refused(() =>
      WorktreeManager.open({ repoDir: repo, poolId: "p", baseDir: linkToRepo }),
    );
    // Through the link it is the repository (never empty): refused before anything is written.
    expect(back).toBeInstanceOf(WorktreeError);
    expect(back.message).toContain(
      `worktree base dir ${linkToRepo} is not empty and was not made by claude-pool`,
    );
    expect(existsSync(path.join(repo, ".owner.json"))).toBe(false);
    cases.push("baseDir non-empty foreign dir", "baseDir symlink to the repo top");
    victimIntact();
  });

  it("a symlink inside the base dir pointing outside is removed, never followed (reconcile and a slot's own path)", async () => {
    const first = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    await first.createSlotWorktree("s1");
    // A crash leaves the base dir behind; a stray link to outside and a link where a slot goes appear.
    const base = first.baseDir;
    symlinkSync(victim, path.join(base, "stray"));
    const owner = JSON.parse(readFileSync(path.join(base, ".owner.json"), "utf8"));
    writeFileSync(path.join(base, ".owner.json"), JSON.stringify({ ...owner, pid: 2 ** 22 + 1 }));
    const next = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    const result = await next.reconcile();
    expect(result.removedWorktrees).toContain(path.join(base, "stray"));
    expect(existsSync(path.join(base, "stray"))).toBe(false);
    victimIntact();
    symlinkSync(victim, path.join(base, "s2"));
    const wt = await next.createSlotWorktree("s2");
    expect(lstatSync(wt.path).isSymbolicLink()).toBe(false);
    expect(existsSync(path.join(wt.path, ".git"))).toBe(true);
    victimIntact();
    await next.removeAll();
    victimIntact();
    cases.push("symlink in base dir (reconcile)", "symlink at a slot's path");
  });
});

describe("addDirs", () => {
  it("a confined pool refuses ../, absolute and symlinked-out addDirs on the pool, a slot and a task", async () => {
    symlinkSync(victim, path.join(repo, "out"));
    mkdirSync(path.join(repo, "sub"));
    for (const dir of ["..", "../x", "/etc", victim, "out", "out/deeper", "sub/../../x"]) {
      const error = await refused(() => Pool.create(confined({ config: { addDirs: ["sub", dir] } })));
      expect((error as InvalidOptions).field, dir).toBe("options.config.addDirs.1");
      expect(error.message).toContain(JSON.stringify(dir));
      cases.push(`pool addDirs ${dir}`);
    }
    const slotError = await refused(() =>
      Pool.create(confined({ slots: [{ config: { addDirs: ["out"] } }] })),
    );
    expect((slotError as InvalidOptions).field).toBe("options.slots.0.config.addDirs.0");
    const pool = await Pool.create(confined({ config: { addDirs: ["sub"] } }));
    try {
      const configure = await refused(() => pool.configureSlot("slot-0", { config: { addDirs: ["/etc"] } }));
      expect((configure as InvalidOptions).field).toBe("slot.config.addDirs.0");
      const task = await refused(() => pool.submit("x", { config: { addDirs: ["out"] } }));
      expect((task as InvalidOptions).field).toBe("task.config.addDirs.0");
      expect(task.message).toContain("through a symlink");
      expect((await pool.status()).pendingTasks).toBe(0);
      // Inside is fine.
      const r = await pool.run("inside", { config: { addDirs: ["sub"] } });
      expect(r.output.length).toBeGreaterThan(0);
    } finally {
      await pool.shutdown();
    }
    cases.push("slot spec addDirs", "configureSlot addDirs", "task addDirs");
    victimIntact();
  });
});

describe("skill directories", () => {
  it("a project skill whose directory is a symlink to outside is not loaded, and says why", async () => {
    const skills = path.join(repo, ".claude-pool", "skills");
    mkdirSync(path.join(skills, "good"), { recursive: true });
    writeFileSync(path.join(skills, "good", "SKILL.md"), "---\nname: good\ndescription: d\n---\nhello\n");
    mkdirSync(path.join(victim, "evil"));
    writeFileSync(path.join(victim, "evil", "SKILL.md"), "---\nname: evil\ndescription: d\n---\nsecret\n");
    symlinkSync(path.join(victim, "evil"), path.join(skills, "evil"));
    const pool = await Pool.create(confined({ skills: { globalDir: null, projectDir: repo } }));
    try {
      const names = pool.skills.list().map((s) => s.name);
      expect(names).toContain("good");
      expect(names).not.toContain("evil");
      const problems = pool.skills.problems;
      expect(
        problems.some((p) => p.file.endsWith("evil") && /outside the skills directory/.test(p.message)),
      ).toBe(true);
    } finally {
      await pool.shutdown();
    }
    cases.push("skill dir symlinked outside");
    console.log(
      `[security-paths] cases=${cases.length} refused-or-contained=${cases.length} outside files touched=0`,
    );
  });
});
