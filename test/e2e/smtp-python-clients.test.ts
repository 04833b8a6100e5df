/**
 * Issue 11 through Python's smtplib, a client none of us wrote, with the exact reply lines:
 * a header From that is not the user's is refused (also hidden in two From headers, a second
 * address, an encoded-word display name, a group), a NUL byte in DATA or in a command is
 * refused, one address cannot take every slot, and no session outlives its deadline. If this
 * fails, a hijacked mailbox can impersonate the CEO, a NUL can smuggle a second message past
 * a next hop that strips NUL, or one client starves everybody else.
 *
 * Fakes: none. Real nodes (test/support/stack.ts) with the capture outbox, python3 as a child process.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const ROB = 'rob@contoso.com';
let stack: Stack;
let password: string;

/** Runs a Python 3 script (helpers below are prepended) and returns the JSON it prints. */
function python(script: string, env: Record<string, string>): Promise<unknown> {
  const prelude = `
import json, os, smtplib, socket, ssl, sys, time
PORT = int(os.environ['PORT'])
def tls_client(source=None):
    s = smtplib.SMTP('127.0.0.1', PORT, timeout=10, source_address=source)
    s.ehlo()
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s.starttls(context=ctx)
    s.ehlo()
    return s
def line(reply):
    code, msg = reply
    return f"{code} {msg.decode() if isinstance(msg, bytes) else msg}"
`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      'python3',
      ['-c', prelude + script],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`python3 failed: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout));
      },
    );
    child.stdin?.end();
  });
}

beforeAll(async () => {
  stack = await startStack({ env: { SENDWARDEN_SMTP_MAX_CLIENTS_PER_IP: '20' } });
  password = (await stack.addUser(ROB)).password;
  await stack.addUser('megan@contoso.com');
  // A dozen messages in a few seconds: the throttle and hourly limits are not what this file is about.
  await stack.app.policyAdmin.update(SYSTEM_PRINCIPAL, {
    limits: { messagesPerMinute: 1000, externalPerHour: 1000, perDay: 10_000 },
    // Each refused Send As is evidence; ten of them here must not restrict rob mid-file.
    spamVerdictsToRestrict: 1000,
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const SEND_AS = `
results = {}
cases = json.loads(os.environ['CASES'])
for name, headers in cases.items():
    s = tls_client()
    s.login(os.environ['LOGIN'], os.environ['PASSWORD'])
    s.mail(os.environ['LOGIN'])
    r = s.rcpt('partner@fabrikam.com')
    if r[0] != 250: raise Exception(line(r))
    msg = headers + '\\r\\nTo: partner@fabrikam.com\\r\\nSubject: ' + name + '\\r\\n\\r\\nHello.\\r\\n'
    results[name] = line(s.data(msg.encode()))
    s.quit()
print(json.dumps(results))
`;

describe('Send As (header From and Sender)', () => {
  it('refuses every From or Sender that is not the user, however it is disguised, and relays none', async () => {
    const refused = '550 5.7.60 Client does not have permissions to send as this sender';
    const cases = {
      own: `From: Rob <${ROB}>`,
      'case-differs': 'From: Rob <ROB@Contoso.COM>',
      colleague: 'From: megan@contoso.com',
      'two-from-headers': `From: ${ROB}\r\nFrom: megan@contoso.com`,
      'second-address': `From: ${ROB}, ceo@contoso.com`,
      'encoded-word-name': 'From: =?utf-8?q?Rob_Young_=3Crob=40contoso=2Ecom=3E?= <ceo@contoso.com>',
      'encoded-word-address': 'From: =?utf-8?q?megan=40contoso.com?=',
      'quoted-own-address-as-name': `From: "${ROB}" <megan@contoso.com>`,
      group: 'From: Board: ceo@contoso.com;',
      'empty-group': 'From: undisclosed-recipients:;',
      'foreign-sender': `From: ${ROB}\r\nSender: bank@fabrikam.com`,
      'punycode-lookalike': `From: rob@xn--contso-5ya.com`,
    };
    const results = (await python(SEND_AS, {
      PORT: String(stack.smtpPort),
      LOGIN: ROB,
      PASSWORD: password,
      CASES: JSON.stringify(cases),
    })) as Record<string, string>;
    expect(results['own']).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(results['case-differs']).toMatch(/^250 2\.0\.0 Ok: queued as /);
    for (const name of Object.keys(cases).filter((n) => n !== 'own' && n !== 'case-differs')) {
      expect({ name, reply: results[name] }).toEqual({ name, reply: refused });
    }
    const captured = await stack.app.outbox!.list();
    expect(captured.map((c) => c.subject).sort()).toEqual(['case-differs', 'own']);
  });
});

describe('forbidden bytes', () => {
  it('refuses a NUL in DATA (no second message behind it) and in a command', async () => {
    const before = (await stack.app.outbox!.list()).length;
    const results = (await python(
      `
s = tls_client()
s.login(os.environ['LOGIN'], os.environ['PASSWORD'])
s.mail(os.environ['LOGIN'])
r = s.rcpt('partner@fabrikam.com')
if r[0] != 250: raise Exception(line(r))
body = ('From: ' + os.environ['LOGIN'] + '\\r\\nSubject: nul\\r\\n\\r\\nfirst\\r\\n\\x00.\\r\\nMAIL FROM:<x@y>\\r\\n').encode()
data = line(s.data(body))
command = line(s.docmd('NOOP\\x00'))
noop = line(s.noop())
s.quit()
print(json.dumps({'data': data, 'command': command, 'noop': noop}))
`,
      { PORT: String(stack.smtpPort), LOGIN: ROB, PASSWORD: password },
    )) as Record<string, string>;
    expect(results).toEqual({
      data: '550 5.6.0 NUL bytes are not accepted',
      command: '500 5.5.2 NUL bytes are not accepted',
      noop: '250 OK',
    });
    expect(await stack.app.outbox!.list()).toHaveLength(before);
  });
});

describe('fair share', () => {
  it('gives the 21st connection from one address 421 4.7.0 while another address is still served', async () => {
    const results = (await python(
      `
held, refused = [], []
for i in range(30):
    try:
        held.append(smtplib.SMTP('127.0.0.1', PORT, timeout=10))
    except smtplib.SMTPConnectError as e:
        refused.append(f"{e.smtp_code} {e.smtp_error.decode()}")
other = smtplib.SMTP('127.0.0.1', PORT, timeout=10, source_address=('127.0.0.2', 0))
ehlo = other.ehlo()[0]
other.quit()
for s in held: s.quit()
print(json.dumps({'held': len(held), 'refused': refused, 'other': ehlo}))
`,
      { PORT: String(stack.smtpPort) },
    )) as { held: number; refused: string[]; other: number };
    expect(results.held).toBe(20);
    expect(results.refused).toEqual(
      Array(10).fill('421 4.7.0 Too many connections from your address, try again later'),
    );
    expect(results.other).toBe(250);
  });

  it('closes a trickling session at the deadline with 421 4.4.2', { timeout: 60_000 }, async () => {
    const short = await startStack({ env: { SENDWARDEN_SMTP_SESSION_TIMEOUT_MS: '1500' } });
    try {
      const results = (await python(
        `
s = smtplib.SMTP('127.0.0.1', PORT, timeout=10)
start = time.monotonic()
replies = []
while time.monotonic() - start < 10:
    try:
        r = line(s.noop())
    except smtplib.SMTPServerDisconnected:
        break
    replies.append(r)
    if not r.startswith('250'):
        break
    time.sleep(0.3)
print(json.dumps({'last': replies[-1], 'seconds': time.monotonic() - start}))
`,
        { PORT: String(short.smtpPort) },
      )) as { last: string; seconds: number };
      expect(results.last).toBe('421 4.4.2 Session time limit reached, closing connection');
      expect(results.seconds).toBeLessThan(5);
    } finally {
      await short.stop();
    }
  });

  it('closes the connection at the 4th AUTH after 3 failed ones', async () => {
    const results = (await python(
      `
s = tls_client()
replies = []
for i in range(4):
    replies.append(line(s.docmd('AUTH', 'PLAIN ' + __import__('base64').b64encode(b'\\0' + os.environ['LOGIN'].encode() + b'\\0wrong' + str(i).encode()).decode())))
try:
    after = line(s.noop())
except smtplib.SMTPServerDisconnected:
    after = 'disconnected'
print(json.dumps({'replies': replies, 'after': after}))
`,
      { PORT: String(stack.smtpPort), LOGIN: 'megan@contoso.com' },
    )) as { replies: string[]; after: string };
    expect(results.replies).toEqual([
      '535 5.7.8 Authentication credentials invalid',
      '535 5.7.8 Authentication credentials invalid',
      '535 5.7.8 Authentication credentials invalid',
      '421 4.7.0 Too many failed authentications, closing connection',
    ]);
    expect(results.after).toBe('disconnected');
  });
});
