import type { PoolBackend } from "./backend.js";

export interface RemotePlan {
  url: string;
  token: string;
  pool: string | undefined;
}

export async function createRemoteBackend(plan: RemotePlan): Promise<PoolBackend> {
  throw new Error(`remote mode (${plan.url}) needs the engine's API client, which is not built yet`);
}
