import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createContextFromRequest } from "../../src/context.js";
import { createPoolHost } from "../../src/host/index.js";
import { appRouter } from "../../src/root.js";
import { hostOptions } from "../domain-helpers.js";
import { createTestApi, type TestApi, type TestTeam } from "../helpers/harness.js";
import { runExampleService } from "./service.js";

/** The README's example service, run over real HTTP against a real host driving claude-sim. */

let api: TestApi;
let team: TestTeam;
let server: Server;
let url: string;
const dir = mkdtempSync(path.join(tmpdir(), "claude-pool-example-"));

beforeAll(async () => {
  api = await createTestApi({
    database: "pglite",
    host: async (database) => {
      const host = await createPoolHost(hostOptions(database, dir, "example-engine"));
      await host.start();
      return host;
    },
  });
  team = await api.team();
  const handler = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    createContext: ({ req, res }) => createContextFromRequest({ req, res, inner: api }),
  });
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("submits, follows the events to the end, and prints the result and its spend", async () => {
  const { poolId } = await team.admin.call.pools.create({
    teamId: team.id,
    name: "example",
    slots: 1,
    config: {},
  });
  const { token } = await api.token(team.member, team.id, "member");
  const lines: string[] = [];
  const result = await runExampleService({
    url,
    token,
    poolId,
    prompt: "Say hello",
    log: (l) => lines.push(l),
  });

  expect(lines[0]).toBe(`submitted ${result.taskId}`);
  const eventLines = lines.filter((l) => /^\[\d+\] /.test(l));
  expect(eventLines.length).toBeGreaterThan(0);
  // Sequence numbers arrive in order, from the first, with no gap.
  expect(eventLines.map((l) => Number(l.slice(1, l.indexOf("]"))))).toEqual(eventLines.map((_, i) => i + 1));
  expect(result.output.length).toBeGreaterThan(0);
  expect(lines).toContain(result.output);
  expect(result.spendUsd).toBeGreaterThan(0);
  expect(lines.at(-1)).toMatch(/^spend: \$\d+\.\d{6} \(\d+ in, \d+ out\)$/);
  const task = await team.viewer.call.tasks.get({ taskId: result.taskId });
  expect(task).toMatchObject({ status: "completed" });
});

it("the README's example, taken from the README and run as a script, prints the output and the spend", async () => {
  const { poolId } = await team.admin.call.pools.create({
    teamId: team.id,
    name: "readme",
    slots: 1,
    config: {},
  });
  const { token } = await api.token(team.member, team.id, "member");
  const here = path.dirname(fileURLToPath(import.meta.url));
  const readme = readFileSync(path.join(here, "../../README.md"), "utf8");
  const block = /An example service[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toContain('from "@claude-pool/api"');
  // Outside a service the package is this one's source: the same module a consumer imports.
  const script = path.join(dir, "readme-example.mts"); // .mts: the block uses top-level await
  const source = path.join(here, "../../src/index.ts");
  writeFileSync(script, String(block).replace('from "@claude-pool/api"', `from ${JSON.stringify(source)}`));
  const tsx = path.join(here, "../../../../node_modules/tsx/dist/loader.mjs");
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--conditions=@claude-pool/source", "--import", tsx, script],
    { env: { ...process.env, CLAUDE_POOL_URL: url, CLAUDE_POOL_TOKEN: token, CLAUDE_POOL_POOL_ID: poolId } },
  );
  const lines = stdout.trim().split("\n");
  expect(lines[0]).toMatch(/^\[1\] \S+$/);
  expect(lines.at(-2)).toBe("sim: Say hello");
  expect(lines.at(-1)).toMatch(/^spend: \$\d+\.\d{6}$/);
});
