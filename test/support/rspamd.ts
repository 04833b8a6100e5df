/**
 * A real Rspamd (Debian's rspamd 3.4) for e2e tests: its own config folder under a temp dir,
 * the normal and controller workers on free 127.0.0.1 ports, no network lookups (DNS goes to a
 * closed port, no RBL, fuzzy or other network modules: `filters = ""` loads none), GTUBE test
 * patterns on, and a five-entry TLD list (compiling the full public-suffix list takes minutes on
 * a busy 2-core machine). start() waits until /ping answers; stop() ends the process group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getFreePort } from './ports.js';

/** The GTUBE line: any Rspamd rejects a message carrying it (symbol GTUBE). */
export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

export interface RspamdInstance {
  readonly url: string;
  readonly controllerUrl: string;
  readonly password: string;
  /** Starts (again) on the same ports and waits for /ping. */
  start(): Promise<void>;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s); safe to call twice. */
  stop(): Promise<void>;
  /** stop(), then removes the config folder. */
  dispose(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

export async function createRspamd(): Promise<RspamdInstance> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-rspamd-'));
  const [normal, controller] = [await getFreePort(), await getFreePort()];
  const password = 'rspamd-test-password';
  await writeFile(path.join(dir, 'tld.dat'), 'com\norg\nnet\nexample\ntest\n');
  await writeFile(
    path.join(dir, 'rspamd.conf'),
    `options {
  pidfile = "${dir}/rspamd.pid";
  filters = "";
  dynamic_conf = "${dir}/dynamic";
  history_file = "${dir}/history";
  cache_file = "${dir}/symbols.cache";
  control_socket = "${dir}/rspamd.sock mode=0600";
  tempdir = "${dir}";
  url_tld = "${dir}/tld.dat";
  enable_test_patterns = true;
  allow_raw_input = true;
  disable_hyperscan = true;
  dns { nameserver = ["127.0.0.1:1"]; timeout = 0.1s; retransmits = 0; }
}
logging { type = "console"; level = "error"; }
actions { reject = 15; add_header = 6; greylist = 4; }
worker "normal" { bind_socket = "127.0.0.1:${normal}"; count = 1; }
worker "controller" {
  bind_socket = "127.0.0.1:${controller}";
  count = 1;
  password = "${password}";
  enable_password = "${password}";
}
`,
  );
  const url = `http://127.0.0.1:${normal}`;
  let child: ChildProcess | null = null;

  const isUp = async () => {
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
      return (await res.text()).trim() === 'pong';
    } catch {
      return false;
    }
  };

  const stop = async () => {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null || c.pid === undefined) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-c.pid!, s);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const start = async () => {
    if (child !== null) return;
    const asRoot = process.getuid?.() === 0 ? ['-u', 'root', '-g', 'root', '-i'] : [];
    const c = spawn('rspamd', ['-f', ...asRoot, '-c', path.join(dir, 'rspamd.conf')], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = c;
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await isUp())) {
      if (c.exitCode !== null) throw new Error(`rspamd exited (${c.exitCode}): ${stderr}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`rspamd did not answer /ping within ${START_TIMEOUT_MS} ms: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  return {
    url,
    controllerUrl: `http://127.0.0.1:${controller}`,
    password,
    start,
    stop,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
