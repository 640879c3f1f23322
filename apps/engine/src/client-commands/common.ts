import type { PoolClient } from "@claude-pool/api";
import { type FlagSpec, type ParsedArgs, parseFlags, stringFlag } from "../cli/args.js";
import { type ClientTarget, clientTarget, connect, explainClientError } from "./connect.js";

/** Flags every client command takes. */
export const CLIENT_FLAGS: FlagSpec = {
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
};

export const CLIENT_FLAG_HELP = `  --url <url>      engine URL (env CLAUDE_POOL_URL) [default http://127.0.0.1:4680]
  --token <token>  API token (env CLAUDE_POOL_TOKEN)
  --json           print one JSON document instead of text
  -h, --help       show this help`;

export interface ClientCall {
  args: ParsedArgs;
  target: ClientTarget;
  client: PoolClient;
  json: boolean;
  /** Runs a call against the engine; a failure becomes one line naming the URL and why. */
  call<T>(fn: () => Promise<T>): Promise<T>;
}

/** Parses the flags (UsageError → exit 2) and connects; `null` when --help was asked for. */
export function clientCall(argv: string[], spec: FlagSpec, positionals = 0): ClientCall | null {
  const args = parseFlags(argv, { ...CLIENT_FLAGS, ...spec }, { positionals });
  if (args.flags.help === true) return null;
  const target = clientTarget(
    { url: stringFlag(args, "url"), token: stringFlag(args, "token") },
    process.env,
  );
  const client = connect(target);
  return {
    args,
    target,
    client,
    json: args.flags.json === true,
    async call(fn) {
      try {
        return await fn();
      } catch (error) {
        throw explainClientError(error, target.url);
      }
    },
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
