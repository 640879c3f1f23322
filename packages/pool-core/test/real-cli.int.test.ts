import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  claudeBinPath,
  claudeEnv,
  type MockAnthropic,
  startMockAnthropic,
} from "@claude-pool/anthropic-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BudgetExceeded, type DriverKind, Pool, type PoolOptionsInput, TaskFailed } from "../src/index.js";
import { bigText } from "./driver-harness.js";
import { initGitRepo } from "./helpers.js";

/** The real `claude` binary from npm, against the project's loopback mock of the Messages API. */
let mock: MockAnthropic;
const pools: Pool[] = [];

beforeAll(async () => {
  mock = await startMockAnthropic();
});
afterAll(async () => {
  await mock.close();
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
  mock.reset();
});

async function realPoolOn(
  driver: DriverKind,
  options: Partial<PoolOptionsInput> = {},
  cwd?: string,
): Promise<Pool> {
  const dir = cwd ?? mkdtempSync(path.join(tmpdir(), "real-cli-"));
  const pool = await Pool.create({
    slots: 1,
    ...options,
    claude: { bin: claudeBinPath(), cwd: dir, env: claudeEnv(mock), driver },
  });
  pools.push(pool);
  return pool;
}

function resultEvent(events: Array<{ kind: string; payload: unknown }>): Record<string, unknown> {
  const e = events.find((x) => x.kind === "result");
  if (!e || typeof e.payload !== "object" || e.payload === null) throw new Error("no result event");
  return e.payload as Record<string, unknown>;
}

