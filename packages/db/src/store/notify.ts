/** The NOTIFY channel every store on a database shares; payloads carry the pool id. */
export const STORE_CHANNEL = "claude_pool_store";
