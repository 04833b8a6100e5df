/**
 * The peers of `npm run bench -- --peers`, from Debian's packages, each started here with its own
 * configuration in a temp folder, on a free 127.0.0.1 port, dropping to nobody:nogroup when run as
 * root, and stopped on every exit path:
 *
 * - policyd-rate-limit (python3, apt-get install policyd-rate-limit): its SQLite backend with the
 *   database on /dev/shm, limits by sasl_username, counts every RCPT request it lets through.
 *   Runs in the foreground: a child process in `children`.
 * - postfwd1 and postfwd2 (perl, apt-get install postfwd): one rate() rule on sasl_username, no DNS,
 *   no logging. Both always daemonise, so they are stopped by the pid in their pidfile; the pids
 *   are in `daemonPids` for run.ts's exit hook.
 *
 * A peer whose program is missing resolves to a reason string, and the bench skips it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { children } from './next-hop.js';

/** A running peer. */
export interface Peer {
  readonly name: string;
  readonly port: number;
  /** How it was configured, for the report. */
  readonly config: string;
  close(): Promise<void>;
}

/** Pids of daemonised peers, killed by run.ts's exit hook. */
export const daemonPids = new Set<number>();

/** The refusal every peer answers beyond the limit (Sendwarden answers its own 5.7.x line). */
const REFUSAL = '450 4.7.1 rate limit reached';

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `count` distinct free ports: every probe stays open until all are found (no port handed out twice). */
export async function freePorts(count: number): Promise<number[]> {
  const probes = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const probe = net.createServer();
          probe.once('error', reject);
          probe.listen(0, '127.0.0.1', () => resolve(probe));
        }),
    ),
  );
  const ports = probes.map((p) => (p.address() as AddressInfo).port);
  await Promise.all(probes.map((p) => new Promise((resolve) => p.close(resolve))));
  return ports;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitFor(port: number, timeoutMs: number, alive: () => string | undefined): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const dead = alive();
    if (dead !== undefined) throw new Error(dead);
    if (await listening(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
}

const isRoot = () => process.getuid?.() === 0;

/** A folder the unprivileged peer may write to (owned by nobody when we are root). */
async function peerDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  if (isRoot()) await chown(dir, 65534, 65534);
  return dir;
}

/** Where /dev/shm is, the peer's SQLite database goes there (as its README suggests for speed). */
function shmOr(dir: string): string {
  return executable('/dev/shm') ? '/dev/shm' : dir;
}

