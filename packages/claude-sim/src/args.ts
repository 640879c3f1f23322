/**
 * A commander-compatible parser for the subset of `claude` flags the sim understands.
 *
 * It reproduces commander's observable behaviour, including its quirks: options may appear
 * anywhere; `--flag=value` works only for options that take a value; a variadic option
 * (`<tools...>`) keeps swallowing following non-option words (so a prompt after
 * `--allowedTools Read` becomes a tool: put the prompt first or after `--`); everything after
 * the first unknown option is left unparsed and the unknown option is reported at the end.
 */

export class CliUsageError extends Error {
  override name = "CliUsageError";
}

type Kind = "bool" | "required" | "optional" | "variadic";

interface OptionSpec {
  key: string;
  /** Display form used in commander's messages, e.g. `--output-format <format>`. */
  flags: string;
  kind: Kind;
  choices?: readonly string[];
  /** Accepted but not listed in the "Allowed choices" message. */
  hiddenChoices?: readonly string[];
  parse?: (value: string) => number;
}

function invalidArg(message: string): never {
  throw new TypeError(message);
}

const OPTIONS: readonly OptionSpec[] = [
  { key: "print", flags: "-p, --print", kind: "bool" },
  {
    key: "outputFormat",
    flags: "--output-format <format>",
    kind: "required",
    choices: ["text", "json", "stream-json"],
  },
  {
    key: "inputFormat",
    flags: "--input-format <format>",
    kind: "required",
    choices: ["text", "stream-json"],
  },
  { key: "verbose", flags: "--verbose", kind: "bool" },
  { key: "includePartialMessages", flags: "--include-partial-messages", kind: "bool" },
  { key: "replayUserMessages", flags: "--replay-user-messages", kind: "bool" },
  { key: "includeHookEvents", flags: "--include-hook-events", kind: "bool" },
  { key: "model", flags: "--model <model>", kind: "required" },
  { key: "fallbackModel", flags: "--fallback-model <model>", kind: "required" },
  {
    key: "permissionMode",
    flags: "--permission-mode <mode>",
    kind: "required",
    choices: ["acceptEdits", "auto", "bypassPermissions", "manual", "dontAsk", "plan"],
    hiddenChoices: ["default"],
  },
  { key: "dangerouslySkipPermissions", flags: "--dangerously-skip-permissions", kind: "bool" },
  { key: "allowDangerouslySkipPermissions", flags: "--allow-dangerously-skip-permissions", kind: "bool" },
  { key: "allowedTools", flags: "--allowedTools, --allowed-tools <tools...>", kind: "variadic" },
  { key: "disallowedTools", flags: "--disallowedTools, --disallowed-tools <tools...>", kind: "variadic" },
  { key: "tools", flags: "--tools <tools...>", kind: "variadic" },
  { key: "systemPrompt", flags: "--system-prompt <prompt>", kind: "required" },
  { key: "systemPromptFile", flags: "--system-prompt-file <file>", kind: "required" },
  { key: "appendSystemPrompt", flags: "--append-system-prompt <prompt>", kind: "required" },
  { key: "appendSystemPromptFile", flags: "--append-system-prompt-file <file>", kind: "required" },
  { key: "resume", flags: "-r, --resume [value]", kind: "optional" },
  { key: "continue", flags: "-c, --continue", kind: "bool" },
  { key: "forkSession", flags: "--fork-session", kind: "bool" },
  { key: "sessionId", flags: "--session-id <uuid>", kind: "required" },
  { key: "noSessionPersistence", flags: "--no-session-persistence", kind: "bool" },
  { key: "resumeSessionAt", flags: "--resume-session-at <message id>", kind: "required" },
  {
    key: "maxTurns",
    flags: "--max-turns <turns>",
    kind: "required",
    parse: (v) => {
      const n = Number.parseInt(v, 10);
      return Number.isNaN(n) ? invalidArg("must be a number") : n;
    },
  },
  {
    key: "maxBudgetUsd",
    flags: "--max-budget-usd <amount>",
    kind: "required",
    parse: (v) => {
      const n = Number(v);
      return Number.isFinite(n) && n > 0 ? n : invalidArg("--max-budget-usd must be a number greater than 0");
    },
  },
  { key: "taskBudget", flags: "--task-budget <tokens>", kind: "required" },
  { key: "effort", flags: "--effort <level>", kind: "required" },
  { key: "thinking", flags: "--thinking <mode>", kind: "required" },
  { key: "maxThinkingTokens", flags: "--max-thinking-tokens <tokens>", kind: "required" },
  { key: "jsonSchema", flags: "--json-schema <schema>", kind: "required" },
  { key: "mcpConfig", flags: "--mcp-config <configs...>", kind: "variadic" },
  { key: "strictMcpConfig", flags: "--strict-mcp-config", kind: "bool" },
  { key: "addDir", flags: "--add-dir <directories...>", kind: "variadic" },
  { key: "settings", flags: "--settings <file-or-json>", kind: "required" },
  { key: "settingSources", flags: "--setting-sources <sources>", kind: "required" },
  { key: "permissionPromptTool", flags: "--permission-prompt-tool <tool>", kind: "required" },
  {
    key: "permissionPrompts",
    flags: "--permission-prompts <target>",
    kind: "required",
    choices: ["host", "none"],
  },
  { key: "debug", flags: "-d, --debug [filter]", kind: "optional" },
  { key: "debugFile", flags: "--debug-file <path>", kind: "required" },
  { key: "name", flags: "-n, --name <name>", kind: "required" },
  { key: "betas", flags: "--betas <betas...>", kind: "variadic" },
  { key: "agents", flags: "--agents <json-or-file>", kind: "required" },
  { key: "agent", flags: "--agent <agent>", kind: "required" },
  { key: "pluginDir", flags: "--plugin-dir <path>", kind: "required" },
  { key: "bare", flags: "--bare", kind: "bool" },
  { key: "safeMode", flags: "--safe-mode", kind: "bool" },
  { key: "restricted", flags: "--restricted", kind: "bool" },
  { key: "disableSlashCommands", flags: "--disable-slash-commands", kind: "bool" },
  { key: "awaitInitialize", flags: "--await-initialize", kind: "bool" },
  {
    key: "excludeDynamicSystemPromptSections",
    flags: "--exclude-dynamic-system-prompt-sections",
    kind: "bool",
  },
  { key: "ide", flags: "--ide", kind: "bool" },
  { key: "version", flags: "-v, --version", kind: "bool" },
  { key: "help", flags: "-h, --help", kind: "bool" },
];

