import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cleanEnv, removeTempDirs, runCli } from "./helpers/engine-process.js";
import { type OwnedEngine, startOwnedEngine } from "./helpers/owned-engine.js";

/** The built `claude-pool` client commands against a started engine with claude-sim slots. */
let e: OwnedEngine;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  e = await startOwnedEngine();
  env = cleanEnv({ CLAUDE_POOL_URL: e.engine.url, CLAUDE_POOL_TOKEN: e.token });
});
afterAll(async () => {
  await e?.engine.stop();
  removeTempDirs();
});

const cli = (...args: string[]) => runCli(args, env);

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("claude-pool client commands", () => {
  it("admin create --json gave an owner token; token create/list/revoke manage more", async () => {
    expect(e.token).toMatch(/^cp_/);
    const created = await cli("token", "create", "--name", "ci", "--role", "member");
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^cp_\S+$/);
    expect(created.stderr).toMatch(/shown once/);

    const list = await cli("token", "list");
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+ROLE/);
    expect(list.stdout).toMatch(/\bci\s+member\b/);
    const json = JSON.parse((await cli("token", "list", "--json")).stdout) as {
      tokens: Array<{ id: string; name: string }>;
    };
    const ci = json.tokens.find((t) => t.name === "ci");

    // The new token works, then stops working once revoked.
    const withCi = cleanEnv({ CLAUDE_POOL_URL: e.engine.url, CLAUDE_POOL_TOKEN: token });
    expect((await runCli(["status"], withCi)).code).toBe(0);
    const revoked = await cli("token", "revoke", String(ci?.id));
    expect(revoked.stdout).toContain("revoked");
    const refused = await runCli(["status"], withCi);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain(`the engine at ${e.engine.url} refused the token`);
  });

  it("run streams the task's output, then prints spend, tokens, model, turns and duration", async () => {
    const r = await cli(
      "run",
      `stream it ${simDirective({ reply: "streamed answer", toolTurns: 1, cost: 0.002 })}`,
      "--pool",
      e.poolName,
    );
    expect(r.code, r.stderr).toBe(0);
    // The tool round's text came first, then the final answer: both as the CLI produced them.
    expect(r.stdout).toContain("streamed answer");
    expect(r.stdout.indexOf("streamed answer")).toBeGreaterThan(0);
    expect(r.stderr).toMatch(
      /spend \$0\.00[0-9]+ · tokens \d+ in \/ \d+ out .* · model \S+ · turns 2 · [\d.]+(ms|s)/,
    );
    // Not a terminal and no --progress: no progress lines.
    expect(r.stderr).not.toMatch(/queued/);
  });

  it("run prints the output as the CLI produces it: the first round's text while the task still runs", async () => {
    // Two API calls 4 s apart: the tool round's text, then the final answer.
    const prompt = `live ${simDirective({ reply: "the final answer", toolTurns: 1, delayMs: 4000 })}`;
    const child = spawn(process.execPath, [CLI, "run", prompt], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const firstChunk = new Promise<void>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    await firstChunk;
    // What was printed so far came before the end: the task is still running, its answer not out.
    const [running] = await e.client.tasks.list
      .query({ poolId: e.poolId, status: "running" })
      .then((p) => p.items.filter((t) => t.prompt === prompt));
    expect(running?.status).toBe("running");
    expect(stdout).not.toContain("the final answer");
    // A whole line: a program reading stdout line by line through a pipe has it now.
    expect(stdout).toMatch(/\n$/);
    expect(await exited, stderr).toBe(0);
    expect(stdout).toContain("the final answer");
  });

  it("the progress line shows when stderr is a terminal, without --progress", async () => {
    // script(1) gives the command a pseudo-terminal (stdout and stderr both reach us through it).
    const quoted = [process.execPath, CLI, "run", "on a terminal"].map((a) => `'${a}'`).join(" ");
    const tty = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn("script", ["-qefc", quoted, "/dev/null"], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, out }));
    });
    expect(tty.code, tty.out).toBe(0);
    // The rewritable line (carriage return + erase line), then the output and the summary.
    expect(tty.out).toContain("\r\u001b[2Kqueued as ");
    expect(tty.out).toMatch(/queued as [0-9a-f-]{36}/);
    expect(tty.out).toContain("sim: on a terminal");
    expect(tty.out).toMatch(/spend \$/);
  });

  it("run --progress shows a progress line while the task waits in the queue", async () => {
    const slow = simDirective({ delayMs: 2500 });
    const a = await cli("submit", `hold one ${slow}`);
    const b = await cli("submit", `hold two ${slow}`);
    expect([a.code, b.code]).toEqual([0, 0]);
    const r = await cli("run", "after the others", "--progress");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/queued/);
    expect(r.stdout.trim()).toBe("sim: after the others");
  });

  it("run --json prints one JSON document; a failed task exits 1 with the reason", async () => {
    const ok = await cli("run", "as json", "--json");
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: "completed", output: "sim: as json" });
    const failed = await cli("run", `break ${simDirective({ apiError: 500 })}`);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/task \S+ failed: .*500/);
  });

  it("submit prints the id; result --wait prints the output; result --json one document", async () => {
    const s = await cli("submit", "later please", "--tag", "cli");
    expect(s.code).toBe(0);
    const id = s.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const r = await cli("result", id, "--wait");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("sim: later please");
    const j = JSON.parse((await cli("result", id, "--json")).stdout);
    expect(j).toMatchObject({ taskId: id, status: "completed", output: "sim: later please" });
  });

  it("status prints a table of slots with the queue and budget; --json one document", async () => {
    const r = await cli("status");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(
      new RegExp(`^pool ${e.poolName} \\(${e.poolId}\\): queue \\d+, running \\d+, spend \\$`),
    );
    expect(lines[1]).toMatch(/^SLOT\s+ROLE\s+STATE\s+TASK\s+FOR\s+SPEND$/);
    expect(lines.filter((l) => /^slot-\d\s/.test(l))).toHaveLength(2);
    const j = JSON.parse((await cli("status", "--pool", e.poolName, "--json")).stdout);
    expect(j.pools[0]).toMatchObject({ id: e.poolId, name: e.poolName });
    expect(j.pools[0].slots).toHaveLength(2);
  });

  it("--json on submit, drain and token create/revoke prints one JSON document", async () => {
    const submitted = JSON.parse((await cli("submit", "json please", "--json")).stdout);
    expect(submitted).toEqual({ taskId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const created = JSON.parse((await cli("token", "create", "--name", "json", "--json")).stdout);
    expect(created).toMatchObject({ id: expect.any(String), token: expect.stringMatching(/^cp_/) });
    const revoked = JSON.parse((await cli("token", "revoke", created.id, "--json")).stdout);
    expect(revoked).toMatchObject({ revoked: true });
    await cli("result", submitted.taskId, "--wait");
    const drained = JSON.parse((await cli("drain", "--pool", e.poolName, "--json")).stdout);
    expect(drained).toMatchObject({ poolId: e.poolId });
  });

  it("drain cancels the queue and reports the totals", async () => {
    const r = await cli("drain", "--pool", e.poolName);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^drained pool main: \d+ queued tasks cancelled/);
  });

  it("every command has --help; a bad flag prints the usage and exits 2", async () => {
    const commands = ["run", "submit", "result", "status", "drain", "token", "mcp"];
    const runs = await Promise.all(
      commands.map(async (command) => ({
        command,
        help: await cli(command, "--help"),
        bad: await cli(command, "--no-such-flag"),
      })),
    );
    for (const { command, help, bad } of runs) {
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`usage: claude-pool ${command}`, "i"));
      expect(bad.code, command).toBe(2);
      expect(bad.stderr, command).toMatch(new RegExp(`usage: claude-pool ${command}`, "i"));
    }
  }, 180_000);

  it("an engine that does not answer: one line naming the URL and why, exit 1", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const runs = await Promise.all(
      [["run", "hi"], ["status"], ["token", "list"]].map((args) =>
        runCli([...args, "--url", url], cleanEnv({ CLAUDE_POOL_TOKEN: e.token })),
      ),
    );
    for (const r of runs) {
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`cannot reach the engine at ${url}: connection refused`);
    }
  });
});
