export { acquireCycle, cycleLeaseKey } from "./cycle-lease.js";
export { executionLeaseKey, lockResource, resourceLockKey, unlockResource } from "./resource-lock.js";
