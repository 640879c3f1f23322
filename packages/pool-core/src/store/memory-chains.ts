import type { ChainRecord } from "./port.js";

/** The in-memory store's chains and their leases (who drives each, until when). */
export class MemoryChains {
  #chains = new Map<string, ChainRecord>();
  #chainLeases = new Map<string, { engineId: string; expiresAt: number }>();
  #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  async save(chain: ChainRecord): Promise<void> {
    this.#chains.set(chain.id, structuredClone(chain));
  }

  async get(chainId: string): Promise<ChainRecord | undefined> {
    const c = this.#chains.get(chainId);
    return c ? structuredClone(c) : undefined;
  }

  async list(poolId: string, status?: ChainRecord["status"][]): Promise<ChainRecord[]> {
    return [...this.#chains.values()]
      .filter((c) => c.poolId === poolId && (!status || status.includes(c.status)))
      .map((c) => structuredClone(c));
  }

  async claim(chainId: string, engineId: string, leaseMs: number): Promise<boolean> {
    const chain = this.#chains.get(chainId);
    if (chain?.status !== "running") return false;
    const lease = this.#chainLeases.get(chainId);
    if (lease && lease.engineId !== engineId && lease.expiresAt >= this.#now()) return false;
    this.#chainLeases.set(chainId, { engineId, expiresAt: this.#now() + leaseMs });
    return true;
  }

  async renew(engineId: string, chainIds: string[], leaseMs: number): Promise<string[]> {
    const lost: string[] = [];
    for (const id of chainIds) {
      const lease = this.#chainLeases.get(id);
      if (this.#chains.get(id)?.status !== "running" || lease?.engineId !== engineId) lost.push(id);
      else lease.expiresAt = this.#now() + leaseMs;
    }
    return lost;
  }

  async claimOrphaned(poolId: string, engineId: string, leaseMs: number): Promise<ChainRecord[]> {
    const now = this.#now();
    const taken: ChainRecord[] = [];
    for (const chain of this.#chains.values()) {
      const lease = this.#chainLeases.get(chain.id);
      if (chain.poolId !== poolId || chain.status !== "running" || !lease || lease.expiresAt >= now) continue;
      this.#chainLeases.set(chain.id, { engineId, expiresAt: now + leaseMs });
      taken.push(structuredClone(chain));
    }
    return taken;
  }
}
