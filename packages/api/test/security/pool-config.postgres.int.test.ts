import { schema } from "@claude-pool/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DomainApi, domainApi } from "../domain-helpers.js";

/**
 * Pool config security through the API. bypassPermissions (real host, claude-sim, a scratch Postgres): refused on a
 * pool, a slot or a task unless the pool's config says `allowBypassPermissions: true`, with a
 * BAD_REQUEST naming the field and the value; nothing stored for a refused call; marked
 * `bypassPermissions: true` in the pool's view and status once opted in. Paths (worktree base
 * dir, addDirs) that leave the pool's directory are refused the same way.
 */

let d: DomainApi;
beforeAll(async () => {
  d = await domainApi("postgres");
}, 120_000);
afterAll(async () => {
  await d?.close();
});

const BYPASS = { permissionMode: "bypassPermissions" } as const;

async function badRequest(run: () => Promise<unknown>): Promise<string> {
  const error = await run().then(
    () => null,
    (e: { code?: string; message: string }) => e,
  );
  expect(error?.code).toBe("BAD_REQUEST");
  return error?.message ?? "";
}

async function rowCounts() {
  const db = d.api.database.db;
  return {
    pools: (await db.select().from(schema.pools)).map((p) => [
      p.id,
      JSON.stringify(p.config),
      JSON.stringify(p.slotSpecs),
    ]),
    tasks: (await db.select().from(schema.tasks)).length,
  };
}

describe("bypassPermissions through the API", () => {
  it("is refused unless the pool opts in, naming the field and value, and changes nothing", async () => {
    const admin = d.team.admin.call;
    const teamId = d.team.id;
    const { poolId } = await admin.pools.create({ teamId, name: "plain", slots: 1, config: {} });
    const view = await admin.pools.get({ poolId });
    expect(view.bypassPermissions).toBe(false);
    expect(view.config.permissionMode).toBeUndefined();
    expect((await admin.pools.status({ poolId })).bypassPermissions).toBe(false);

    const before = await rowCounts();
    const messages = [
      await badRequest(() => admin.pools.create({ teamId, name: "yolo", slots: 1, config: BYPASS })),
      await badRequest(() =>
        admin.pools.create({
          teamId,
          name: "yolo",
          slots: 1,
          config: { ...BYPASS, allowBypassPermissions: false },
        }),
      ),
      await badRequest(() => admin.pools.update({ poolId, config: BYPASS })),
      await badRequest(() => admin.slots.configure({ poolId, slotId: "slot-0", config: BYPASS })),
      await badRequest(() => admin.tasks.submit({ poolId, prompt: "x", config: BYPASS })),
    ];
    expect(messages[0]).toBe(
      'config.permissionMode is "bypassPermissions", which lets Claude run every tool without asking: ' +
        "it is refused unless config.allowBypassPermissions is true as well",
    );
    expect(messages[1]).toBe(messages[0]);
    expect(messages[2]).toBe(messages[0]);
    expect(messages[3]).toContain('slot.config.permissionMode is "bypassPermissions"');
    expect(messages[4]).toContain('task.config.permissionMode is "bypassPermissions"');
    for (const m of messages) expect(m).toContain("allowBypassPermissions is true");
    expect(await rowCounts()).toEqual(before);
    console.log(
      `[security-bypass] refused=${messages.length} (pools.create ×2, pools.update, slots.configure, tasks.submit) rows changed=0`,
    );
  });

  it("runs and is marked in the view and status when the pool opted in; the opt-in cannot be withdrawn under it", async () => {
    const admin = d.team.admin.call;
    const { poolId } = await admin.pools.create({
      teamId: d.team.id,
      name: "sandboxed",
      slots: 1,
      config: { ...BYPASS, allowBypassPermissions: true },
    });
    const view = await admin.pools.get({ poolId });
    expect(view).toMatchObject({ bypassPermissions: true, config: { permissionMode: "bypassPermissions" } });
    expect((await admin.pools.status({ poolId })).bypassPermissions).toBe(true);
    expect(
      (await admin.pools.list({ teamId: d.team.id })).find((p) => p.id === poolId)?.bypassPermissions,
    ).toBe(true);

    const message = await badRequest(() =>
      admin.pools.update({ poolId, config: { allowBypassPermissions: false } }),
    );
    expect(message).toContain('config.permissionMode is "bypassPermissions"');
    expect((await admin.pools.get({ poolId })).config.allowBypassPermissions).toBe(true);

    // A plain pool whose slot asks for bypass once the pool opted in; withdrawing the opt-in is refused for the slot.
    const { poolId: other } = await admin.pools.create({
      teamId: d.team.id,
      name: "one slot",
      slots: 1,
      config: { allowBypassPermissions: true },
    });
    await admin.slots.configure({ poolId: other, slotId: "slot-0", config: BYPASS });
    expect((await admin.pools.get({ poolId: other })).bypassPermissions).toBe(true);
    expect((await admin.pools.status({ poolId: other })).bypassPermissions).toBe(true);
    const slotMessage = await badRequest(() =>
      admin.pools.update({ poolId: other, config: { allowBypassPermissions: false } }),
    );
    expect(slotMessage).toContain('slots.slot-0.config.permissionMode is "bypassPermissions"');
  });

  it("refuses worktree base dirs and addDirs that leave the pool's directory, naming the field and value", async () => {
    const admin = d.team.admin.call;
    const teamId = d.team.id;
    const before = await rowCounts();
    const attempts: Array<[Record<string, unknown>, string, string]> = [
      [{ worktree: { baseDir: "/etc" } }, "config.worktree.baseDir", "/etc"],
      [{ worktree: { baseDir: "../../other-pool" } }, "config.worktree.baseDir", "../../other-pool"],
      [{ addDirs: ["/root"] }, "config.addDirs.0", "/root"],
      [{ addDirs: ["ok", "../.."] }, "config.addDirs.1", "../.."],
    ];
    for (const [config, field, value] of attempts) {
      const message = await badRequest(() =>
        admin.pools.create({ teamId, name: "escape", slots: 1, config }),
      );
      expect(message).toMatch(
        new RegExp(
          `^${field.replaceAll(".", "\\.")} must be a path relative to the pool's working directory`,
        ),
      );
      expect(message).toContain(`(got ${JSON.stringify(value)})`);
    }
    const { poolId } = await admin.pools.create({ teamId, name: "confined", slots: 1, config: {} });
    const slot = await badRequest(() =>
      admin.slots.configure({ poolId, slotId: "slot-0", config: { addDirs: ["/etc"] } }),
    );
    expect(slot).toContain(
      'slot.config.addDirs.0 must be a path relative to the pool\'s working directory that stays inside it (got "/etc")',
    );
    const task = await badRequest(() =>
      admin.tasks.submit({ poolId, prompt: "x", config: { addDirs: ["../../.."] } }),
    );
    expect(task).toContain("task.config.addDirs.0");
    const after = await rowCounts();
    expect(after.tasks).toBe(before.tasks);
    console.log(
      `[security-paths-api] refused=${attempts.length + 2} (pools.create ×${attempts.length}, slots.configure, tasks.submit)`,
    );
  });
});
