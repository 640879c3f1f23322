import { createServer } from "node:net";
import { createPoolClient } from "@claude-pool/api";
import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, describe, expect, it } from "vitest";
import {
  cleanEnv,
  descendants,
  eventually,
  isAlive,
  removeTempDirs,
  runCli,
  startEngine,
  tempDir,
} from "./helpers/engine-process.js";
import { createOwner } from "./helpers/owned-engine.js";

/** How `claude-pool` starts, refuses to start, and stops (the built binary as a process). */

afterAll(() => removeTempDirs());

describe("bad command lines exit 2 with usage on stderr", () => {
  it.each([
    [["serve", "--prot", "1"], "Unknown option '--prot'", "usage: claude-pool serve"],
    [["serve", "extra"], "Unexpected argument 'extra'", "usage: claude-pool serve"],
    [["frobnicate"], 'unknown command "frobnicate"', "usage: claude-pool <command>"],
    [[], "a command is required", "usage: claude-pool <command>"],
    [["admin", "create", "--email", "a@b.co"], "--password is required", "usage: claude-pool admin create"],
  ])("%j", async (args, message, usage) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(usage);
  });

  it("prints --help on stdout with exit 0", async () => {
    const r = await runCli(["serve", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--database-url <value> (env DATABASE_URL)");
  });
});

describe("settings that cannot work exit 1 with one line naming them", () => {
  const dataDir = () => tempDir("bad");
  it.each([
    [
      ["--port", "70000"],
      {},
      'claude-pool serve: --port must be an integer from 0 to 65535 (0 picks a free port) (got "70000")',
    ],
    [
      [],
      { PORT: "http" },
      'claude-pool serve: PORT must be an integer from 0 to 65535 (0 picks a free port) (got "http")',
    ],
    [
      [],
      { DATABASE_URL: "notaurl" },
      'claude-pool serve: DATABASE_URL must be a postgres:// or postgresql:// URL (unset: embedded PGlite in the data dir) (got "notaurl")',
    ],
    [
      ["--database-url", "mysql://root:hunter2@db/app"],
      {},
      'claude-pool serve: --database-url must be a postgres:// or postgresql:// URL (unset: embedded PGlite in the data dir) (got "mysql://root:***@db/app")',
    ],
    [
      ["--web-origin", "http://127.0.0.1:3000/app"],
      {},
      'claude-pool serve: --web-origin must be comma-separated origins like http://127.0.0.1:3000 (scheme, host and port, no path) (got "http://127.0.0.1:3000/app")',
    ],
  ])("%j %j", async (args, env, line) => {
    const r = await runCli(["serve", "--data-dir", dataDir(), ...args], cleanEnvWith(env));
    expect(r.code).toBe(1);
    expect(
      r.stderr
        .trim()
        .split("\n")
        .filter((l) => !l.includes("claude-sim")),
    ).toEqual([line]);
  });

  it("an unreachable DATABASE_URL names the host and the reason", async () => {
    const r = await runCli(
      ["serve", "--data-dir", dataDir()],
      cleanEnvWith({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/app" }),
    );
    expect(r.code).toBe(1);
    const lines = r.stderr
      .trim()
      .split("\n")
      .filter((l) => !l.includes("claude-sim"));
    expect(lines).toEqual([
      'claude-pool serve: cannot connect to Postgres at 127.0.0.1:1 (database "app"): connection refused (is Postgres running and listening on that port?)',
    ]);
  });

  it("a configured Claude binary that does not exist: what was looked for, and how to get one", async () => {
    const r = await runCli(
      ["serve", "--data-dir", dataDir()],
      cleanEnvWith({ CLAUDE_POOL_BIN: "/opt/nowhere/claude" }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      "claude-pool serve: CLAUDE_POOL_BIN=/opt/nowhere/claude: /opt/nowhere/claude does not exist.",
      "install the real CLI with `npm i -g @anthropic-ai/claude-code`, or point --claude-bin / CLAUDE_POOL_BIN at an executable (unset it to use claude-sim).",
    ]);
  });

  it("CLAUDE_POOL_BIN=claude without one on PATH finds the CLI this workspace installed, saying so", async () => {
    // The unreachable database ends the start right after the binary was resolved.
    const r = await runCli(
      ["serve", "--data-dir", dataDir(), "--database-url", "postgres://postgres@127.0.0.1:1/app"],
      cleanEnvWith({ CLAUDE_POOL_BIN: "claude", PATH: "/usr/bin:/bin" }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^claude-pool: using the workspace's Claude CLI at \/.*\/node_modules\/\.bin\/claude$/m,
    );
    expect(r.stderr).toContain("cannot connect to Postgres at 127.0.0.1:1");
  });

  // Issue 13, defects 5 and 6: `pnpm start` and `admin create` read the same settings as `serve`.
  const badUrls = [
    [
      { DATABASE_URL: "notaurl" },
      'DATABASE_URL must be a postgres:// or postgresql:// URL (unset: embedded PGlite in the data dir) (got "notaurl")',
    ],
    [
      { DATABASE_URL: "mysql://root:hunter2@db/app" },
      'DATABASE_URL must be a postgres:// or postgresql:// URL (unset: embedded PGlite in the data dir) (got "mysql://root:***@db/app")',
    ],
  ] as const;
  it.each(badUrls)("start and admin create refuse %j in one line", async (env, line) => {
    const start = await runCli(["start", "--no-web", "--data-dir", dataDir()], cleanEnvWith(env));
    expect(start.code).toBe(1);
    expect(start.stderr.trim().split("\n")).toEqual([`claude-pool start: ${line}`]);
    const admin = await runCli(
      ["admin", "create", "--email", "a@b.co", "--password", "longenough", "--team", "t"],
      cleanEnvWith({ ...env, CLAUDE_POOL_DATA_DIR: dataDir() }),
    );
    expect(admin.code).toBe(1);
    expect(admin.stderr.trim().split("\n")).toEqual([`claude-pool admin: ${line}`]);
  });

  it("start with a CLAUDE_POOL_BIN found nowhere: two lines, exit 1, no stack trace", async () => {
    const r = await runCli(
      ["start", "--no-web", "--data-dir", dataDir()],
      cleanEnvWith({ CLAUDE_POOL_BIN: "claude-pool-no-such-cli", PATH: "/usr/bin:/bin" }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      'claude-pool start: CLAUDE_POOL_BIN=claude-pool-no-such-cli: no "claude-pool-no-such-cli" on PATH.',
      "install the real CLI with `npm i -g @anthropic-ai/claude-code`, or point --claude-bin / CLAUDE_POOL_BIN at an executable (unset it to use claude-sim).",
    ]);
  });

  it("start with CLAUDE_POOL_BIN=claude and none on PATH uses the workspace's CLI, saying so", async () => {
    const r = await runCli(
      ["start", "--no-web", "--data-dir", dataDir(), "--database-url", "postgres://postgres@127.0.0.1:1/app"],
      cleanEnvWith({ CLAUDE_POOL_BIN: "claude", PATH: "/usr/bin:/bin" }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^claude-pool: using the workspace's Claude CLI at \/.*\/node_modules\/\.bin\/claude$/m,
    );
    expect(r.stderr).toContain("claude-pool start: cannot connect to Postgres at 127.0.0.1:1");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a port in use says so", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const r = await runCli(["serve", "--port", String(port), "--data-dir", dataDir()]);
      expect(r.code).toBe(1);
      const lines = r.stderr
        .trim()
        .split("\n")
        .filter((l) => !l.includes("claude-sim"));
      expect(lines).toEqual([
        `claude-pool serve: port ${port} on 127.0.0.1 is already in use: stop what holds it, or pass --port / PORT`,
      ]);
    } finally {
      blocker.close();
    }
  });
});

describe("SIGTERM", () => {
  it("lets the running task finish, leaves the queued one for the next start, exits 0 with nothing left running", async () => {
    const dataDir = tempDir("term");
    const simHome = tempDir("sim");
    const { token, teamId } = await createOwner(["--data-dir", dataDir]);
    const env = { CLAUDE_SIM_HOME: simHome };
    const engine = await startEngine({ dataDir, env, args: ["--grace-ms", "60000"] });
    const client = createPoolClient({ url: engine.url, token });
    const { poolId } = await client.pools.create.mutate({ teamId, name: "p", slots: 1, config: {} });
    const running = await client.tasks.submit.mutate({
      poolId,
      prompt: `slow${simDirective({ reply: "finished in the grace period", delayMs: 2500, cost: 0.01 })}`,
    });
    await eventually(
      () => client.tasks.get.query({ taskId: running.taskId }),
      (t) => t.status === "running",
    );
    const queued = await client.tasks.submit.mutate({
      poolId,
      prompt: `later${simDirective({ reply: "after restart" })}`,
    });
    const pid = engine.child.pid ?? 0;
    const children = await descendants(pid);
    expect(children.length).toBeGreaterThan(0); // the slot's claude-sim process
    // A stream open before the signal keeps receiving until the task ends within the grace period.
    const kinds: string[] = [];
    let firstEvent: () => void = () => {};
    const seen = new Promise<void>((resolve) => {
      firstEvent = resolve;
    });
    const streamEnded = new Promise<void>((resolve, reject) => {
      client.tasks.onEvents.subscribe(
        { taskId: running.taskId },
        {
          onData(e) {
            kinds.push(e.data.kind);
            firstEvent();
          },
          onComplete: resolve,
          onError: reject,
        },
      );
    });
    await seen;
    expect(await engine.stop("SIGTERM")).toBe(0);
    await streamEnded;
    expect(kinds).toContain("result");
    expect(children.filter(isAlive)).toEqual([]);
    expect(engine.stderr()).toContain("SIGTERM received");

    const again = await startEngine({ dataDir, env });
    try {
      const after = createPoolClient({ url: again.url, token });
      const first = await after.tasks.get.query({ taskId: running.taskId });
      expect(first.status).toBe("completed");
      await expect(after.tasks.result.query({ taskId: queued.taskId, wait: true })).resolves.toMatchObject({
        output: "after restart",
      });
      expect(again.stdout()).toContain(engine.stdout().match(/engine (\S+) listening/)?.[1] ?? "?");
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 240_000);
});

const cleanEnvWith = (extra: Record<string, string>) => cleanEnv(extra);

describe("SIGINT", () => {
  it("stops the same way: a task still running after the grace period is left for the next start, exit 0", async () => {
    const dataDir = tempDir("int");
    const env = { CLAUDE_SIM_HOME: tempDir("sim") };
    const { token, teamId } = await createOwner(["--data-dir", dataDir]);
    const engine = await startEngine({ dataDir, env, args: ["--grace-ms", "200"] });
    const client = createPoolClient({ url: engine.url, token });
    const { poolId } = await client.pools.create.mutate({ teamId, name: "p", slots: 1, config: {} });
    const { taskId } = await client.tasks.submit.mutate({
      poolId,
      prompt: `long${simDirective({ reply: "finished after the restart", delayMs: 6000 })}`,
    });
    await eventually(
      () => client.tasks.get.query({ taskId }),
      (t) => t.status === "running",
    );
    // The slot's claude-sim process (spawned once the task was claimed).
    const children = await eventually(
      () => descendants(engine.child.pid ?? 0),
      (pids) => pids.length > 0,
    );
    expect(children.length).toBeGreaterThan(0);
    // Ctrl-C: the grace (200 ms) ends long before the task does.
    expect(await engine.stop("SIGINT")).toBe(0);
    expect(engine.stderr()).toContain("SIGINT received");
    expect(children.filter(isAlive)).toEqual([]);

    const again = await startEngine({ dataDir, env });
    try {
      const after = createPoolClient({ url: again.url, token });
      await expect(after.tasks.result.query({ taskId, wait: true })).resolves.toMatchObject({
        output: "finished after the restart",
      });
      // Not lost and not failed: taken over from where the first engine left it.
      expect(await after.tasks.get.query({ taskId })).toMatchObject({ status: "completed", recoveries: 1 });
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 240_000);
});
