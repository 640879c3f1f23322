/** One `claude-pool <name>` command. `run` returns the exit code; it throws UsageError for exit 2. */
export interface Command {
  /** One line for `claude-pool --help`. */
  summary: string;
  /** The full `--help` text: synopsis, flags, examples. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Writes a line to stdout or stderr (commands print through these so tests can read them plainly). */
export const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
export const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
