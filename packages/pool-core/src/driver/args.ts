import type { ClaudeConfig } from "../types.js";

/** Everything one `claude -p` invocation needs, resolved (task over slot over pool). */
export interface ClaudeInvocation {
  prompt: string;
  config: ClaudeConfig;
  /** The full text for `--append-system-prompt`: identity, shared context, configured prompt. */
  appendSystemPrompt: string | null;
  /** Resume this session; null starts a new one. */
  resumeSessionId: string | null;
  /** Reservation passed as `--max-budget-usd`, the CLI's own backstop. */
  maxBudgetUsd: number | null;
  /** JSON of the pool's MCP servers; `--strict-mcp-config` is always passed so a slot never loads the pool itself. */
  mcpConfig: Record<string, unknown>;
  extraArgs: readonly string[];
}

/**
 * Builds the argv for the real CLI. Every flag here is checked against the real parser by the
 * contract test (driver/args.int.test.ts). Values go as `--flag=value` (as the Agent SDK does) so a
 * value starting with `-` is never read as a flag; the prompt comes last after `--`.
 */
export function buildClaudeArgs(inv: ClaudeInvocation): string[] {
  const c = inv.config;
  const args = ["-p", "--output-format=stream-json", "--verbose", "--strict-mcp-config"];
  args.push(`--mcp-config=${JSON.stringify({ mcpServers: inv.mcpConfig })}`);
  if (c.model) args.push(`--model=${c.model}`);
  if (c.fallbackModel) args.push(`--fallback-model=${c.fallbackModel}`);
  if (c.effort) args.push(`--effort=${c.effort}`);
  if (c.permissionMode) args.push(`--permission-mode=${c.permissionMode}`);
  if (c.allowedTools?.length) args.push(`--allowedTools=${c.allowedTools.join(",")}`);
  if (c.disallowedTools?.length) args.push(`--disallowedTools=${c.disallowedTools.join(",")}`);
  if (c.maxTurns !== undefined) args.push(`--max-turns=${c.maxTurns}`);
  if (c.jsonSchema) args.push(`--json-schema=${JSON.stringify(c.jsonSchema)}`);
  for (const dir of c.addDirs ?? []) args.push(`--add-dir=${dir}`);
  if (inv.appendSystemPrompt) args.push(`--append-system-prompt=${inv.appendSystemPrompt}`);
  if (inv.resumeSessionId) args.push(`--resume=${inv.resumeSessionId}`);
  if (inv.maxBudgetUsd !== null) args.push(`--max-budget-usd=${formatUsd(inv.maxBudgetUsd)}`);
  args.push(...inv.extraArgs);
  args.push("--", inv.prompt);
  return args;
}

/** Plain decimal (no exponent), which the CLI's number parser accepts. */
function formatUsd(usd: number): string {
  return usd.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
}
