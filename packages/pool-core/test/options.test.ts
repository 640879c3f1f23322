import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath } from "@claude-pool/claude-sim";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidOptions, Pool, type PoolOptionsInput } from "../src/index.js";
import { simPool } from "./helpers.js";

/** Issue 13, defects 4 and 8: option errors in our words, unknown keys named, chains refused at submit. */
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

async function refusal(p: Promise<unknown>): Promise<InvalidOptions> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof InvalidOptions)) throw new Error(`expected InvalidOptions, got ${String(err)}`);
  return err;
}

const create = (input: Record<string, unknown>) =>
  refusal(Pool.create({ claude: { bin: simBinPath }, ...input } as PoolOptionsInput));

describe("pool options", () => {
  it("says what a bad value must be, in our words", async () => {
    expect((await create({ slots: 0 })).message).toBe("options.slots must be an integer ≥ 1 (got 0)");
    expect((await create({ slots: 1.5 })).message).toBe("options.slots must be an integer (got 1.5)");
    expect((await create({ slots: 300 })).message).toBe("options.slots must be an integer ≤ 256 (got 300)");
    expect((await create({ slots: 1, config: { budgetUsd: 0 } })).message).toBe(
      "options.config.budgetUsd must be a number > 0 (got 0)",
    );
    expect((await create({ slots: 1, config: { permissionMode: "yolo" } })).message).toBe(
      'options.config.permissionMode must be one of "default", "acceptEdits", "auto", "bypassPermissions", "manual", "dontAsk", "plan" (got "yolo")',
    );
    expect((await create({ slots: 1, config: { model: "" } })).message).toBe(
      'options.config.model must be a non-empty string (got "")',
    );
    expect((await create({ slots: 1, config: { sessionMode: 3 } })).message).toBe(
      'options.config.sessionMode must be one of "resume", "fresh" (got 3)',
    );
  });

  it("names an unknown key, with the option it probably meant", async () => {
    const typo = await create({ slot: 2 });
    expect(typo.message).toBe("unknown option options.slot (did you mean options.slots?)");
    expect(typo.field).toBe("options.slot");
    expect((await create({ slots: 1, config: { budgetUSD: 1 } })).message).toBe(
      "unknown option options.config.budgetUSD (did you mean options.config.budgetUsd?)",
    );
    expect((await create({ slots: 1, claude: { bin: simBinPath, colour: "red" } })).message).toBe(
      "unknown option options.claude.colour",
    );
    expect((await create({ slots: [{ nmae: "x" }] })).message).toBe(
      "unknown option options.slots.0.nmae (did you mean options.slots.0.name?)",
    );
  });
});

describe("task and slot options", () => {
  it("names the field and the value, and unknown task options", async () => {
    const { pool } = await simPool({ slots: 1 });
    pools.push(pool);
    expect((await refusal(pool.submit("x", { priority: 1.5 }))).message).toBe(
      "task.priority must be an integer (got 1.5)",
    );
    expect((await refusal(pool.submit("x", { timeoutMs: -1 }))).message).toBe(
      "task.timeoutMs must be an integer > 0 (got -1)",
    );
    expect((await refusal(pool.submit("x", { timeout: 5 } as never))).message).toBe(
      "unknown option task.timeout (did you mean task.timeoutMs?)",
    );
    expect((await refusal(pool.submit(""))).message).toBe('prompt must be a non-empty string (got "")');
    expect((await refusal(pool.configureSlot("slot-0", { role: "" }))).message).toBe(
      'slot.role must be a non-empty string (got "")',
    );
  });
});

describe("chains", () => {
  it('refuses isolation "worktree" outside a git repository at submit, naming options.isolation', async () => {
    const { pool, dir } = await simPool({ slots: 1 });
    pools.push(pool);
    const err = await refusal(
      pool.submitChain([{ name: "a", action: { type: "prompt", prompt: "hi" } }], { isolation: "worktree" }),
    );
    expect(err.field).toBe("options.isolation");
    expect(err.message).toBe(
      `options.isolation "worktree" needs a git repository with a commit: ${dir} is not inside one`,
    );
    const elsewhere = mkdtempSync(path.join(tmpdir(), "not-a-repo-"));
    const other = await refusal(
      pool.submitChain([{ name: "a", action: { type: "prompt", prompt: "hi" } }], {
        isolation: "worktree",
        cwd: elsewhere,
      }),
    );
    expect(other.message).toContain(elsewhere);
    // Nothing was started.
    expect(await pool.store.listChains(pool.id)).toEqual([]);
  });

  it("names unknown chain options", async () => {
    const { pool } = await simPool({ slots: 1 });
    pools.push(pool);
    const err = await refusal(
      pool.submitChain([{ name: "a", action: { type: "prompt", prompt: "hi" } }], {
        isolaton: "worktree",
      } as never),
    );
    expect(err.message).toBe("unknown option options.isolaton (did you mean options.isolation?)");
  });
});
