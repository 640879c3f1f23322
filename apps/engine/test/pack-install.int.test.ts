import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeSimPath } from "../src/config/claude-bin.js";
import { type EngineProcess, removeTempDirs, startEngine, tempDir } from "./helpers/engine-process.js";
import { createOwner } from "./helpers/owned-engine.js";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../../..", import.meta.url));
const PACKAGES = ["pool-core", "db", "api"];

/**
 * Item 6 of issue 7: the packed tarballs of @claude-pool/core, db and api, installed with npm in a
 * directory outside the workspace, work from a plain Node 20 ESM script (no TypeScript loader):
 * a Pool runs a task on claude-sim, and createPoolClient drives a running engine, SSE included.
 */

let consumer: string;
let engine: EngineProcess;
let token: string;
let teamId: string;

beforeAll(async () => {
  const packs = tempDir("packs");
  for (const name of PACKAGES) {
    await exec("pnpm", ["pack", "--pack-destination", packs], { cwd: join(root, "packages", name) });
  }
  consumer = tempDir("consumer");
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  const tarballs = readdirSync(packs).map((f) => join(packs, f));
  // --legacy-peer-deps: npm 10's peer resolution of this tree (better-auth, tRPC) runs for more than
  // ten minutes here; the packages declare every dependency they import, so nothing is missing.
  await exec(
    "npm",
    ["install", "--no-audit", "--no-fund", "--legacy-peer-deps", "--prefer-offline", ...tarballs],
    {
      cwd: consumer,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const dataDir = tempDir("pack-engine");
  ({ token, teamId } = await createOwner(["--data-dir", dataDir]));
  engine = await startEngine({ dataDir, env: { CLAUDE_SIM_HOME: tempDir("sim") } });
}, 600_000);

afterAll(async () => {
  await engine?.stop();
  removeTempDirs();
});

const installed = (name: string) => join(consumer, "node_modules", "@claude-pool", name);

describe("the packed packages installed outside the workspace", () => {
  it("have real dependency versions and point every export at dist with declarations", () => {
    for (const name of ["core", "db", "api"]) {
      const pkg = JSON.parse(readFileSync(join(installed(name), "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
        exports: Record<string, Record<string, string>>;
      };
      expect(Object.values(pkg.dependencies).filter((v) => /workspace:|catalog:/.test(v))).toEqual([]);
      expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js" });
      expect(existsSync(join(installed(name), "dist", "index.d.ts"))).toBe(true);
      expect(existsSync(join(installed(name), "src"))).toBe(false);
    }
  });

  it("run from a plain Node ESM script: a Pool task on claude-sim, and the typed client against an engine", async () => {
    const script = join(consumer, "use.mjs");
    writeFileSync(
      script,
      `import { Pool } from "@claude-pool/core";
import { createPoolClient } from "@claude-pool/api";
const [bin, url, token, teamId] = process.argv.slice(2);
const pool = await Pool.create({ slots: 1, claude: { bin, cwd: process.cwd(), env: { CLAUDE_SIM_HOME: process.cwd() + "/.sim" } } });
const local = await pool.run("hello from a library user");
await pool.shutdown();
const client = createPoolClient({ url, token });
const { poolId } = await client.pools.create.mutate({ teamId, name: "from-npm", slots: 1, config: {} });
const { taskId } = await client.tasks.submit.mutate({ poolId, prompt: "hello from a service" });
const kinds = [];
await new Promise((resolve, reject) => client.tasks.onEvents.subscribe({ taskId }, {
  onData: (e) => kinds.push(e.data.kind), onComplete: resolve, onError: reject,
}));
const remote = await client.tasks.result.query({ taskId, wait: true });
console.log(JSON.stringify({ local: local.output, remote: remote.output, spend: remote.spendUsd > 0, kinds }));
`,
    );
    const { stdout } = await exec(process.execPath, [script, claudeSimPath(), engine.url, token, teamId], {
      cwd: consumer,
    });
    const out = JSON.parse(stdout) as { local: string; remote: string; spend: boolean; kinds: string[] };
    expect(out).toMatchObject({
      local: "sim: hello from a library user",
      remote: "sim: hello from a service",
      spend: true,
    });
    expect(out.kinds.at(-1)).toBe("result");
  });
});
