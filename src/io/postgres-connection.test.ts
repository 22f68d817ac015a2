/**
 * The connection failures pg reports without a code, told in words like the others: a server that asks for a
 * password the URL does not give, and one that accepts the connection but never answers. Both were "(connection
 * failed): the connection failed", which told a site's engineer nothing to do. A stand-in server on a local port
 * plays the server's part, so no PostgreSQL configuration is needed.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import pg from 'pg';
import type { InputError } from '../record/index.ts';
import { cannotConnect } from './postgres-connection.ts';

/** An authentication request of PostgreSQL's protocol ('R', length, kind, data). */
function authentication(kind: number, data: Buffer): Buffer {
  const message = Buffer.alloc(9 + data.length);
  message.write('R', 0);
  message.writeInt32BE(8 + data.length, 1);
  message.writeInt32BE(kind, 5);
  data.copy(message, 9);
  return message;
}

/** A local server that answers each message of a connection with the next of `replies` (then nothing). */
async function standIn(replies: readonly Buffer[]): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let next = 0;
    socket.on('data', () => {
      const reply = replies[next++];
      if (reply !== undefined) socket.write(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

/** The error pg gives when connecting to `url`, and the line the screen and the trial store make of it. */
async function failure(url: string, timeoutMs: number): Promise<InputError> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    return cannotConnect(url, error, 'screen.source.unreachable');
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error('connected to a stand-in server');
}

async function closed(s: { server: Server; sockets: Socket[] }): Promise<void> {
  for (const socket of s.sockets) socket.destroy();
  await new Promise((resolve) => s.server.close(resolve));
}

test('a server that asks for a SCRAM password the URL does not give: what to give, and where', async () => {
  // As PostgreSQL under scram-sha-256: AuthenticationSASL offering SCRAM-SHA-256, then the server-first-message.
  const s = await standIn([
    authentication(10, Buffer.from('SCRAM-SHA-256\0\0')),
    authentication(11, Buffer.from('r=nonce,s=c2FsdA==,i=4096')),
  ]);
  try {
    const saved = process.env['PGPASSWORD'];
    delete process.env['PGPASSWORD'];
    try {
      const e = await failure(`postgres://reader@127.0.0.1:${s.port}/omop`, 5000);
      assert.equal(
        e.message,
        `cannot connect to the PostgreSQL database at 127.0.0.1:${s.port} (no password): the server asks for a password and none was given (in the URL, PGPASSWORD or ~/.pgpass)`,
      );
    } finally {
      if (saved !== undefined) process.env['PGPASSWORD'] = saved;
    }
  } finally {
    await closed(s);
  }
});

test('a server that accepts the connection but never answers: said so, not "the connection failed"', async () => {
  const s = await standIn([]);
  try {
    const e = await failure(`postgres://reader:secret-password@127.0.0.1:${s.port}/omop`, 300);
    assert.equal(
      e.message,
      `cannot connect to the PostgreSQL database at 127.0.0.1:${s.port} (timeout): the server accepted the connection but did not answer in time`,
    );
    assert.ok(!e.message.includes('secret'));
  } finally {
    await closed(s);
  }
});

test('a Unix socket folder with no server: the folder named, and what ENOENT means there', async () => {
  for (const url of [
    'postgres:///omop?host=/nonexistent-trd-socket-folder&port=5432',
    'postgres://reader@%2Fnonexistent-trd-socket-folder:5432/omop',
  ]) {
    const e = await failure(url, 5000);
    assert.equal(
      e.message,
      'cannot connect to the PostgreSQL database at /nonexistent-trd-socket-folder:5432 (ENOENT): no server socket in that folder (the server is not running, or its unix_socket_directories is another)',
    );
  }
});

test('SSL asked for and not offered, or a certificate not verified: said so, with what to give', async () => {
  // The server's answer 'N' to pg's SSLRequest: no SSL here.
  const s = await standIn([Buffer.from('N')]);
  try {
    const e = await failure(`postgres://reader@127.0.0.1:${s.port}/omop?sslmode=no-verify`, 5000);
    assert.equal(
      e.message,
      `cannot connect to the PostgreSQL database at 127.0.0.1:${s.port} (no SSL): the URL asks for SSL (sslmode) and the server does not offer it`,
    );
  } finally {
    await closed(s);
  }
  for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
    assert.match(
      cannotConnect('postgres://db.example/omop', Object.assign(new Error('x'), { code }), 'trial.db.unreachable')
        .message,
      /^cannot connect to the PostgreSQL database at db\.example \([A-Z_]+\): the server's TLS certificate could not be verified \(give its certificate authority with sslrootcert=FILE in the URL\)$/,
    );
  }
});
