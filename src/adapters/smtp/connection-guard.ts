import type { SMTPServer, SMTPServerSession } from 'smtp-server';
import type { GatewayContext } from './gateway-context.js';
import { SMTP_OK } from './replies.js';

/** The part of smtp-server's (internal) SMTPConnection the guard uses. */
interface Connection {
  readonly id: string;
  readonly session: { readonly id: string };
  _nextHandler: unknown;
  _onCommand(command: Buffer | string, callback?: () => void): void;
  send(code: number, message: string, context?: unknown): void;
}

const KNOWN = new Set([
  'EHLO',
  'HELO',
  'MAIL',
  'RCPT',
  'DATA',
  'RSET',
  'NOOP',
  'QUIT',
  'VRFY',
  'HELP',
  'AUTH',
  'STARTTLS',
]);

function connectionOf(server: SMTPServer, session: SMTPServerSession): Connection | undefined {
  const connections = (server as unknown as { connections: Set<Connection> }).connections;
  for (const c of connections) if (c.id === session.id || c.session.id === session.id) return c;
  return undefined;
}

/** Sends our reply line (smtp-server closes the connection after any 421); the text carries its own enhanced code. */
function answer(connection: Connection, reply: string): void {
  connection.send(Number(reply.slice(0, 3)), reply.slice(4));
}

/**
 * Fair share and forbidden bytes on one connection, hooked into smtp-server's command
 * dispatch (it has no public hook for raw command lines):
 * - a NUL byte in a command line is refused before smtp-server parses it (a peer that strips
 *   NUL could read a different command than we checked);
 * - unknown commands and NUL lines count; past `maxBadCommands` the client gets 421 and is closed;
 * - the whole session ends after `sessionTimeoutMs` with 421 4.4.2, however busy it is, so a
 *   client trickling one byte every few seconds cannot keep a slot for ever.
 * Returns a function that stops the deadline timer (call it when the session closes).
 */
export function guardConnection(ctx: GatewayContext, server: SMTPServer, session: SMTPServerSession): () => void {
  const connection = connectionOf(server, session);
  if (connection === undefined) return () => undefined;
  let bad = 0;
  const original = connection._onCommand.bind(connection);
  connection._onCommand = (command, callback) => {
    const line = Buffer.isBuffer(command) ? command : Buffer.from(String(command ?? ''));
    const isContinuation = connection._nextHandler !== false && connection._nextHandler !== undefined;
    const verb = line.toString('latin1').split(' ')[0]?.toUpperCase() ?? '';
    const hasNul = line.includes(0);
    if (hasNul || (!isContinuation && !KNOWN.has(verb))) {
      bad += 1;
      if (bad > ctx.limits.maxBadCommands) {
        answer(connection, SMTP_OK.tooManyBadCommands);
        callback?.();
        return;
      }
    }
    if (hasNul) {
      answer(connection, SMTP_OK.nulInCommand);
      callback?.();
      return;
    }
    original(command, callback);
  };
  const timer = setTimeout(() => {
    ctx.deps.logger.info({ session: session.id, client: session.remoteAddress }, 'smtp session deadline reached');
    answer(connection, SMTP_OK.sessionTimeout);
  }, ctx.limits.sessionTimeoutMs);
  timer.unref();
  return () => clearTimeout(timer);
}
