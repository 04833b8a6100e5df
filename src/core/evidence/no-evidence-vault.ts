import type { EvidenceVault } from '../../ports/evidence-vault.js';

/** Stands in when no vault was wired (unit tests of other services): keeps nothing, finds nothing. */
export const noEvidenceVault: EvidenceVault = {
  put: () => Promise.resolve(),
  list: () => Promise.resolve([]),
  read: () => Promise.resolve(undefined),
  trim: () => Promise.resolve(0),
  prune: () => Promise.resolve(0),
};
