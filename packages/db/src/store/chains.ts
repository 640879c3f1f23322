import type { ChainRecord } from "@claude-pool/core";
import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../executor.js";
import { chainSteps, chains } from "../schema/index.js";
import { jsonSafe, toChainRecord } from "./rows.js";

/** Saves a chain and its progress; the first save also writes one `chain_steps` row per step. */
export async function saveChain(db: Db, chain: ChainRecord, now: SQL): Promise<void> {
  await db.transaction(async (tx) => {
    const values = {
      id: chain.id,
      poolId: chain.poolId,
      status: chain.status,
      definition: jsonSafe(chain.definition),
      state: jsonSafe(chain.state),
      claudeSessionId: chain.claudeSessionId,
      worktreePath: chain.worktreePath,
      branch: chain.branch,
      spendMicros: chain.spendMicros,
      createdAt: chain.createdAt,
      finishedAt: chain.finishedAt,
    };
    const { id: _id, poolId: _poolId, createdAt: _createdAt, ...changes } = values;
    const [saved] = await tx
      .insert(chains)
      .values(values)
      .onConflictDoUpdate({ target: chains.id, set: { ...changes, updatedAt: now } })
      .returning({ inserted: sql<boolean>`(xmax = 0)` });
    if (saved?.inserted) {
      const steps = stepRows(chain);
      if (steps.length > 0) await tx.insert(chainSteps).values(steps).onConflictDoNothing();
    }
  });
}

export async function getChain(db: Db, chainId: string): Promise<ChainRecord | undefined> {
  const [row] = await db.select().from(chains).where(eq(chains.id, chainId));
  return row ? toChainRecord(row) : undefined;
}

export async function listChains(
  db: Db,
  poolId: string,
  status?: ChainRecord["status"][],
): Promise<ChainRecord[]> {
  const rows = await db
    .select()
    .from(chains)
    .where(and(eq(chains.poolId, poolId), status ? inArray(chains.status, status) : undefined))
    .orderBy(asc(chains.createdAt), asc(chains.id));
  return rows.map(toChainRecord);
}

function stepRows(chain: ChainRecord): Array<typeof chainSteps.$inferInsert> {
  const definition = chain.definition;
  if (typeof definition !== "object" || definition === null || !("steps" in definition)) return [];
  const steps = definition.steps;
  if (!Array.isArray(steps)) return [];
  return steps.flatMap((step: unknown, position) => {
    if (typeof step !== "object" || step === null) return [];
    const name = "name" in step && typeof step.name === "string" ? step.name : `step-${position + 1}`;
    return [
      {
        chainId: chain.id,
        position,
        name,
        action: "action" in step ? jsonSafe(step.action) : null,
        failurePolicy: "failurePolicy" in step ? jsonSafe(step.failurePolicy) : null,
      },
    ];
  });
}
