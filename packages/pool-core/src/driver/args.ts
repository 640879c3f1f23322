import type { ClaudeConfig } from "../domain/types.js";

/** Everything one `claude -p` invocation needs, resolved (task over slot over pool). */
export interface ClaudeInvocation {
  /** Written to the CLI's stdin, never put in argv (Linux caps one argument at 128 KB). */
  prompt: string;
  config: ClaudeConfig;
  /**
   * The full appended system prompt: identity, shared context, configured prompt. The drivers
   * pass it as `--append-system-prompt-file <temp file>` so its size is not bounded by argv.
   */
  appendSystemPrompt: string | null;
  /** Resume this session; null starts a new one. */
  resumeSessionId: string | null;
  /**
   * With `resumeSessionId`: resume at this message (the uuid of the last assistant line of a
   * turn that succeeded), dropping what came after it, e.g. a prompt whose API call failed.
   */
  resumeSessionAt?: string | null;
  /** Start a new session with this id (`--session-id`); with `forkSession`, the fork's id. */
  newSessionId?: string | null;
  /** With `resumeSessionId`: continue that history under a new session id (`--fork-session`). */
  forkSession?: boolean;
  /** Reservation passed as `--max-budget-usd`, the CLI's own backstop (cold driver only). */
  maxBudgetUsd: number | null;
  /** JSON of the pool's MCP servers; `--strict-mcp-config` is always passed so a slot never loads the pool itself. */
  mcpConfig: Record<string, unknown>;
  extraArgs: readonly string[];
}

export interface ArgvPlacement {
  /**
   * Where the driver wrote `appendSystemPrompt`: passed as `--append-system-prompt-file`. When
   * absent the text goes inline as `--append-system-prompt` (only for small, known texts).
   */
  appendSystemPromptFile?: string | null;
  /** `stream-json`: the warm driver's long-lived process reads NDJSON user messages on stdin. */
  inputFormat?: "text" | "stream-json";
  /** Leave out `--max-budget-usd` (a warm process's spend is cumulative over its turns). */
  omitBudget?: boolean;
}

/**
 * Builds the argv for the real CLI. Every flag here is checked against the real parser by the
 * contract test (test/cli-contract.int.test.ts). Values go as `--flag=value` (as the Agent SDK
 * does) so a value starting with `-` is never read as a flag. There is no positional prompt: the
 * prompt goes on stdin, so no size limit of argv applies to it.
 */
export function buildClaudeArgs(inv: ClaudeInvocation, placement: ArgvPlacement = {}): string[] {
  const c = inv.config;
  const args = ["-p", "--output-format=stream-json", "--verbose", "--strict-mcp-config"];
  if (placement.inputFormat === "stream-json") args.push("--input-format=stream-json");
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
  if (placement.appendSystemPromptFile) {
    args.push(`--append-system-prompt-file=${placement.appendSystemPromptFile}`);
  } else if (inv.appendSystemPrompt) {
    args.push(`--append-system-prompt=${inv.appendSystemPrompt}`);
  }
  args.push(...sessionArgs(inv));
  if (inv.maxBudgetUsd !== null && !placement.omitBudget) {
    args.push(`--max-budget-usd=${formatUsd(inv.maxBudgetUsd)}`);
  }
  args.push(...inv.extraArgs);
  return args;
}

/** The session flags; the CLI refuses `--session-id` with `--resume` unless forking. */
function sessionArgs(inv: ClaudeInvocation): string[] {
  const args: string[] = [];
  if (inv.resumeSessionId) {
    args.push(`--resume=${inv.resumeSessionId}`);
    if (inv.resumeSessionAt) args.push(`--resume-session-at=${inv.resumeSessionAt}`);
    if (inv.forkSession) {
      args.push("--fork-session");
      if (inv.newSessionId) args.push(`--session-id=${inv.newSessionId}`);
    }
  } else if (inv.newSessionId) {
    args.push(`--session-id=${inv.newSessionId}`);
  }
  return args;
}

/** Plain decimal (no exponent), which the CLI's number parser accepts. */
function formatUsd(usd: number): string {
  return usd.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
}
