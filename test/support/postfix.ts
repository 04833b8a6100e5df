/**
 * A real Postfix (Debian `postfix`, installed by .ci/run) as the next hop, started from its own
 * config folder under a temp dir on a free 127.0.0.1 port: virtual mailboxes delivered into
 * maildirs there, every other recipient refused with `550 5.1.1`, mail for other domains
 * discarded. `postfix -c DIR stop` and the folder removal run in stop(), even after a failure.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostfixNextHop {
  readonly url: string;
  readonly dir: string;
  /** Every delivered message of a mailbox (local part before the @), oldest first. */
  mailbox(address: string): Promise<string[]>;
  /** Waits until the mailbox holds `count` messages (bounded by `timeoutMs`). */
  waitFor(address: string, count: number, timeoutMs?: number): Promise<string[]>;
  /** The maillog so far (for assertions on what Postfix saw). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

const SERVICES = `pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
proxymap unix - - n - - proxymap
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`;

function folderOf(address: string): string {
  return Buffer.from(address.normalize('NFC')).toString('hex').slice(0, 60);
}

/** `mailboxes` are the addresses Postfix accepts (ASCII or UTF-8); `domains` their domains. */
export async function startPostfix(mailboxes: readonly string[]): Promise<PostfixNextHop> {
  const dir = await mkdtemp(join(tmpdir(), 'sw-postfix-'));
  await chmod(dir, 0o755);
  const etc = join(dir, 'etc');
  const mail = join(dir, 'mail');
  const data = join(dir, 'data');
  for (const d of [etc, mail, data, join(dir, 'queue')]) await mkdir(d);
  const { stdout: ids } = await run('id', ['-u', 'postfix']);
  const { stdout: gids } = await run('id', ['-g', 'postfix']);
  const uid = Number(ids.trim());
  const gid = Number(gids.trim());
  await chown(mail, uid, gid);
  await chown(data, uid, gid);
  const domains = [...new Set(mailboxes.map((m) => m.slice(m.lastIndexOf('@') + 1)))];
  const maps = mailboxes.map((m) => `{${m}=${folderOf(m)}/}`).join(' ');
  const port = await freePort();
  await writeFile(
    join(etc, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${join(dir, 'queue')}`,
      `data_directory = ${data}`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'myhostname = nexthop.test',
      'mydomain = nexthop.test',
      'myorigin = nexthop.test',
      'mydestination =',
      'mynetworks = 127.0.0.0/8',
      'smtpd_recipient_restrictions = permit_mynetworks, reject',
      `virtual_mailbox_domains = ${domains.join(', ')}`,
      `virtual_mailbox_base = ${mail}`,
      `virtual_mailbox_maps = inline:{ ${maps} }`,
      `virtual_uid_maps = static:${uid}`,
      `virtual_gid_maps = static:${gid}`,
      'default_transport = discard',
      'relay_transport = discard',
      'smtputf8_enable = yes',
      `maillog_file_prefixes = ${dir}`,
      `maillog_file = ${join(dir, 'maillog')}`,
      'alias_maps =',
      'alias_database =',
      '',
    ].join('\n'),
  );
  await writeFile(join(etc, 'master.cf'), `127.0.0.1:${port} inet n - n - - smtpd\n${SERVICES}`);
  const stop = async () => {
    await run('postfix', ['-c', etc, 'stop']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run('postfix', ['-c', etc, 'start'], { timeout: 30_000 });
    await waitUntilListening(port, 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const mailbox = async (address: string): Promise<string[]> => {
    const folder = join(mail, folderOf(address), 'new');
    const names = (await readdir(folder).catch(() => [] as string[])).sort();
    return Promise.all(names.map((n) => readFile(join(folder, n), 'utf8')));
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    dir,
    mailbox,
    waitFor: async (address, count, timeoutMs = 15_000) => {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const got = await mailbox(address);
        if (got.length >= count || performance.now() > deadline) return got;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    log: () => readFile(join(dir, 'maillog'), 'utf8').catch(() => ''),
    stop,
  };
}

async function waitUntilListening(port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (performance.now() > deadline) throw new Error(`postfix did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
