import pg from 'pg';
import { STATE_CHANNEL } from '../store-context.js';

/** Every so often the LISTEN connection answers a `select 1`, or it counts as lost. */
export const HEARTBEAT_MS = 5_000;
/** Longest wait for that answer, and the pause before connecting again after a loss. */
const HEARTBEAT_TIMEOUT_MS = 2_000;
const RECONNECT_MS = 1_000;

/** One connection LISTENing on STATE_CHANNEL; `live` is what the cache's probe returns. */
export interface ChangeListener {
  /** True only while the connection is up and LISTENing: no committed change can go unnoticed. */
  readonly live: boolean;
  close(): Promise<void>;
}

/**
 * LISTENs for changes to the sending state made by any node (the NOTIFY is sent in the
 * transaction of the change, so it arrives after the commit and never for a rollback).
 * `onChange` runs for every notification, and also whenever the connection is lost or made
 * again, since notifications sent meanwhile are gone. Loss is seen from the socket (an error,
 * its end, pg_terminate_backend) or from a heartbeat left unanswered; the listener then
 * connects again every second, and the cache reads the store until it is back.
 */
export function listenForChanges(url: string, onChange: () => void): ChangeListener {
  let live = false;
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const lost = (which: pg.Client): void => {
    if (client !== which) return;
    client = null;
    live = false;
    onChange();
    clearInterval(heartbeat);
    which.end().catch(() => undefined);
    if (!closed) {
      retry = setTimeout(() => void connect(), RECONNECT_MS);
      retry.unref();
    }
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, keepAlive: true, query_timeout: HEARTBEAT_TIMEOUT_MS });
    client = c;
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    c.on('notification', (n) => {
      if (n.channel === STATE_CHANNEL) onChange();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${STATE_CHANNEL}`);
    } catch {
      lost(c);
      return;
    }
    if (client !== c || closed) return;
    // Whatever was cached before this connection listened may be older than a change: start afresh.
    onChange();
    live = true;
    heartbeat = setInterval(() => {
      c.query('select 1').catch(() => lost(c));
    }, HEARTBEAT_MS);
    heartbeat.unref();
  };

  void connect();
  return {
    get live() {
      return live;
    },
    async close() {
      closed = true;
      live = false;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
