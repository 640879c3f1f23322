import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const ENGINE_DIR = path.resolve(here, "../..");
export const REPO_ROOT = path.resolve(ENGINE_DIR, "../..");
const TSX = path.join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs");
const BUILT_CLI = path.join(ENGINE_DIR, "dist/cli.js");

/**
 * How tests start `claude-pool mcp`: the built binary when it exists (what users run), else the
 * source through tsx (before A2's build is in place).
 */
export function mcpCommand(args: string[]): { command: string; args: string[] } {
  if (existsSync(BUILT_CLI)) return { command: process.execPath, args: [BUILT_CLI, "mcp", ...args] };
  return {
    command: process.execPath,
    args: [
      "--conditions=@claude-pool/source",
      "--import",
      TSX,
      path.join(ENGINE_DIR, "test/fixtures/mcp-entry.ts"),
      ...args,
    ],
  };
}

export interface McpSession {
  client: Client;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** Starts the server as a child process and connects the SDK's stdio client to it. */
export async function startMcp(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<McpSession> {
  const { command, args: argv } = mcpCommand(args);
  const transport = new StdioClientTransport({
    command,
    args: argv,
    env: { ...(process.env as Record<string, string>), ...env },
    cwd: cwd ?? mkdtempSync(path.join(tmpdir(), "mcp-cwd-")),
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: "engine-test", version: "0.0.0" });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    close: async () => {
      await client.close();
    },
  };
}

/** Calls a tool, collecting the progress notifications it sends. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{
  result: CallToolResult;
  progress: Array<{ progress: number; total?: number; message?: string }>;
}> {
  const progress: Array<{ progress: number; total?: number; message?: string }> = [];
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    onprogress: (p) => progress.push(p),
    timeout: 120_000,
  })) as CallToolResult;
  return { result, progress };
}

/** The structured content of a successful call (fails the test with the error text otherwise). */
export function structured(result: CallToolResult): Record<string, unknown> {
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  const data = result.structuredContent;
  if (!data) throw new Error("no structuredContent");
  return data;
}

export function errorText(result: CallToolResult): string {
  if (!result.isError) throw new Error(`expected an error, got ${JSON.stringify(result.structuredContent)}`);
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

export interface SimLogLine {
  prompt: string;
  appendSystemPrompt?: string;
}

export function readSimLog(file: string): SimLogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SimLogLine);
}
