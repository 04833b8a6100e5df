import { randomBytes, randomUUID } from 'node:crypto';
import type { Random } from '../../ports/random.js';

/** node:crypto's CSPRNG. */
export class NodeRandom implements Random {
  bytes(n: number): Uint8Array {
    return randomBytes(n);
  }

  uuid(): string {
    return randomUUID();
  }
}
