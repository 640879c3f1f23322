import { InMemoryStore } from "@claude-pool/core";
import { describeStoreConformance } from "./conformance.js";

describeStoreConformance("in-memory (reference)", async () => {
  const store = new InMemoryStore();
  return { store, close: () => store.close() };
});
