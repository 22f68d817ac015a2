/**
 * The pooled PostgreSQL connection on a real server (TRD_PG_URL; .ci/run starts one): close() returns only once the
 * server has let every connection go, and a connection the server drops never ends the process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openPgPoolDb } from './postgres.ts';

const url = process.env.TRD_PG_URL;
const skip = url === undefined || url === '' ? 'TRD_PG_URL is not set (.ci/run sets it)' : false;

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

function databaseUrl(name: string): string {
  const u = new URL(url ?? '');
  u.pathname = `/${name}`;
  return u.toString();
}

test(
  'a closed pool has let go of the server: the database can be dropped at once, without a stray error',
  { skip },
  async () => {
    const stray: unknown[] = [];
    const onStray = (e: unknown): void => void stray.push(e);
    process.on('uncaughtException', onStray);
    try {
      for (let i = 0; i < 10; i++) {
        const name = `trd_close_${process.pid}_${i}`;
        await withAdmin((a) => a.query(`CREATE DATABASE ${name}`));
        const db = openPgPoolDb(databaseUrl(name));
        // Ten busy connections, as after a burst of concurrent randomizations.
        await Promise.all(
          Array.from({ length: 30 }, () => db.transaction('read', (tx) => tx.all('SELECT pg_sleep(0.005)'))),
        );
        await db.close();
        await withAdmin((a) => a.query(`DROP DATABASE ${name} WITH (FORCE)`));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      process.off('uncaughtException', onStray);
    }
    assert.deepEqual(stray.map(String), []);
  },
);

test('an idle connection the server terminates is replaced, not fatal', { skip }, async () => {
  const db = openPgPoolDb(url ?? '');
  try {
    const pid = await db.transaction('read', (tx) => tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'));
    await withAdmin((a) => a.query('SELECT pg_terminate_backend($1)', [pid?.pid]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await db.transaction('read', (tx) => tx.get<{ one: number }>('SELECT 1 AS one'));
    assert.equal(again?.one, 1);
  } finally {
    await db.close();
  }
});
