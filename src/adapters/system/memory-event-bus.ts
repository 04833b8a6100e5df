import type { EventBus, SendwardenEvent } from '../../ports/event-bus.js';

/** In-process event bus: enough for one node; Redis pub/sub replaces it across nodes. */
export class MemoryEventBus implements EventBus {
  readonly #handlers = new Set<(event: SendwardenEvent) => void>();

  async publish(event: SendwardenEvent): Promise<void> {
    for (const h of this.#handlers) h(event);
  }

  subscribe(handler: (event: SendwardenEvent) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }
}
