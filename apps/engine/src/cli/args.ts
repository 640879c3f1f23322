import { parseArgs } from "node:util";
import { UsageError } from "./usage-error.js";

export type FlagSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * Strict flag parsing: an unknown flag, a missing value or a stray positional is a UsageError
 * (exit 2 with usage), never silently ignored. `--help` is accepted by every command.
 */
export function parseFlags(argv: string[], spec: FlagSpec, opts: { positionals?: number } = {}): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...spec, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: (opts.positionals ?? 0) > 0,
    });
    if (positionals.length > (opts.positionals ?? 0)) {
      throw new UsageError(`unexpected argument "${positionals[opts.positionals ?? 0]}"`);
    }
    return { flags: values, positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // node:util's messages are clear ("Unknown option '--prot'"), minus its advice about "--".
    const message =
      error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, "") : String(error);
    throw new UsageError(message);
  }
}

/** The string value of a flag, or undefined when it was not given. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === "string" ? value : undefined;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}
