import { createMemoryStorage } from "../src/storage/memory/index.js";
import { describeStorageConformance } from "../src/testing/index.js";

describeStorageConformance("memory", async () => ({ storage: createMemoryStorage() }));
