/**
 * A hold that a dying process could leave behind: a resource lock, a session cycle, claimed work.
 * It belongs to `owner` until `expiresAt` (ms since epoch); after that anyone may take it.
 */
export interface LeaseRecord {
  readonly key: string;
  readonly owner: string;
  readonly expiresAt: number;
  readonly sessionId: string | null;
  readonly proposalId: string | null;
  readonly acquiredAt: number;
}
