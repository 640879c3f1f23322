/**
 * A command line the user got wrong (unknown flag, missing value, bad command): the CLI prints the
 * message and the command's usage on stderr and exits 2, as POSIX tools do.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Something the user must fix before the engine can start (a bad setting, an unreachable database,
 * a port in use, a missing binary): the CLI prints the message, never a stack, and exits 1.
 */
export class StartupError extends Error {
  override readonly name = "StartupError";
}
