import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus registry served at GET /metrics, and the counters main.ts increments from core
 * callbacks (SignInService.onOutcome, the gateway's decisions, restriction and unblock events).
 */
export interface HttpMetrics {
  readonly registry: Registry;
  /** Messages by the gateway's decision: accept, defer, reject, restrict. */
  readonly messages: Counter<'decision'>;
  /** Restrictions by kind: until-tomorrow, until-unblocked. */
  readonly restrictions: Counter<'kind'>;
  readonly unblocks: Counter;
  /** Failed sign-ins by channel: smtp, portal. */
  readonly signInFailures: Counter<'channel'>;
  readonly lockouts: Counter;
  /** External content scans (Rspamd) by result: the action, or unavailable / skipped. */
  readonly contentScans: Counter<'scanner' | 'result'>;
  /** 1 while the external content scanner answers, 0 while it is away (set only when one is configured). */
  readonly contentScannerUp: Gauge<'scanner'>;
  /** Alert deliveries (email, webhook) given up after their retries, by channel. */
  readonly alertDeliveriesFailed: Counter<'channel'>;
  /** API latency by method, route pattern (never the raw URL: bounded label values) and status. */
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Postfix policy service: request parsed to answer written, per request (sub-millisecond buckets). */
  readonly policyDecision: Histogram;
}

/** A fresh registry (one per server, so tests never share counters) with Node's default metrics. */
export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sendwarden_' });
  const registers = [registry];
  return {
    registry,
    messages: new Counter({
      name: 'sendwarden_messages_total',
      help: 'Messages by policy decision.',
      labelNames: ['decision'],
      registers,
    }),
    restrictions: new Counter({
      name: 'sendwarden_restrictions_total',
      help: 'Senders restricted, by kind.',
      labelNames: ['kind'],
      registers,
    }),
    unblocks: new Counter({
      name: 'sendwarden_unblocks_total',
      help: 'Restricted users unblocked by an admin.',
      registers,
    }),
    signInFailures: new Counter({
      name: 'sendwarden_sign_in_failures_total',
      help: 'Failed sign-ins, by channel.',
      labelNames: ['channel'],
      registers,
    }),
    lockouts: new Counter({ name: 'sendwarden_lockouts_total', help: 'Smart-lockout lockouts started.', registers }),
    contentScans: new Counter({
      name: 'sendwarden_content_scans_total',
      help: 'External content scans (Rspamd), by result: its action, or unavailable / skipped.',
      labelNames: ['scanner', 'result'],
      registers,
    }),
    contentScannerUp: new Gauge({
      name: 'sendwarden_content_scanner_up',
      help: '1 while the external content scanner answers, 0 while it is away.',
      labelNames: ['scanner'],
      registers,
    }),
    alertDeliveriesFailed: new Counter({
      name: 'sendwarden_alert_deliveries_failed_total',
      help: 'Alert emails and webhooks given up after their retries, by channel.',
      labelNames: ['channel'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'sendwarden_http_request_duration_seconds',
      help: 'HTTP request latency.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    policyDecision: new Histogram({
      name: 'sendwarden_policy_decision_seconds',
      help: 'Postfix policy requests: from the request parsed to the answer written.',
      buckets: [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.1, 1],
      registers,
    }),
  };
}
