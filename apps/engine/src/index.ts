export { type Command, err, out } from "./cli/command.js";
export { commands } from "./cli/commands.js";
export { runCli } from "./cli/run-cli.js";
export { StartupError, UsageError } from "./cli/usage-error.js";
export { type ClaudeBinary, claudeSimPath, resolveClaudeBinary } from "./config/claude-bin.js";
export { loadServeConfig, type ServeConfig } from "./config/serve-config.js";
export { type EngineExtensions, openDatabase, type RunningEngine, startEngine } from "./engine.js";
export type { MetricsHook } from "./server/request-listener.js";
