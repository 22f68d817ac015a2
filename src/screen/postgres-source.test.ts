/**
 * A site's PostgreSQL CDM as it really is: a schema named with capitals ("OMOP_CDM", created quoted by a loading
 * tool), a database user who may not read every table, and connection failures told in words (a wrong password is
 * not a bare "28P01"), never with the URL's password.
 *
 * PGlite in-process by default; the real server when TRD_PG_URL is set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { InputError } from '../record/index.ts';
import { AS_OF, writePopulation, withPostgresOmop, type Population } from './fixtures.test-support.ts';
import { OMOP_TABLE_NAMES } from './sources/omop-schema.ts';
import { openOmopSource, type SqlRunner } from './sources/omop.ts';
import { connectionFailure } from '../io/postgres-connection.ts';
import { postgresRunner, queryFailure } from './sources/postgres.ts';

let pop: Population;
before(async () => {
  pop = await writePopulation(120, 5454);
});
after(() => rmSync(pop.dir, { recursive: true, force: true }));

/** The persons the screen gives from the CDM in `schema`. */
async function screened(runner: SqlRunner, schema: string): Promise<number> {
  const source = openOmopSource({ runner, knowledge: pop.engine.knowledge, asOf: AS_OF, schema });
  await source.prepare();
  let n = 0;
  for await (const input of source.patients(undefined)) if (input.patient.startsWith('Patient/')) n++;
  return n;
}

/** The fixture's CDM moved into a schema of this name (PGlite keeps it in public; a server, in its own schema). */
async function moveInto(runner: SqlRunner, from: string | undefined, to: string): Promise<() => Promise<void>> {
  if (from === undefined) {
    await runner.rows(`CREATE SCHEMA "${to}"`);
    for (const t of OMOP_TABLE_NAMES) await runner.rows(`ALTER TABLE public.${t} SET SCHEMA "${to}"`);
    return async () => {
      for (const t of OMOP_TABLE_NAMES) await runner.rows(`ALTER TABLE "${to}".${t} SET SCHEMA public`);
    };
  }
  await runner.rows(`ALTER SCHEMA ${from} RENAME TO "${to}"`);
  return async () => void (await runner.rows(`ALTER SCHEMA "${to}" RENAME TO ${from}`));
}

test('a CDM schema named with capitals is read, as typed or in lower case', async (t) => {
  await withPostgresOmop(
    pop,
    (m) => t.diagnostic(m),
    async ({ runner, schema }) => {
      const name = `Omop_Cdm_${process.pid}`;
      const restore = await moveInto(runner, schema, name);
      try {
        assert.equal(await screened(runner, name), pop.patients.length);
        assert.equal(await screened(runner, name.toLowerCase()), pop.patients.length);
      } finally {
        await restore();
      }
    },
  );
});

test('CDM tables this user may not read are named as such, not as missing', async (t) => {
  await withPostgresOmop(
    pop,
    (m) => t.diagnostic(m),
    async ({ runner, schema, q }) => {
      const role = `trd_reader_${process.pid}`;
      const where = schema ?? 'public';
      try {
        await runner.rows(`CREATE ROLE ${role}`);
      } catch {
        t.diagnostic('this server user may not create a role: not checked here');
        return;
      }
      try {
        await runner.rows(`GRANT USAGE ON SCHEMA ${where} TO ${role}`);
        await runner.rows(`GRANT SELECT ON ALL TABLES IN SCHEMA ${where} TO ${role}`);
        await runner.rows(`REVOKE SELECT ON ${q('concept_ancestor')} FROM ${role}`);
        await runner.rows(`SET ROLE ${role}`);
        await assert.rejects(
          screened(runner, where),
          (e: unknown) =>
            e instanceof InputError &&
            e.message ===
              `the OMOP CDM table concept_ancestor is in schema ${where} but this database user may not read it (it needs SELECT on it)`,
        );
      } finally {
        await runner.rows('RESET ROLE');
        await runner.rows(`DROP OWNED BY ${role}`);
        await runner.rows(`DROP ROLE ${role}`);
      }
    },
  );
});

test('a connection failure is told in words by its code, never the server message or the password', async (t) => {
  assert.equal(connectionFailure('28P01'), 'the server refused the user name or password');
  assert.equal(connectionFailure('3D000'), 'the server has no database of that name');
  assert.equal(connectionFailure('ECONNREFUSED'), 'nothing listens at that address and port');
  assert.equal(connectionFailure('XX999'), 'the connection failed');
  assert.equal(connectionFailure('toString'), 'the connection failed');
  const url = process.env['TRD_PG_URL'];
  if (url === undefined || url === '') {
    t.diagnostic('TRD_PG_URL not set: a real server refusing a database is not checked here');
    return;
  }
  const u = new URL(url);
  u.pathname = `/trd_no_such_database_${process.pid}`;
  u.password = 'secret-password';
  await assert.rejects(
    postgresRunner(u.toString()),
    (e: unknown) =>
      e instanceof InputError &&
      /cannot connect .* \((3D000|28P01)\): the server (has no database of that name|refused the user name or password)$/.test(
        e.message,
      ) &&
      !e.message.includes('secret') &&
      !e.message.includes('trd_no_such_database'),
  );
});

test('a connection lost or a query refused during a screen is one clear line that says a run again resumes', async (t) => {
  assert.match(queryFailure('57P01'), /^the server ended the connection/);
  assert.match(queryFailure('57014'), /^the server cancelled the query \(a statement_timeout/);
  assert.equal(queryFailure('XX999'), 'the server refused the query');
  const url = process.env['TRD_PG_URL'];
  if (url === undefined || url === '') {
    t.diagnostic('TRD_PG_URL not set: a connection ended by the server is not checked here');
    return;
  }
  const runner = await postgresRunner(url);
  const other = await postgresRunner(url);
  try {
    const [[pid]] = (await runner.rows('SELECT pg_backend_pid()')) as [[number]];
    await other.rows(`SELECT pg_terminate_backend(${Number(pid)})`);
    for (let i = 0; i < 2; i++) {
      // The first query meets the ended connection, the next one a client that can no longer query.
      await assert.rejects(
        runner.rows('SELECT 1'),
        (e: unknown) =>
          e instanceof InputError &&
          /^(a query to the PostgreSQL database at \S+ failed \(57P01\): the server ended the connection .*|the connection to the PostgreSQL database at \S+ was lost); run the same command again to resume$/.test(
            e.message,
          ),
      );
    }
  } finally {
    await runner.close().catch(() => undefined);
    await other.close();
  }
});

test('the fingerprint a resumed screen compares changes when the PostgreSQL CDM is reloaded with other rows', async (t) => {
  await withPostgresOmop(
    pop,
    (m) => t.diagnostic(m),
    async ({ runner, schema, q }) => {
      const fingerprint = async (): Promise<string | undefined> =>
        (
          await openOmopSource({
            runner,
            knowledge: pop.engine.knowledge,
            asOf: AS_OF,
            ...(schema === undefined ? {} : { schema }),
          }).prepare()
        ).fingerprint;
      const before = await fingerprint();
      assert.match(before ?? '', new RegExp(`^${pop.patients.length} persons to person_id \\d+, \\d+ pathway rows$`));
      assert.equal(await fingerprint(), before, 'the same data gives the same fingerprint');
      await runner.rows(`DELETE FROM ${q('condition_occurrence')} WHERE condition_occurrence_id % 3 = 0`);
      assert.notEqual(await fingerprint(), before, 'a reload with fewer rows is seen');
    },
  );
});
