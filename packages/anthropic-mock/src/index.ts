export { type ClaudeEnvOptions, claudeBinPath, claudeEnv } from "./env.js";
export { isAuxiliaryRequest, REQUEST_CLASS_HEADER } from "./request.js";
export { type RunClaudeOptions, type RunClaudeResult, runClaude } from "./run-claude.js";
export { MockAnthropic, startMockAnthropic } from "./server.js";
export * from "./types.js";
