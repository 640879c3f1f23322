import { describe, expect, it } from "vitest";
import { InvalidOptions, Pool } from "../src/index.js";
import { simPool } from "./helpers.js";

/** bypassPermissions is never a default and needs the pool's explicit `allowBypassPermissions: true`. */

async function refusal(run: () => Promise<unknown>): Promise<InvalidOptions> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidOptions);
  return error as InvalidOptions;
}

describe("bypassPermissions", () => {
  it("a pool with no permission mode never runs the CLI in bypass", async () => {
    const { pool, log } = await simPool({ slots: 1 });
    await pool.run("hello");
    const [entry] = log();
    expect(entry?.permissionMode).toBe("default");
    expect(entry?.argv.join(" ")).not.toMatch(/bypassPermissions|dangerously-skip-permissions/);
    expect((await pool.status()).bypassPermissions).toBe(false);
    await pool.shutdown();
  });

  it("refuses it on the pool, a slot or raw CLI arguments unless the pool opts in, naming the field and value", async () => {
    const cases: Array<[string, () => Promise<unknown>]> = [
      [
        "options.config.permissionMode",
        () => Pool.create({ slots: 1, config: { permissionMode: "bypassPermissions" } }),
      ],
      [
        "options.slots.1.config.permissionMode",
        () => Pool.create({ slots: [{}, { config: { permissionMode: "bypassPermissions" } }] }),
      ],
      [
        "options.claude.extraArgs",
        () =>
          Pool.create({ slots: 1, claude: { bin: "claude", extraArgs: ["--dangerously-skip-permissions"] } }),
      ],
      [
        "options.claude.extraArgs",
        () =>
          Pool.create({
            slots: 1,
            claude: { bin: "claude", extraArgs: ["--permission-mode", "bypassPermissions"] },
          }),
      ],
      [
        "options.config.permissionMode",
        () =>
          Pool.create({
            slots: 1,
            config: { permissionMode: "bypassPermissions", allowBypassPermissions: false },
          }),
      ],
    ];
    for (const [field, run] of cases) {
      const error = await refusal(run);
      expect(error.field).toBe(field);
      expect(error.message).toContain(`${field} is "`);
      expect(error.message).toContain("options.config.allowBypassPermissions is true");
    }
  });

  it("refuses it on a slot's or a task's config of a pool that did not opt in", async () => {
    const { pool } = await simPool({ slots: 1 });
    const slot = await refusal(() =>
      pool.configureSlot("slot-0", { config: { permissionMode: "bypassPermissions" } }),
    );
    expect(slot.message).toBe(
      'slot.config.permissionMode is "bypassPermissions", which lets Claude run every tool without asking: ' +
        "it is refused unless the pool's config.allowBypassPermissions is true as well",
    );
    const task = await refusal(() => pool.submit("x", { config: { permissionMode: "bypassPermissions" } }));
    expect(task.field).toBe("task.config.permissionMode");
    expect((await pool.status()).pendingTasks).toBe(0);
    await pool.shutdown();
  });

  it("refuses it in a chain's steps at submit, and in a skill's config when the skill runs", async () => {
    const { pool } = await simPool({ slots: 1 });
    const chain = await refusal(() =>
      pool.submitChain([
        { name: "a", action: { type: "prompt", prompt: "x" } },
        {
          name: "b",
          action: { type: "prompt", prompt: "y" },
          config: { permissionMode: "bypassPermissions" },
        },
      ]),
    );
    expect(chain.field).toBe("steps.1.config.permissionMode");
    expect(await pool.store.listChains(pool.id)).toHaveLength(0);
    pool.skills.register(
      { name: "yolo", description: "d", prompt: "p", config: { permissionMode: "bypassPermissions" } },
      "runtime",
    );
    const skill = await refusal(() => pool.runSkill("yolo", {}));
    expect(skill.field).toBe("task.config.permissionMode");
    await pool.shutdown();
  });

  it("a chain step whose task is refused ends the chain failed with the reason (it does not spin)", async () => {
    const { pool } = await simPool({ slots: 1, confinePaths: true });
    const chainId = await pool.submitChain([
      {
        name: "out",
        action: { type: "prompt", prompt: "x" },
        config: { addDirs: ["/etc"] },
        failurePolicy: { retries: 1 },
      },
    ]);
    const progress = await pool.chainResult(chainId, { wait: true });
    expect(progress.status).toBe("failed");
    expect(progress.error).toContain(
      "task.config.addDirs.0 must be a path relative to the pool's working directory",
    );
    expect(progress.steps[0]?.attempts).toBe(2);
    await pool.shutdown();
  });

  it("runs it when the pool opted in, and says so in the status", async () => {
    const { pool, log } = await simPool({
      slots: 2,
      config: { allowBypassPermissions: true },
      // claude-sim, like the CLI, refuses bypass as root unless told it is sandboxed.
      claude: { env: { IS_SANDBOX: "1" } },
    });
    expect((await pool.status()).bypassPermissions).toBe(false);
    await pool.configureSlot("slot-1", { config: { permissionMode: "bypassPermissions" } });
    expect((await pool.status()).bypassPermissions).toBe(true);
    await pool.run("as asked", { slot: "slot-1" });
    expect(log().at(-1)?.permissionMode).toBe("bypassPermissions");
    await pool.shutdown();
  });
});
