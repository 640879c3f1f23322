import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveClaudeBinary } from "../config/claude-bin.js";
import { loadServeConfig, serveFlagSpec } from "../config/serve-config.js";
import { booleanFlag, parseFlags, stringFlag } from "./args.js";
import { type Command, err, out } from "./command.js";
import { serveCommand } from "./serve-command.js";
import { UsageError } from "./usage-error.js";

/** apps/web of this repository, seen from apps/engine/dist/cli/. */
const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../../web", import.meta.url));

const usage = `usage: claude-pool start [serve flags] [--web-port <port>] [--no-web]

What \`pnpm start\` runs: the engine (\`serve\`, embedded PGlite unless DATABASE_URL is set; the real
\`claude\` if one is on PATH, else claude-sim) and, when apps/web has been built, the dashboard
(\`next start\`) in front of it. Prints the URLs and how to create the first account. SIGTERM or
SIGINT stops both and exits 0.

flags: every flag of \`claude-pool serve\` (see \`claude-pool serve --help\`), plus
  --web-port <port>   (env WEB_PORT) the dashboard's port [default 4681]
  --web-dir <dir>     the dashboard's directory [default this repository's apps/web]
  --no-web            start the engine only`;

/** The dashboard's built `next start`, or null when apps/web is absent or not built. */
function webCommand(webDir: string): string[] | null {
  const next = join(webDir, "node_modules", "next", "dist", "bin", "next");
  if (!existsSync(join(webDir, ".next", "BUILD_ID")) || !existsSync(next)) return null;
  return [next, "start"];
}

function startWeb(webDir: string, nextArgs: string[], port: number, engineUrl: string): ChildProcess {
  // Its own process group, so stopping it also stops anything next spawned.
  const child = spawn(process.execPath, [...nextArgs, "-H", "127.0.0.1", "-p", String(port)], {
    cwd: webDir,
    env: { ...process.env, ENGINE_URL: engineUrl, NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  child.once("exit", (code, signal) => {
    if (!stopping)
      err(`claude-pool start: the dashboard exited (${signal ?? code}); the engine keeps running`);
  });
  return child;
}

let stopping = false;

async function stopWeb(child: ChildProcess): Promise<void> {
  stopping = true;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  signalGroup("SIGTERM");
  const timer = setTimeout(() => signalGroup("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitForHealth(url: string, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    try {
      const res = await fetch(`${url}/healthz`, { signal });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function banner(engineUrl: string, webUrl: string | null, claudeKind: string): string {
  const lines = [
    "",
    "claude-pool is running",
    `  engine     ${engineUrl}   (API ${engineUrl}/trpc, health ${engineUrl}/healthz)`,
    webUrl
      ? `  dashboard  ${webUrl}`
      : "  dashboard  not started (build it: pnpm --filter @claude-pool/web build)",
    `  claude     ${claudeKind}`,
    "",
    "create the first account:",
    webUrl ? `  open ${webUrl}/sign-up, or` : null,
    "  stop this (Ctrl-C) and run:",
    "  pnpm claude-pool admin create --email you@example.com --password '<8+ characters>' --team 'My team'",
    "  (it prints an owner API token once; embedded PGlite allows one process, so stop the engine first)",
    "",
  ];
  return lines.filter((l): l is string => l !== null).join("\n");
}

export const startCommand: Command = {
  summary: "engine plus dashboard, for `pnpm start`",
  usage,
  async run(argv) {
    const args = parseFlags(argv, {
      ...serveFlagSpec(),
      "web-port": { type: "string" },
      "web-dir": { type: "string" },
      "no-web": { type: "boolean" },
    });
    if (booleanFlag(args, "help")) {
      out(usage);
      return 0;
    }
    const rawWebPort = stringFlag(args, "web-port") ?? process.env.WEB_PORT ?? "4681";
    if (!/^\d+$/.test(rawWebPort) || Number(rawWebPort) < 1 || Number(rawWebPort) > 65535) {
      throw new UsageError(
        `--web-port must be an integer from 1 to 65535 (got ${JSON.stringify(rawWebPort)})`,
      );
    }
    const webPort = Number(rawWebPort);
    const config = loadServeConfig(args.flags, process.env, process.cwd());
    const claude = resolveClaudeBinary(config.claudeBin, config.claudeBinSource, process.env, process.cwd());
    const webDir = stringFlag(args, "web-dir") ?? DEFAULT_WEB_DIR;
    const nextArgs = booleanFlag(args, "no-web") ? null : webCommand(webDir);
    const webOrigin = `http://127.0.0.1:${webPort}`;
    const serveArgv = argv.filter((a, i) => {
      const prev = argv[i - 1];
      return (
        !["--web-port", "--web-dir", "--no-web"].includes(a) && prev !== "--web-port" && prev !== "--web-dir"
      );
    });
    if (nextArgs) serveArgv.push("--web-origin", [...config.webOrigins, webOrigin].join(","));
    const engineUrl = config.publicUrl ?? `http://127.0.0.1:${config.port}`;
    const web = nextArgs ? startWeb(webDir, nextArgs, webPort, engineUrl) : null;
    const ready = new AbortController();
    const claudeKind =
      claude.kind === "sim" ? "claude-sim (no `claude` on PATH; set CLAUDE_POOL_BIN)" : claude.path;
    void waitForHealth(engineUrl, ready.signal).then((ok) => {
      if (ok) out(banner(engineUrl, web ? webOrigin : null, claudeKind));
    });
    try {
      return await serveCommand.run(serveArgv);
    } finally {
      ready.abort();
      if (web) await stopWeb(web);
    }
  },
};
