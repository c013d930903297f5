export { acquireCycle, cycleLeaseKey } from "./cycle-lease.js";
export { lockResource, resourceLockKey, unlockResource } from "./resource-lock.js";
