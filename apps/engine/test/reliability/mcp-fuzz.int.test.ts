import { createPoolClient } from "@claude-pool/api";
import { simBinPath } from "@claude-pool/claude-sim";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import type { PoolBackend } from "../../src/mcp/backend.js";
import { createMcpServer, TOOL_NAMES } from "../../src/mcp/server.js";
import {
  type EngineProcess,
  eventually,
  removeTempDirs,
  startEngine,
  tempDir,
} from "../helpers/engine-process.js";
import { type McpSession, startMcp } from "../helpers/mcp-client.js";
import { createOwner } from "../helpers/owned-engine.js";
import { createScratchPostgres, type ScratchPostgres } from "../helpers/postgres.js";
import { createSnapshotter } from "./db-snapshot.js";
import { accepted, malformedInputs, mergedSchema, type ProcedureInfo, seedValue } from "./schema-fuzz.js";

/**
 * Every MCP tool fed malformed arguments generated from its own zod input schema (the generator
 * of the tRPC fuzz), over a real MCP connection: the SDK's stdio client against `claude-pool mcp
 * --url --token`, which drives the built engine on Postgres. Every refused input must come back
 * as a tool error (`isError`) naming the field, the server must keep answering, and no table may
 * change.
 */

const CASES_PER_TOOL = 20;
const COUNT_ONLY = new Set(["api_tokens", "sessions", "engines", "slots"]);

let pg: ScratchPostgres;
let engine: EngineProcess;
let mcp: McpSession;
const ids: Record<string, string> = {};

beforeAll(async () => {
  pg = await createScratchPostgres("mcp_fuzz");
  const doc = await createOwner(["--database-url", pg.url]);
  engine = await startEngine({
    args: ["--claude-bin", simBinPath, "--database-url", pg.url],
    env: { CLAUDE_SIM_HOME: tempDir("sim") },
  });
  const client = createPoolClient({ url: engine.url, token: doc.token });
  const { poolId } = await client.pools.create.mutate({
    teamId: doc.teamId,
    name: "fuzz",
    slots: 1,
    config: {},
  });
  const { taskId } = await client.tasks.submit.mutate({ poolId, prompt: "seed task" });
  await client.tasks.result.query({ taskId, wait: true });
  const { chainId } = await client.chains.submit.mutate({
    poolId,
    steps: [{ name: "one", action: { type: "prompt", prompt: "seed chain" } }],
  });
  await eventually(
    () => client.chains.get.query({ chainId }),
    (c) => c.status !== "running",
    60_000,
  );
  Object.assign(ids, {
    task_id: taskId,
    chain_id: chainId,
    slot_id: "slot-0",
    slot: "slot-0",
    review_id: taskId,
  });
  mcp = await startMcp(["--url", engine.url, "--token", doc.token, "--pool", "fuzz"]);
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  await engine?.stop("SIGKILL");
  await pg?.drop();
  removeTempDirs();
});

/** Each tool's zod input schema, read from a server built over a backend that is never called. */
function toolSchemas(): Map<string, ZodType> {
  const unused = new Proxy({ label: "schemas only" } as PoolBackend, {
    get: (target, property) =>
      property === "label" ? target.label : () => Promise.reject(new Error("not called")),
  });
  const server = createMcpServer(unused, () => {});
  const tools = (server as unknown as { _registeredTools: Record<string, { inputSchema?: ZodType }> })
    ._registeredTools;
  const out = new Map<string, ZodType>();
  for (const [name, tool] of Object.entries(tools)) if (tool.inputSchema) out.set(name, tool.inputSchema);
  return out;
}

/** Top-level keys where `input` differs from the seed (the field the error should name). */
function changedKeys(seed: Record<string, unknown>, input: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(seed), ...Object.keys(input)]);
  return [...keys].filter((k) => JSON.stringify(seed[k]) !== JSON.stringify(input[k]));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

describe("fuzzing every MCP tool over a real MCP connection", () => {
  it("answers every malformed input with a tool error naming the field; the server stays up; no row changed", async () => {
    const snap = createSnapshotter(pg.url, COUNT_ONLY);
    const schemas = toolSchemas();
    expect([...schemas.keys()].sort()).toEqual([...TOOL_NAMES].sort());
    const totals = {
      tools: schemas.size,
      cases: 0,
      toolErrors: 0,
      minCasesPerTool: Number.POSITIVE_INFINITY,
      skippedValid: 0,
      skippedNotObject: 0,
    };
    const problems: string[] = [];
    const examples: string[] = [];
    const before = await snap.take();
    try {
      for (const [name, schema] of schemas) {
        const info: ProcedureInfo = { path: name, type: "mutation", inputs: [schema] };
        // The valid seed the generator mutates: what differs from it is the field to be named.
        const seedValid = seedValue(mergedSchema(info), "", ids) as Record<string, unknown>;
        const inputs = fc.sample(malformedInputs(info, ids), { numRuns: CASES_PER_TOOL * 4, seed: 7 });
        let cases = 0;
        for (const input of inputs) {
          if (cases >= CASES_PER_TOOL) break;
          // MCP arguments are an object by protocol (the client refuses anything else itself).
          if (!isPlainObject(input)) {
            totals.skippedNotObject++;
            continue;
          }
          if (accepted(info, input)) {
            totals.skippedValid++;
            continue;
          }
          cases++;
          totals.cases++;
          const result = (await mcp.client.callTool({ name, arguments: input })) as CallToolResult;
          const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
          if (result.isError !== true) {
            problems.push(`${name} ${JSON.stringify(input)}: not an error: ${text.slice(0, 200)}`);
            continue;
          }
          totals.toolErrors++;
          if (name === "pool_run" && examples.length < 2) examples.push(text.slice(0, 160));
          const fields = changedKeys(seedValid, input);
          if (fields.length > 0 && !fields.some((f) => text.includes(f))) {
            problems.push(
              `${name} ${JSON.stringify(input)}: names none of ${fields.join(", ")}: ${text.slice(0, 300)}`,
            );
          }
          if (/\n\s+at |node_modules/.test(text))
            problems.push(`${name}: a stack trace: ${text.slice(0, 300)}`);
        }
        totals.minCasesPerTool = Math.min(totals.minCasesPerTool, cases);
      }
    } finally {
      const changed = snap.diff(before, await snap.take());
      if (changed.length > 0) problems.push(`rows changed in ${changed.join(", ")}`);
      await snap.end();
    }
    // Still up, and still working: the server answers a valid call, the engine is healthy.
    const status = (await mcp.client.callTool({ name: "pool_status", arguments: {} })) as CallToolResult;
    expect(status.isError).not.toBe(true);
    expect((await fetch(`${engine.url}/healthz`)).status).toBe(200);
    console.log(`[fuzz-mcp] ${JSON.stringify(totals)} problems=${problems.length}`);
    console.log(`[fuzz-mcp] e.g. ${examples.map((e) => JSON.stringify(e)).join(" | ")}`);
    expect(problems).toEqual([]);
    expect(totals.cases).toBe(totals.toolErrors);
    expect(totals.minCasesPerTool).toBeGreaterThanOrEqual(10);
  }, 120_000);
});
