/** The CLI's services on the core: only the store and the core; the outbox and the SMTP client load per command. */
import type { CliServices } from '../adapters/cli/cli-context.js';
import { phishDemoUser } from '../core/demo/demo-hijack.js';
import { DomainError } from '../core/errors.js';
import type { Principal } from '../core/roles/principal.js';
import type { CoreApp } from './core-app.js';

/** The CLI's view of the core app, on the same store as the running server. */
export function cliServices(app: CoreApp, principal: Principal): CliServices {
  const { config } = app;
  return {
    directory: app.directory,
    restrictions: app.restrictions,
    evidence: app.evidence,
    policyAdmin: app.policyAdmin,
    whatIf: app.whatIf,
    audit: app.audit,
    appPasswords: app.appPasswords,
    async createToken(p, input) {
      const { token, secret } = await app.tokens.create(p, input);
      return { id: token.id, token: secret, role: token.role, expiresAt: token.expiresAt };
    },
    async listOutbox() {
      if (config.relay)
        throw new DomainError('NOT_FOUND', `There is no capture outbox: mail goes to the next hop ${config.relay}.`);
      const { CaptureOutbox } = await import('../adapters/relay/capture-outbox.js');
      return new CaptureOutbox(config.dataDir, app.clock).list();
    },
    async restartCheckpoints(p) {
      if (!app.auditCheckpointer) return { kind: 'refused', reason: 'no checkpoint file is configured' };
      return app.auditCheckpointer.restart(() => app.audit.recordCheckpointsRestarted(p));
    },
    addDomain: (p, d) => app.acceptedDomains.add(p, d),
    listDomains: () => app.acceptedDomains.list(principal),
    async demoHijack(email, options, onStep) {
      const victim = await phishDemoUser(app.directory, principal, email);
      const { runHijack } = await import('../adapters/cli/demo-hijack-client.js');
      return runHijack(
        { host: config.host, port: config.smtpPort, user: victim.email, password: victim.password, max: options.max },
        onStep,
      );
    },
    close: () => app.close(),
  };
}
