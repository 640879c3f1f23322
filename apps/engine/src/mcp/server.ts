import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { PoolBackend } from "./backend.js";
import { errorMessage } from "./define.js";
import { statusOut } from "./outputs.js";
import { registerChainTools } from "./tools-chains.js";
import { registerReviewAndContextTools } from "./tools-review-context.js";
import { registerSkillTools } from "./tools-skills.js";
import { registerTaskTools } from "./tools-tasks.js";

/** Every tool the server offers: the Rust crate's names, so coordinator prompts written for it work. */
export const TOOL_NAMES = [
  "pool_status",
  "pool_run",
  "pool_submit",
  "pool_result",
  "pool_cancel",
  "pool_fan_out",
  "pool_list_tasks",
  "pool_chain",
  "pool_submit_chain",
  "pool_chain_result",
  "pool_cancel_chain",
  "pool_fan_out_chains",
  "pool_submit_with_review",
  "pool_approve_result",
  "pool_reject_result",
  "pool_configure_slot",
  "pool_drain",
  "pool_skill_list",
  "pool_skill_get",
  "pool_skill_run",
  "pool_skill_add",
  "pool_skill_remove",
  "pool_invoke_workflow",
  "context_set",
  "context_get",
  "context_delete",
  "context_list",
] as const;

export const RESOURCE_URIS = ["pool://status", "pool://slots", "pool://budget", "pool://context"] as const;

export const SERVER_INFO = { name: "claude-pool", version: "0.1.0" };

/** The MCP server over a backend. Logs go to `log` (stderr): stdout belongs to the protocol. */
export function createMcpServer(backend: PoolBackend, log: (message: string) => void): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { tools: {}, resources: {} },
    instructions:
      "A pool of Claude Code slots. pool_run runs one prompt and waits; pool_submit + pool_result for " +
      "background work; pool_fan_out for independent prompts in parallel; pool_chain / pool_submit_chain " +
      "for dependent steps; context_set shares facts with every slot.",
  });
  registerTaskTools(server, backend, log);
  registerChainTools(server, backend, log);
  registerSkillTools(server, backend, log);
  registerReviewAndContextTools(server, backend, log);
  registerResources(server, backend);
  return server;
}

function registerResources(server: McpServer, backend: PoolBackend): void {
  const json = (uri: string, read: () => Promise<unknown>) =>
    server.registerResource(
      uri.replace("pool://", "pool-"),
      uri,
      { mimeType: "application/json", description: `The pool's ${uri.replace("pool://", "")}` },
      async () => {
        let text: string;
        try {
          text = JSON.stringify(await read(), null, 2);
        } catch (error) {
          text = JSON.stringify({ error: errorMessage(error) });
        }
        return { contents: [{ uri, mimeType: "application/json", text }] };
      },
    );
  json("pool://status", async () => statusOut(backend.label, await backend.status()));
  json("pool://slots", async () => ({ slots: statusOut(backend.label, await backend.status()).slots }));
  json("pool://budget", async () => {
    const s = statusOut(backend.label, await backend.status());
    return {
      spend_usd: s.spend_usd,
      reserved_usd: s.reserved_usd,
      budget_usd: s.budget_usd,
      budget_remaining_usd: s.budget_remaining_usd,
    };
  });
  json("pool://context", async () => {
    const entries = await backend.contextList();
    return { context: Object.fromEntries(entries.map((e) => [e.key, e.value])) };
  });
}

/**
 * A backend that is still starting: calls wait for it. The stdio handshake can then complete at
 * once (the CLI waits at most 30 s for a server) while the pool or the connection comes up.
 */
export function deferredBackend(label: string, ready: Promise<PoolBackend>): PoolBackend {
  // Keep a start-up failure from being an unhandled rejection; each call reports it instead.
  ready.catch(() => {});
  return new Proxy({ label } as PoolBackend, {
    get(target, property) {
      if (property === "label") return target.label;
      return async (...args: unknown[]) => {
        const backend = await ready;
        const member: unknown = Reflect.get(backend, property);
        if (typeof member !== "function") throw new Error(`backend has no ${String(property)}`);
        return member.apply(backend, args);
      };
    },
  });
}
