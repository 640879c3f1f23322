import { resolveClaudeBinary } from "../config/claude-bin.js";
import { loadServeConfig, serveFlagHelp, serveFlagSpec } from "../config/serve-config.js";
import { startEngine } from "../engine.js";
import { createObservability } from "../metrics/observability.js";
import { startWebhooks, webhookSettingsFromEnv } from "../webhooks/index.js";
import { booleanFlag, parseFlags } from "./args.js";
import { type Command, err, out } from "./command.js";
import { StartupError } from "./usage-error.js";

const usage = `usage: claude-pool serve [flags]

Starts the engine: one HTTP server with tRPC at /trpc, better-auth at /api/auth/*, /healthz,
/metrics and GET /reports/spend.csv, running every pool in the database. SIGTERM or SIGINT stops
claiming, lets running tasks finish within --grace-ms, leaves the rest queued, and exits 0.

flags (flag wins over env):
${serveFlagHelp()}
  CLAUDE_POOL_AUTH_SECRET (env only): signs session cookies, 32+ characters [default: kept in the data dir]`;

/** Signals that stop the engine gracefully; a second one while stopping exits at once. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

export const serveCommand: Command = {
  summary: "start the engine (HTTP API, auth, pools)",
  usage,
  async run(argv) {
    const args = parseFlags(argv, serveFlagSpec());
    if (booleanFlag(args, "help")) {
      out(usage);
      return 0;
    }
    const config = loadServeConfig(args.flags, process.env, process.cwd());
    const claude = resolveClaudeBinary(config.claudeBin, config.claudeBinSource, process.env, process.cwd());
    if (claude.notice) err(`claude-pool: ${claude.notice}`);
    const stopSignal = nextStopSignal();
    // A4: JSON logs (stderr), /metrics, and webhook deliveries.
    let webhookSettings: ReturnType<typeof webhookSettingsFromEnv>;
    let observability: ReturnType<typeof createObservability>;
    try {
      webhookSettings = webhookSettingsFromEnv(process.env);
      observability = createObservability();
    } catch (error) {
      throw new StartupError(error instanceof Error ? error.message : String(error));
    }
    const engine = await startEngine(config, claude, observability.extensions);
    observability.attach(engine);
    const webhooks = startWebhooks({
      engine,
      settings: webhookSettings,
      urlPolicy: { allowPrivate: config.allowPrivateWebhooks },
      metrics: observability.metrics,
      logger: observability.logger,
    });
    if (config.allowPrivateWebhooks) {
      err(
        "claude-pool: webhooks may reach loopback, link-local and private addresses (--allow-private-webhooks)",
      );
    }
    out(
      `claude-pool engine ${engine.engineId} listening on ${engine.url} ` +
        `(database ${engine.database.target}; claude ${claude.path})`,
    );
    const signal = await stopSignal;
    err(`claude-pool: ${signal} received: stopping; running tasks have ${config.graceMs} ms to finish`);
    const force = nextStopSignal().then((again) => {
      err(`claude-pool: ${again} again: exiting without waiting`);
      process.exit(1);
    });
    void force;
    // Deliveries stop first: what is queued meanwhile stays in the database for the next engine.
    await webhooks.stop();
    await engine.stop();
    observability.stop();
    err("claude-pool: stopped");
    return 0;
  },
};