export async function startPolicydRateLimit(dir: string, limit: number, windowS: number): Promise<Peer | string> {
  const binary = '/usr/bin/policyd-rate-limit';
  if (!executable(binary)) return 'policyd-rate-limit is not installed (apt-get install policyd-rate-limit); skipped';
  const [port = 0] = await freePorts(1);
  const base = path.join(shmOr(dir), `sw-bench-prl-${process.pid}-${port}`);
  await mkdir(base, { recursive: true, mode: 0o755 });
  await chmod(base, 0o755);
  // It creates (and chowns) the pid and database folders itself; they must not exist yet.
  const yaml = [
    'debug: False',
    `user: "${isRoot() ? 'nobody' : (process.env['USER'] ?? 'nobody')}"`,
    `group: "${isRoot() ? 'nogroup' : 'nogroup'}"`,
    `pidfile: "${base}/run/policyd-rate-limit.pid"`,
    'backend: 0',
    `sqlite_config:\n    database: "${base}/db/db.sqlite3"`,
    `SOCKET: ["127.0.0.1", ${port}]`,
    `limits:\n    - [${limit}, ${windowS}]`,
    'limits_by_id: {}',
    'limit_by_sasl: True',
    'limit_by_sender: False',
    'limit_by_ip: False',
    'limited_networks: []',
    'success_action: "dunno"',
    `fail_action: "${REFUSAL}"`,
    'db_error_action: "dunno"',
    'report: False',
    'delay_to_close: 300',
    '',
  ].join('\n');
  const file = path.join(base, 'policyd-rate-limit.yaml');
  await writeFile(file, yaml);
  const child = spawn(binary, ['--file', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  child.once('exit', () => children.delete(child));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    spawnSync('rm', ['-rf', base]);
  };
  try {
    await waitFor(port, 10_000, () =>
      child.exitCode === null ? undefined : `policyd-rate-limit exited ${child.exitCode}: ${stderr.trim()}`,
    );
  } catch (err) {
    await close();
    return `policyd-rate-limit did not start: ${(err as Error).message}`;
  }
  return {
    name: 'policyd-rate-limit',
    port,
    config: `SQLite on ${shmOr(dir)}, limits [[${limit}, ${windowS}]], limit_by_sasl, fail_action "${REFUSAL}"`,
    close,
  };
}

function versionOf(binary: string): string {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return /\d+\.\d+(\.\d+)?/.exec(`${r.stdout}${r.stderr}`)?.[0] ?? '?';
}

/** postfwd1 (one process) or postfwd2 (a policy master with pre-forked children and a cache daemon). */
export async function startPostfwd(
  variant: 'postfwd1' | 'postfwd2',
  dir: string,
  limit: number,
  windowS: number,
): Promise<Peer | string> {
  const binary = `/usr/sbin/${variant}`;
  if (!executable(binary)) return `${variant} is not installed (apt-get install postfwd); skipped`;
  // postfwd2's cache daemon listens on 127.0.0.1:10043 unless told otherwise.
  const [port = 0, cachePort = 0] = await freePorts(2);
  // Not under the bench's 0700 temp folder: postfwd2's children read the rules as nobody.
  const base = await peerDir(path.join(shmOr(dir), `sw-bench-${variant}-${process.pid}-${port}`));
  const rules = path.join(base, 'postfwd.cf');
  const rule = `id=RATE01; protocol_state==RCPT; sasl_username=~.; action=rate(sasl_username/${limit}/${windowS}/${REFUSAL})`;
  await writeFile(rules, `${rule}\nid=DEFAULT; action=dunno\n`, { mode: 0o644 });
  const pidfile = path.join(base, `${variant}.pid`);
  const args = [
    ...(isRoot() ? ['--user', 'nobody', '--group', 'nogroup'] : []),
    '--file',
    rules,
    '--interface',
    '127.0.0.1',
    '--port',
    String(port),
    '--pidfile',
    pidfile,
    '--nodns',
    '--perfmon',
  ];
  if (variant === 'postfwd1') args.push('--daemon');
  if (variant === 'postfwd2') args.push('--cache_socket', `tcp:127.0.0.1:${cachePort}`);
  const started = spawnSync(binary, args, { encoding: 'utf8', timeout: 15_000 });
  let pid: number | undefined;
  const readPid = () => {
    try {
      pid = Number(readFileSync(pidfile, 'utf8').trim()) || undefined;
      if (pid !== undefined) daemonPids.add(pid);
    } catch {
      // not written yet
    }
  };
  const close = async () => {
    readPid();
    if (pid === undefined) return void spawnSync('rm', ['-rf', base]);
    const target = pid;
    try {
      // The daemon leads its own session: its group is the master, the policy process and the children.
      process.kill(-target, 'SIGTERM');
    } catch {
      // Not a group leader after all: the master alone.
      try {
        process.kill(target, 'SIGTERM');
      } catch {
        // gone
      }
      daemonPids.delete(target);
      return void spawnSync('rm', ['-rf', base]);
    }
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(target, 0);
      } catch {
        break;
      }
    }
    try {
      process.kill(-target, 'SIGKILL');
    } catch {
      // gone
    }
    daemonPids.delete(target);
    spawnSync('rm', ['-rf', base]);
  };
  try {
    if (started.status !== 0) throw new Error(`exit ${started.status}: ${`${started.stderr}`.trim().slice(0, 300)}`);
    await waitFor(port, 15_000, () => {
      readPid();
      return undefined;
    });
    readPid();
  } catch (err) {
    await close();
    return `${variant} did not start: ${(err as Error).message}`;
  }
  return {
    name: variant,
    port,
    config:
      `${variant} ${versionOf(binary)}: \`${rule}\`, --nodns --perfmon` +
      (variant === 'postfwd2' ? `, cache daemon on 127.0.0.1:${cachePort}` : ''),
    close,
  };
}