const BY_NAME = new Map<string, OptionSpec>();
for (const spec of OPTIONS) {
  for (const part of spec.flags.split(/[ ,]+/)) {
    if (part.startsWith("-")) BY_NAME.set(part, spec);
  }
}

export type OptionValue = boolean | string | number | string[];

export interface ParsedArgs {
  /** Option values by key (see OPTIONS); absent when not given. */
  values: Record<string, OptionValue>;
  operands: string[];
  /** `version` or `help` when such a flag was met (commander acts on them immediately). */
  action?: "version" | "help";
}

function isOptionLike(arg: string): boolean {
  return arg.length > 1 && arg.startsWith("-");
}

function applyValue(spec: OptionSpec, raw: string, values: Record<string, OptionValue>): void {
  const allowed = spec.choices;
  if (allowed && !allowed.includes(raw) && !spec.hiddenChoices?.includes(raw)) {
    throw new CliUsageError(
      `error: option '${spec.flags}' argument '${raw}' is invalid. Allowed choices are ${allowed.join(", ")}.`,
    );
  }
  if (spec.parse) {
    try {
      values[spec.key] = spec.parse(raw);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new CliUsageError(`error: option '${spec.flags}' argument '${raw}' is invalid. ${why}`);
    }
    return;
  }
  if (spec.kind === "variadic") {
    const prev = values[spec.key];
    values[spec.key] = Array.isArray(prev) ? [...prev, raw] : [raw];
    return;
  }
  values[spec.key] = raw;
}

/** Parses `argv` (without node and script). Throws {@link CliUsageError} with commander's text. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const args = [...argv];
  const values: Record<string, OptionValue> = {};
  const operands: string[] = [];
  let unknown: string | undefined;
  let variadic: OptionSpec | undefined;

  const takeValue = (spec: OptionSpec, inline: string | undefined): "version" | "help" | undefined => {
    if (inline !== undefined) {
      // `--flag=value` / `-fvalue` never make a variadic option swallow the following words.
      applyValue(spec, inline, values);
      return undefined;
    }
    if (spec.kind === "bool") {
      if (spec.key === "version" || spec.key === "help") return spec.key;
      values[spec.key] = true;
    } else if (spec.kind === "optional") {
      const next = args[0];
      if (next !== undefined && !isOptionLike(next)) {
        args.shift();
        applyValue(spec, next, values);
      } else {
        values[spec.key] = true;
      }
    } else {
      const next = args.shift();
      if (next === undefined) throw new CliUsageError(`error: option '${spec.flags}' argument missing`);
      applyValue(spec, next, values);
    }
    if (spec.kind === "variadic") variadic = spec;
    return undefined;
  };

  while (args.length > 0) {
    const arg = args.shift() as string;
    if (arg === "--") {
      operands.push(...args);
      break;
    }
    if (variadic && !isOptionLike(arg)) {
      applyValue(variadic, arg, values);
      continue;
    }
    variadic = undefined;
    if (!isOptionLike(arg)) {
      operands.push(arg);
      continue;
    }
    let action: "version" | "help" | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const spec = BY_NAME.get(eq > 0 ? arg.slice(0, eq) : arg);
      if (!spec || (eq > 0 && spec.kind === "bool")) {
        unknown = arg;
        break;
      }
      action = takeValue(spec, eq > 0 ? arg.slice(eq + 1) : undefined);
    } else {
      const spec = BY_NAME.get(arg.slice(0, 2));
      if (!spec) {
        unknown = arg;
        break;
      }
      if (arg.length === 2) {
        action = takeValue(spec, undefined);
      } else if (spec.kind === "bool") {
        // Combined short flags: `-pc` is `-p -c`.
        args.unshift(`-${arg.slice(2)}`);
        action = takeValue(spec, undefined);
      } else {
        action = takeValue(spec, arg.slice(2));
      }
    }
    if (action) return { values, operands, action };
  }
  if (unknown !== undefined) throw new CliUsageError(`error: unknown option '${unknown}'`);
  return { values, operands };
}

export const HELP_TEXT = `Usage: claude [options] [command] [prompt]

claude-sim: a fake of Claude Code 2.1.332 for tests (see @claude-pool/claude-sim README)

Arguments:
  prompt                                Your prompt

Options:
${OPTIONS.map((o) => `  ${o.flags}`).join("\n")}
`;
