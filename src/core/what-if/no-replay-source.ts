import type { ReplaySource } from '../../ports/replay-source.js';
import { DomainError } from '../errors.js';

function missing(): never {
  throw new DomainError('INTERNAL', 'No message log is wired for what-if replays; pass CorePorts.replay.');
}

/** Stands in when no replay source was wired: every what-if fails loudly instead of answering "nothing happened". */
export const noReplaySource: ReplaySource = {
  // eslint-disable-next-line require-yield
  async *rows() {
    missing();
  },
  users: async () => missing(),
  restrictions: async () => missing(),
};
