import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeStoreConformance } from "../testing/index.js";
import { InMemoryStore } from "./memory.js";

describeStoreConformance(
  "in-memory",
  async () => {
    const store = new InMemoryStore();
    return { store, createTeam: async () => {}, close: () => store.close() };
  },
  { describe, it, expect, beforeEach, afterEach },
);
