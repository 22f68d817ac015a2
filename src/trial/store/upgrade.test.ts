/**
 * A trial database made by the previous release (schema version 3) upgrades in place: its records start at version 1,
 * its randomizations keep their UTC date as the site's date (the time zone was not known then), and nothing entered
 * is lost. SQLite file, rows written as the version-3 schema holds them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { migrate, migrationsFor } from './migrations.ts';
import { bundledStoreKnowledge, openDb } from './open.ts';
import { SqlTrialStore } from './sql-store.ts';

test('a version-3 database upgrades: records at version 1, randomization dated by its UTC day, no action made up for an acknowledged alert', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trd-upgrade-'));
  const db = await openDb(join(dir, 'trial.db'));
  try {
    await db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const m of migrationsFor('sqlite').filter((x) => x.version <= 3)) {
      await db.exec(
        `BEGIN;\n${m.sql}\nINSERT INTO schema_migrations VALUES (${m.version}, '${m.name}', '2026-01-01T00:00:00Z');\nCOMMIT;`,
      );
    }
    await db.exec(`BEGIN;
      INSERT INTO screening VALUES ('s1', 'A', 'S-1', '2026-11-01', '[]', 'eligible', '[]', 'u', '2026-11-01T09:00:00Z');
      INSERT INTO consents VALUES ('c1', 's1', '2026-11-02', 'v1.0', 'u', '2026-11-02T09:00:00Z');
      INSERT INTO participants VALUES ('p1', 'P-1', 's1', 'A', '{"crp":"high","site":"A"}', 'crp=high|site=A', 5.2, '2026-11-03', 'randomized', 'K0001', 1, 0);
      INSERT INTO kits VALUES ('K0001', 'placebo', 'p1', '2026-11-01T08:00:00Z');
      INSERT INTO allocations VALUES ('p1', 1, 'crp=high|site=A', 1, 'placebo', 'K0001', '2026-11-03T23:30:00.000Z');
      INSERT INTO dispositions VALUES ('d1', 'p1', 'other', '2026-11-20', 'u', '2026-11-20T09:00:00Z');
      INSERT INTO alerts VALUES ('a1', 'p1', 'A', 'hold-rule', 'ANC', 'lab', 'l1', '2026-11-10T09:00:00Z', 'u', '2026-11-10T10:00:00Z');
      COMMIT;`);
    assert.deepEqual(await migrate(db), [4, 5, 6, 7, 8, 9, 10]);
    const store = new SqlTrialStore(db, bundledStoreKnowledge());
    assert.equal((await store.getAllocation('p1'))?.randomizedOn, '2026-11-03');
    assert.equal((await store.getParticipant('p1'))?.version, 1);
    assert.equal((await store.listScreening())[0]?.version, 1);
    assert.equal((await store.listDispositions())[0]?.version, 1);
    const consent = await db.transaction('read', (tx) =>
      tx.get<{ version: number; form_version: string }>('SELECT version, form_version FROM consents'),
    );
    assert.deepEqual({ ...consent }, { version: 1, form_version: 'v1.0' });
    assert.equal((await store.getParticipant('p1'))?.participantCode, 'P-1');
    // Enrolled before units were recorded: the baseline hs-CRP is taken as mg/L and its unit is null (flagged).
    const p1 = await store.getParticipant('p1');
    assert.equal(p1?.baselineCrpMgPerL, 5.2);
    assert.deepEqual(p1?.baselineCrp, { value: 5.2, unit: null, comparator: null });
    // Enrolled before demographics were recorded: none made up (SDTM DM leaves them empty, with a note).
    assert.deepEqual([p1?.sex, p1?.birthDate, p1?.ageAtConsent], [null, null, null]);
    assert.deepEqual(
      await db.transaction('read', (tx) => tx.all('SELECT site_countries_json FROM trial_meta')),
      [],
      'the sites have a country column, empty until given',
    );
    // Acknowledged before an acknowledgement said what was done: no action recorded, none made up.
    const [alert] = await store.listAlerts();
    assert.deepEqual([alert?.acknowledgedAt, alert?.actionTaken], ['2026-11-10T10:00:00Z', null]);
    // Participant codes are unique within a site from version 9 (the table rebuilt in SQLite): site B may use P-1,
    // site A may not, and the records referring to p1 still do (foreign keys kept and on).
    await db.exec(`BEGIN;
      INSERT INTO screening (id, site, screening_code, screened_on, criteria_json, verdict, failed_json, recorded_by, recorded_at) VALUES ('s2', 'B', 'S-1', '2026-11-01', '[]', 'eligible', '[]', 'u', '2026-11-01T09:00:00Z');
      INSERT INTO participants (id, participant_code, screening_id, site, strata_json, stratum, enrolled_on, status) VALUES ('p2', 'P-1', 's2', 'B', '{}', 'crp=high|site=B', '2026-11-03', 'enrolled');
      COMMIT;`);
    assert.deepEqual((await store.listParticipants()).map((p) => [p.id, p.site, p.participantCode]).sort(), [
      ['p1', 'A', 'P-1'],
      ['p2', 'B', 'P-1'],
    ]);
    await assert.rejects(
      db.exec(
        "INSERT INTO screening (id, site, screening_code, screened_on, criteria_json, verdict, failed_json, recorded_by, recorded_at) VALUES ('s3', 'A', 'S-3', '2026-11-01', '[]', 'eligible', '[]', 'u', '2026-11-01T09:00:00Z'); INSERT INTO participants (id, participant_code, screening_id, site, strata_json, stratum, enrolled_on, status) VALUES ('p3', 'P-1', 's3', 'A', '{}', 'crp=high|site=A', '2026-11-03', 'enrolled')",
      ),
      /UNIQUE constraint failed: participants.site, participants.participant_code/,
    );
    await assert.rejects(db.exec("DELETE FROM participants WHERE id = 'p1'"), /FOREIGN KEY constraint failed/);
    assert.equal((await store.getAllocation('p1'))?.kitCode, 'K0001');
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
