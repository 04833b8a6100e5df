/**
 * Real Dovecot 2.3 and Postfix (Debian packages) for e2e tests, each in its own temp folder on
 * free loopback ports, configured with what `sendwarden integrate dovecot|postfix` printed plus
 * only what a temp instance needs (base_dir, state_dir, ports, a static userdb, no chroot).
 * Nothing system-wide is touched: no /etc, no /var/spool/postfix, no system instance.
 * Runs as root: Dovecot drops to dovecot/dovenull, Postfix to postfix (see /etc/passwd).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { getFreePort } from './ports.js';
import type { Stack } from './stack.js';

const run = promisify(execFile);
const PEER_TIMEOUT_MS = 15_000;
// postfix start runs postfix check first: slow on a loaded machine.
const START_TIMEOUT_MS = 60_000;

/** Whether the Debian binaries are installed (CI installs them through .ci/run). */
export const HAS_MAIL_PEERS = existsSync('/usr/sbin/dovecot') && existsSync('/usr/sbin/postfix');

async function waitForPort(port: number, what: string): Promise<void> {
  const deadline = Date.now() + PEER_TIMEOUT_MS;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${PEER_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Dovecot {
  readonly imapPort: number;
  /** Dovecot's auth socket for Postfix SASL. */
  readonly authSocket: string;
  readonly fragment: string;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts Dovecot with the fragment `integrate dovecot` printed for `stack`, and the policy secret. */
export async function startDovecot(stack: Stack, dir: string, secret: string): Promise<Dovecot> {
  await mkdir(path.join(dir, 'home'), { recursive: true });
  await chmod(dir, 0o755);
  await chmod(path.join(dir, 'home'), 0o777);
  const secretFile = path.join(dir, 'policy.secret');
  const sqlFile = path.join(dir, 'sql.conf.ext');
  const authSocket = path.join(dir, 'auth-postfix');
  await writeFile(secretFile, `X-Sendwarden-Policy-Secret:${secret}`, { mode: 0o640 });
  const printed = await stack.cli([
    'integrate',
    'dovecot',
    '--secret-file',
    secretFile,
    '--sql-file',
    sqlFile,
    '--auth-socket',
    authSocket,
  ]);
  const sql = await stack.cli(['integrate', 'dovecot', '--sql']);
  if (printed.code !== 0 || sql.code !== 0) throw new Error(`integrate dovecot failed: ${printed.stderr}${sql.stderr}`);
  await writeFile(path.join(dir, 'sendwarden.conf'), printed.stdout);
  await writeFile(sqlFile, sql.stdout);
  const imapPort = await getFreePort();
  const conf = path.join(dir, 'dovecot.conf');
  await writeFile(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 100
auth_failure_delay = 0
mail_location = maildir:~/Maildir
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
!include ${dir}/sendwarden.conf
`,
  );
  await run('/usr/sbin/dovecot', ['-c', conf], { timeout: START_TIMEOUT_MS });
  const log = () => readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await run('/usr/sbin/dovecot', ['-c', conf, 'stop'], { timeout: PEER_TIMEOUT_MS }).catch(() => undefined);
  };
  try {
    await waitForPort(imapPort, 'Dovecot');
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${await log()}`);
  }
  return { imapPort, authSocket, fragment: printed.stdout, log, stop };
}

export interface Postfix {
  readonly smtpPort: number;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** The main.cf lines and the submission service's -o options of `integrate postfix`. */
function splitPostfixFragment(text: string): { mainCf: string[]; submissionOptions: string[] } {
  const main = text.split('# ---- master.cf')[0] ?? '';
  const master = text.split('# ---- master.cf')[1] ?? '';
  return {
    mainCf: main.split('\n').filter((l) => /^[a-z_]+ =/.test(l)),
    submissionOptions: master
      .split('\n')
      .filter((l) => l.trim().startsWith('-o '))
      .map((l) => l.trim()),
  };
}

/**
 * Starts Postfix with the lines `integrate postfix` printed. Only what a temp instance needs
 * differs: its own queue and data folders, the Dovecot auth socket by absolute path, no chroot,
 * a next hop that is never reached (the tests stop at RCPT), and no TLS on the test port
 * (no certificate here; smtpd_tls_security_level=encrypt is replaced by none).
 */
export async function startPostfix(stack: Stack, dir: string, authSocket: string): Promise<Postfix> {
  const printed = await stack.cli(['integrate', 'postfix']);
  if (printed.code !== 0) throw new Error(`integrate postfix failed: ${printed.stderr}`);
  const { mainCf, submissionOptions } = splitPostfixFragment(printed.stdout);
  const etc = path.join(dir, 'etc');
  await mkdir(etc, { recursive: true });
  await mkdir(path.join(dir, 'queue'), { recursive: true });
  await mkdir(path.join(dir, 'data'), { recursive: true });
  await run('chown', ['postfix', path.join(dir, 'data')]);
  await chmod(dir, 0o755);
  const smtpPort = await getFreePort();
  const lines = [
    'compatibility_level = 3.6',
    `queue_directory = ${dir}/queue`,
    `data_directory = ${dir}/data`,
    'mail_owner = postfix',
    'inet_interfaces = 127.0.0.1',
    'inet_protocols = ipv4',
    'myhostname = mx.sendwarden.test',
    'mydestination =',
    'relayhost = [127.0.0.1]:9',
    `maillog_file_prefixes = ${dir}`,
    `maillog_file = ${dir}/maillog`,
    ...mainCf.map((l) => (l.startsWith('smtpd_sasl_path =') ? `smtpd_sasl_path = ${authSocket}` : l)),
  ];
  await writeFile(path.join(etc, 'main.cf'), `${lines.join('\n')}\n`);
  const services = [
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'proxymap unix - - n - - proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
    `127.0.0.1:${smtpPort} inet n - n - - smtpd`,
    ...submissionOptions.map((o) =>
      `  ${o.replace('smtpd_tls_security_level=encrypt', 'smtpd_tls_security_level=none')}`.replace(
        /syslog_name=\S+/,
        'syslog_name=postfix/submission',
      ),
    ),
  ];
  await writeFile(path.join(etc, 'master.cf'), `${services.join('\n')}\n`);
  const log = () => readFile(path.join(dir, 'maillog'), 'utf8').catch(() => '');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await run('/usr/sbin/postfix', ['-c', etc, 'stop'], { timeout: PEER_TIMEOUT_MS }).catch(() => undefined);
  };
  try {
    await run('/usr/sbin/postfix', ['-c', etc, 'start'], { timeout: START_TIMEOUT_MS });
    await waitForPort(smtpPort, 'Postfix');
  } catch (err) {
    await stop();
    const e = err as Error & { signal?: string; stderr?: string };
    throw new Error(`Postfix did not start: ${e.message} ${e.signal ?? ''} ${e.stderr ?? ''}\n${await log()}`);
  }
  return { smtpPort, log, stop };
}

/** One IMAP LOGIN from `localAddress`: 'OK' or the server's NO/BAD line. */
export async function imapLogin(
  port: number,
  login: string,
  password: string,
  localAddress = '127.0.0.1',
): Promise<string> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  socket.setEncoding('utf8');
  socket.setTimeout(PEER_TIMEOUT_MS);
  let buffer = '';
  const waitFor = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = buffer.split('\r\n').find((l) => re.test(l));
        if (line === undefined) return false;
        socket.off('data', onData);
        resolve(line);
        return true;
      };
      const onData = (chunk: string) => {
        buffer += chunk;
        check();
      };
      socket.on('data', onData);
      socket.once('timeout', () => reject(new Error(`IMAP: no answer within ${PEER_TIMEOUT_MS} ms: ${buffer}`)));
      socket.once('error', reject);
      check();
    });
  try {
    await waitFor(/^\* OK/);
    const quote = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    socket.write(`a1 LOGIN ${quote(login)} ${quote(password)}\r\n`);
    const tagged = await waitFor(/^a1 /);
    if (tagged.startsWith('a1 OK')) {
      socket.write('a2 LOGOUT\r\n');
      return 'OK';
    }
    return tagged.slice(3);
  } finally {
    socket.end();
    socket.destroy();
  }
}
