import path from 'node:path';

/** What the start-up banner tells the person who ran `sendwarden serve`. */
export interface BannerInfo {
  readonly storeKind: 'sqlite' | 'postgres';
  readonly dataDir: string;
  readonly hasRedis: boolean;
  readonly host: string;
  readonly httpUrl: string;
  readonly smtpPort: number;
  readonly smtpsPort: number | undefined;
  readonly policyPort: number | undefined;
  readonly relay: string | undefined;
  readonly firstAdmin: { readonly email: string; readonly password: string } | null;
  /** The demo tenant's domain when `--demo` seeded it now. */
  readonly demoDomain: string | null;
}

/** The banner's lines (stdout; logs go to stderr and never interleave with the one-time password). */
export function bannerLines(b: BannerInfo): string[] {
  const lines = [
    '',
    `Sendwarden is running (store: ${b.storeKind === 'sqlite' ? path.join(b.dataDir, 'sendwarden.db') : 'PostgreSQL'}, counters: ${b.hasRedis ? 'Redis' : 'in-process'}).`,
    `  Portal and API:  ${b.httpUrl}`,
    `  SMTP submission: ${b.host}:${b.smtpPort} (STARTTLS, AUTH PLAIN/LOGIN)${b.smtpsPort ? `, ${b.host}:${b.smtpsPort} (implicit TLS)` : ''}`,
  ];
  if (b.policyPort !== undefined) {
    const where = `${b.host.includes(':') ? `[${b.host}]` : b.host}:${b.policyPort}`;
    lines.push(`  Postfix policy:  ${where} (main.cf: check_policy_service inet:${where})`);
  }
  lines.push(
    `  Next hop:        ${b.relay ?? `none: accepted mail is kept in the capture outbox (${path.join(b.dataDir, 'outbox')})`}`,
  );
  if (b.firstAdmin) {
    lines.push(
      '',
      `First run: sign in as ${b.firstAdmin.email} with this one-time password (shown only now):`,
      `  ${b.firstAdmin.password}`,
      'You will choose your own password and set up an authenticator app at first sign-in.',
    );
  }
  if (b.demoDomain)
    lines.push(
      '',
      `Demo tenant ${b.demoDomain} seeded: rob, megan, alex, adele, lee (helpdesk) and diego (restricted). Try: npx sendwarden demo hijack rob@${b.demoDomain}`,
    );
  lines.push('');
  return lines;
}
