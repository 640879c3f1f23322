export { HostStopping, PoolNameExists, PoolNotFound, PoolNotRunning } from "./errors.js";
export { type CreatePoolInput, checkPoolConfig, type PoolPatch, poolConfigSchema } from "./inputs.js";
export { createPoolHost, type PoolHostOptions } from "./pool-host.js";