// Warm is the default driver; the cold one (a process per task) must hold the same.
describe.each(["warm", "cold"] as const)(
  "the pool driving the real claude CLI on the %s driver",
  (driver) => {
    const realPool = (options: Partial<PoolOptionsInput> = {}, cwd?: string) =>
      realPoolOn(driver, options, cwd);
    it("runs a task and charges exactly what the CLI priced from the API's usage", async () => {
      const pool = await realPool();
      mock.enqueue({ text: "four", usage: { input_tokens: 100, output_tokens: 20 } });
      const r = await pool.run("what is 2+2?");
      expect(r.output).toBe("four");
      expect(r.turns).toBe(1);
      expect(r.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const result = resultEvent(await pool.taskEvents(r.taskId));
      expect(r.spendUsd).toBeGreaterThan(0);
      expect(r.spendUsd).toBeCloseTo(Number(result.total_cost_usd), 6);
      expect(r.tokens.input).toBeGreaterThanOrEqual(100);
      expect(r.tokens.output).toBeGreaterThanOrEqual(20);
      expect(mock.messagesRequests()[0]?.lastUserText).toBe("what is 2+2?");
    });

    it("resumes the slot's session: the second request carries the first conversation", async () => {
      const pool = await realPool();
      mock.enqueue({ text: "the secret is 42" }, { text: "you said 42" });
      const a = await pool.run("remember: the secret is 42");
      const b = await pool.run("what was the secret?");
      expect(b.sessionId).toBe(a.sessionId);
      const second = mock.messagesRequests().at(-1);
      const flat = JSON.stringify(second?.body?.messages);
      expect(flat).toContain("remember: the secret is 42");
      expect(flat).toContain("the secret is 42");
      // total_cost_usd is cumulative under --resume; the task is charged for its own call only.
      expect(b.spendUsd).toBeCloseTo(a.spendUsd, 6);
      const cumulative = Number(resultEvent(await pool.taskEvents(b.taskId)).total_cost_usd);
      expect(cumulative).toBeCloseTo(a.spendUsd + b.spendUsd, 6);
    });

    it("starts fresh when asked: the request carries no earlier conversation", async () => {
      const pool = await realPool();
      await pool.run("first prompt here");
      const b = await pool.run("second prompt", { fresh: true });
      const last = mock.messagesRequests().at(-1);
      expect(JSON.stringify(last?.body?.messages)).not.toContain("first prompt here");
      expect(b.output).toContain("Hello from mock");
    });

    it("stops a task at its per-task budget", async () => {
      const pool = await realPool();
      const err = await pool.run("expensive", { maxBudgetUsd: 0.0001 }).catch((e: unknown) => e);
      expect(err instanceof TaskFailed || err instanceof BudgetExceeded).toBe(true);
      const task = await pool.task(
        (err as { taskId?: string }).taskId ?? (await pool.store.listTasks({ poolId: pool.id }))[0]?.id ?? "",
      );
      expect(task.status).toBe("failed");
      // Stopped by its reservation (the CLI's backstop or the stream watcher): reason "budget".
      expect(task.error?.reason).toBe("budget");
      expect(task.spendMicros).toBeGreaterThan(0);
    });

    it("turns a 401 into TaskFailed with the CLI's message", async () => {
      const pool = await realPool();
      mock.enqueue({ error: { status: 401, message: "invalid x-api-key" } });
      const err = await pool.run("hi").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskFailed);
      expect((err as TaskFailed).reason).toBe("api_error");
      expect((err as TaskFailed).details.apiErrorStatus).toBe(401);
      const cliMessage = String(resultEvent(await pool.taskEvents((err as TaskFailed).taskId)).result);
      expect(cliMessage).toMatch(/API key/i);
      expect((err as TaskFailed).message).toContain(cliMessage);
    });

    it("appends slot identity, the pool's prompt and shared context to the request's system prompt", async () => {
      const pool = await realPool({
        slots: [{ name: "auditor", role: "security" }],
        config: { systemPrompt: "Answer in French." },
      });
      await pool.contextSet("ticket", "SEC-1234");
      await pool.run("hello");
      const system = mock.messagesRequests()[0]?.systemText ?? "";
      expect(system).toContain('"auditor"');
      expect(system).toContain("security");
      expect(system).toContain("Answer in French.");
      expect(system).toContain("- ticket: SEC-1234");
      // Appended, not replaced: Claude Code's own prompt is still there.
      expect(system).toMatch(/Claude/);
    });

    it("runs a 300 KB prompt with a 200 KB shared-context value and a 100 KB systemPrompt, task after task", async () => {
      // Issue 13, defect 1: each of these in argv passed Linux's 128 KB limit for one argument.
      const pool = await realPool({ config: { systemPrompt: bigText(100 * 1024, "END-OF-POOL-PROMPT") } });
      await pool.contextSet("diff", bigText(200 * 1024, "END-OF-CONTEXT"));
      for (const tail of ["END-OF-FIRST", "END-OF-SECOND"]) {
        const r = await pool.run(bigText(300 * 1024, tail));
        expect(r.output).toContain("Hello from mock");
        const request = mock.messagesRequests().at(-1);
        expect(request?.lastUserText?.endsWith(tail)).toBe(true);
        expect(request?.lastUserText?.length).toBe(300 * 1024);
        expect(request?.systemText).toContain("END-OF-CONTEXT");
        expect(request?.systemText).toContain("END-OF-POOL-PROMPT");
      }
    });

    it("lands a Write tool use under acceptEdits in the slot's worktree, not the main checkout", async () => {
      const { repo } = initGitRepo();
      const pool = await realPool({ config: { worktree: true, permissionMode: "acceptEdits" } }, repo);
      const worktree = (await pool.status()).slots[0]?.worktreePath ?? "";
      expect(worktree).not.toBe("");
      const target = path.join(worktree, "hello.txt");
      mock.script((req) =>
        req.toolResults.length > 0
          ? { text: "written" }
          : { toolUse: { name: "Write", input: { file_path: target, content: "from the real CLI\n" } } },
      );
      const r = await pool.run("create hello.txt");
      expect(r.output).toBe("written");
      expect(r.turns).toBe(2);
      expect(readFileSync(target, "utf8")).toBe("from the real CLI\n");
      expect(existsSync(path.join(repo, "hello.txt"))).toBe(false);
    });
  },
);
