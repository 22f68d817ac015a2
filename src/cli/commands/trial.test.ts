/**
 * `trd trial` as a user runs it (runTrd in this process): the allocation table (CSV and REDCap), bad input (exit 2,
 * one line `trd: <reason>`, nothing on stdout), init -> verify-audit -> tampering detected, backup and restore, and the
 * analysis export read by `trd analyze`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { after, describe, test } from 'node:test';
import { openTrialStore } from '../../trial/store/open.ts';
import { as, eligibleCriteria, bdiAnswers } from '../../trial/store/stores.test-support.ts';
import { trd as runTrd } from '../run.test-support.ts';

/** The real CLI, in-process (runTrd with captured streams): the same parsing, boundary and exit codes. */
const trd = (...args: string[]) => runTrd(args);

const dir = mkdtempSync(join(tmpdir(), 'trd-trial-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TABLE = [
  'trial',
  'allocation-table',
  '--arms',
  'tocilizumab:1,placebo:1',
  '--strata',
  'crp=high,low',
  '--strata',
  'site=A,B',
  '--block-sizes',
  '2,4,6',
  '--per-stratum',
  '20',
];

/** `trd trial init` of INSIGHT at sites A and B (seed 7, blocks of 4 and 6) into `db`, before any further option. */
const initInsight = (db: string): string[] => [
  'trial',
  'init',
  '--db',
  db,
  '--protocol',
  'insight',
  '--sites',
  'A,B',
  '--seed',
  '7',
  '--block-sizes',
  '4,6',
];

describe('trd trial allocation-table', { concurrency: true }, () => {
  test('prints stratum,sequence,block,block_size,arm for every stratum; same seed same table, other seed differs', async () => {
    const a = await trd(...TABLE, '--seed', '2026');
    assert.equal(a.code, 0, a.stderr);
    const rows = parse(a.stdout, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0] ?? {}), ['stratum', 'sequence', 'block', 'block_size', 'arm']);
    assert.deepEqual(
      [...new Set(rows.map((r) => r.stratum))],
      ['crp=high|site=A', 'crp=high|site=B', 'crp=low|site=A', 'crp=low|site=B'],
    );
    for (const stratum of new Set(rows.map((r) => r.stratum))) {
      const mine = rows.filter((r) => r.stratum === stratum);
      assert.ok(mine.length >= 20);
      assert.equal(mine.filter((r) => r.arm === 'tocilizumab').length * 2, mine.length, 'complete 1:1 blocks');
    }
    assert.ok(rows.every((r) => ['2', '4', '6'].includes(r.block_size ?? '')));
    assert.equal((await trd(...TABLE, '--seed', '2026')).stdout, a.stdout);
    assert.notEqual((await trd(...TABLE, '--seed', '2027')).stdout, a.stdout);
  });

  test('--format redcap: coded arm and strata columns, DAG ids for the site factor', async () => {
    const r = await trd(
      'trial',
      'allocation-table',
      '--arms',
      'tocilizumab:1,placebo:1',
      '--strata',
      'crp=high,low',
      '--strata',
      'site=9147,9148',
      '--block-sizes',
      '2,4',
      '--per-stratum',
      '8',
      '--seed',
      '5',
      '--format',
      'redcap',
      '--redcap-dag',
      'site',
      '--redcap-field',
      'rand_group',
    );
    assert.equal(r.code, 0, r.stderr);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0] ?? {}), ['rand_group', 'crp', 'redcap_data_access_group']);
    assert.ok(
      rows.every(
        (x) =>
          ['1', '2'].includes(x.rand_group ?? '') &&
          ['1', '2'].includes(x.crp ?? '') &&
          ['9147', '9148'].includes(x.redcap_data_access_group ?? ''),
      ),
    );
    assert.match(r.stderr, /1=tocilizumab, 2=placebo; crp: 1=high, 2=low/);
  });

  for (const [name, args, reason] of [
    [
      'a block size not a multiple of the ratio sum',
      ['--arms', 'a:1,b:2', '--block-sizes', '2', '--per-stratum', '4', '--seed', '1'],
      /block size 2 is not a multiple of the ratio sum 3/,
    ],
    [
      'one arm',
      ['--arms', 'a:1', '--block-sizes', '2', '--per-stratum', '4', '--seed', '1'],
      /--arms: give at least two arms/,
    ],
    [
      'a bad seed',
      ['--arms', 'a:1,b:1', '--block-sizes', '2', '--per-stratum', '4', '--seed', 'x'],
      /--seed: expected a whole number/,
    ],
    [
      'a malformed stratum',
      ['--arms', 'a:1,b:1', '--strata', 'crp', '--block-sizes', '2', '--per-stratum', '4', '--seed', '1'],
      /--strata: expected factor=level/,
    ],
    [
      'an unknown format',
      ['--arms', 'a:1,b:1', '--block-sizes', '2', '--per-stratum', '4', '--seed', '1', '--format', 'xlsx'],
      /--format: expected csv or redcap/,
    ],
  ] as const) {
    test(`bad input: ${name} exits 2 with one line`, async () => {
      const r = await trd('trial', 'allocation-table', ...args);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, /^trd: /);
      assert.match(r.stderr, reason);
    });
  }
});

describe('the trial store option', { concurrency: true }, () => {
  test('--trial-db, as trd serve and trd trial-user spell it; --db stays an alias; both at once are refused', async () => {
    const db = join(dir, 'spelling.db');
    const init = await trd('trial', 'init', '--trial-db', ...initInsight(db).slice(3));
    assert.equal(init.code, 0, init.stderr);
    const spelt = await trd('trial', 'verify-audit', '--trial-db', db);
    assert.equal(spelt.code, 0, spelt.stderr);
    const alias = await trd('trial', 'verify-audit', '--db', db);
    assert.deepEqual([alias.code, alias.stdout], [0, spelt.stdout]);
    assert.match(spelt.stdout, /head \d+:[0-9a-f]{64}/);
    // The same file for trd trial-user, by the same option.
    const users = await trd('trial-user', 'list', '--trial-db', db);
    assert.equal(users.code, 0, users.stderr);
    // Two values for one store: refused whichever spellings, never the last taken in silence.
    for (const args of [
      ['--db', db, '--trial-db', join(dir, 'other.db')],
      ['--trial-db', db, '--trial-db', join(dir, 'other.db')],
    ]) {
      const both = await trd('trial', 'consort', ...args);
      assert.equal(both.code, 2);
      assert.equal(both.stderr, "trd: option '--trial-db' is given more than once (see trd trial consort --help)\n");
    }
    // Refusals name the option as documented; the help shows the alias beside it.
    const missing = await trd('trial', 'consort', '--trial-db', join(dir, 'missing.db'));
    assert.match(missing.stderr, /^trd: --trial-db: /);
    const help = await trd('trial', 'export', '--help');
    assert.match(help.stdout, /--trial-db, --db <location> +trial database \(--db: the same, its earlier/);
  });
});

describe('trd trial on a database', () => {
  const db = join(dir, 'trial.db');

  test('init, then verify-audit passes; an edited row fails verification with exit 1', async () => {
    const init = await trd(
      'trial',
      'init',
      '--db',
      db,
      '--protocol',
      'insight',
      '--sites',
      'A,B',
      '--seed',
      '4242',
      '--block-sizes',
      '4,6',
      '--kits-per-arm',
      '30',
      '--kit-seed',
      '9',
    );
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /initialised insight .*permuted-blocks.*60 kits/);
    assert.equal(
      (await trd('trial', 'init', '--db', db, '--protocol', 'insight', '--seed', '1', '--block-sizes', '4')).code,
      2,
      'initialised once',
    );

    // Data entry through the store, as the server does, on 3 November 2026 (the randomization date: the forms of the
    // follow-up visits are not dated before it).
    const store = await openTrialStore(db, { clock: () => new Date(Date.UTC(2026, 10, 3, 9)) });
    const protocol = await store.protocol();
    for (let i = 0; i < 6; i++) {
      const site = i % 2 === 0 ? 'A' : 'B';
      const ctx = as('coordinator', site);
      const s = await store.addScreening(ctx, {
        site,
        screeningCode: `S${i}`,
        screenedOn: '2026-11-01',
        criteria: eligibleCriteria(protocol!),
      });
      await store.recordConsent(ctx, { screeningId: s.id, consentedOn: '2026-11-01', formVersion: 'v1' });
      const p = await store.enrol(ctx, {
        screeningId: s.id,
        participantCode: `P${i}`,
        strata: { crp: 'high', site },
        // P0's report gives nmol/L: converted with the pathway's molar factor, unverified [U].
        ...(i === 0 ? { baselineCrp: { value: 47.62, unit: 'nmol/L' } } : { baselineCrpMgPerL: 4 + i }),
        enrolledOn: '2026-11-02',
      });
      await store.randomize(ctx, p.id);
      for (const [visit, somatic] of [
        ['baseline', 10],
        ['day-14', 10 - i],
      ] as const) {
        await store.saveForm(ctx, {
          participantId: p.id,
          visit,
          instrument: 'bdi-ii',
          answers: bdiAnswers(somatic, 6),
          completedOn: '2026-11-03',
        });
      }
    }
    await store.close();

    const ok = await trd('trial', 'verify-audit', '--db', db);
    assert.equal(ok.code, 0, ok.stderr);
    const head = /head (\d+:[0-9a-f]{64})/.exec(ok.stdout)?.[1];
    assert.ok(head);
    assert.equal((await trd('trial', 'verify-audit', '--db', db, '--expect-head', head)).code, 0);

    const backup = join(dir, 'backup.db');
    const b = await trd('trial', 'backup', '--db', db, '--to', backup);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /backup written and verified/);
    assert.equal((await trd('trial', 'backup', '--db', db, '--to', backup)).code, 2, 'never overwrites');

    const csv = join(dir, 'analysis.csv');
    const e = await trd('trial', 'export', '--db', db, '--format', 'analysis-csv', '--out', csv);
    assert.equal(e.code, 0, e.stderr);
    assert.match(
      e.stderr,
      /note: 1 randomized participant\(s\) with a baseline hs-CRP entered in a molar unit: crp_mg_per_l is converted with the pathway's CRP molar factor \(nmol\/L per mg\/L\) 9\.524 \[U\], unverified, named in crp_conversion/,
    );
    const analysis = await trd(
      'analyze',
      csv,
      '--subject',
      'subject',
      '--arm',
      'arm',
      '--treatment',
      'tocilizumab',
      '--control',
      'placebo',
      '--visit',
      'visit',
      '--outcome',
      'outcome',
      '--baseline',
      'baseline',
      '--primary-visit',
      '14',
      '--json',
    );
    assert.equal(analysis.code, 0, analysis.stderr);
    assert.equal(JSON.parse(analysis.stdout).schema, 'precision-trd/analysis@1');
    // The audit trail records the exports that were made, and only those: a refused --outcome leaves no entry.
    const exportsAudited = async () => {
      const s = await openTrialStore(db);
      try {
        return (await s.listAudit({ limit: 100000 })).filter((x) => x.action === 'export').map((x) => x.after);
      } finally {
        await s.close();
      }
    };
    const before = await exportsAudited();
    const refused = await trd('trial', 'export', '--db', db, '--format', 'analysis-csv', '--outcome', 'nope');
    assert.equal(refused.code, 2, refused.stderr);
    assert.deepEqual(await exportsAudited(), before, 'no export was made, none is audited');
    const madrs = await trd('trial', 'export', '--db', db, '--format', 'analysis-csv', '--outcome', 'madrs-total');
    assert.equal(madrs.code, 0, madrs.stderr);
    assert.deepEqual((await exportsAudited()).slice(before.length), [
      { format: 'analysis-csv', blinded: false, outcome: 'madrs-total' },
    ]);

    const sdtm = join(dir, 'sdtm');
    assert.equal((await trd('trial', 'export', '--db', db, '--format', 'sdtm', '--out', sdtm)).code, 0);
    assert.match(readFileSync(join(sdtm, 'qs.csv'), 'utf8'), /^STUDYID,DOMAIN,USUBJID,QSSEQ,QSTESTCD/);
    // The Define-XML beside the files, naming each of them.
    const define = readFileSync(join(sdtm, 'define.xml'), 'utf8');
    assert.match(define, /def:DefineVersion="2\.0\.0"/);
    assert.match(define, /<def:leaf ID="LF\.QS" xlink:href="qs\.csv">/);
    // The criteria not met (IE), the protocol's criteria (TI) and the trial summary (TS), which the help names too.
    for (const d of ['ie', 'ti', 'ts']) {
      assert.match(readFileSync(join(sdtm, `${d}.csv`), 'utf8'), /^STUDYID,DOMAIN,/, d);
      assert.match(define, new RegExp(`<def:leaf ID="LF\\.${d.toUpperCase()}" xlink:href="${d}\\.csv">`), d);
    }
    assert.match((await trd('trial', 'export', '--help')).stdout, /sdtm \(DM, DS, IE,[^]*TV, TI, TS, define\.xml\)/);
    // --spreadsheet-safe: a copy to open in a spreadsheet, without the define (its values are not the datasets').
    // Written over the datasets above, it also removes their define.xml.
    const safe = await trd('trial', 'export', '--db', db, '--format', 'sdtm', '--out', sdtm, '--spreadsheet-safe');
    assert.equal(safe.code, 0, safe.stderr);
    assert.match(safe.stdout, /a copy to open in a spreadsheet .* not the datasets to submit, so no define\.xml/);
    assert.ok(existsSync(join(sdtm, 'ae.csv')) && !existsSync(join(sdtm, 'define.xml')));
    assert.deepEqual((await exportsAudited()).at(-1), { format: 'sdtm', blinded: false, spreadsheetSafe: true });
    const fhir = await trd('trial', 'export', '--db', db, '--format', 'fhir', '--blinded');
    assert.equal(JSON.parse(fhir.stdout).resourceType, 'Bundle');
    assert.ok(!fhir.stdout.includes('assignedArm'));
    const consort = await trd('trial', 'consort', '--db', db, '--json');
    assert.equal(JSON.parse(consort.stdout).randomized, 6);

    // Someone with the file edits an audit row (removing the append-only guard first).
    const raw = new Database(db);
    raw.exec('DROP TRIGGER audit_no_update');
    raw
      .prepare(
        "UPDATE audit SET after_json = replace(after_json, '\"P3\"', '\"P9\"') WHERE entity = 'participant' AND action = 'create'",
      )
      .run();
    raw.close();
    const bad = await trd('trial', 'verify-audit', '--db', db);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /hash-mismatch: entry \d+: content does not match its hash/);
    assert.match(bad.stderr, /^trd: the audit trail fails verification/);

    // The backup taken before the edit restores a verifying database.
    const restored = join(dir, 'restored.db');
    const r = await trd('trial', 'restore', '--from', backup, '--db', restored);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await trd('trial', 'verify-audit', '--db', restored, '--expect-head', head)).code, 0);
    assert.equal(
      (await trd('trial', 'restore', '--from', backup, '--db', restored)).code,
      2,
      'no overwrite without --force',
    );
  });

  test('bad input on database commands exits 2', async () => {
    for (const args of [
      ['trial', 'verify-audit', '--db', join(dir, 'missing.db')],
      ['trial', 'export', '--db', db, '--format', 'xml'],
      ['trial', 'export', '--db', db, '--format', 'analysis-csv', '--spreadsheet-safe'],
      ['trial', 'init', '--db', join(dir, 'x.db'), '--protocol', 'nope', '--seed', '1'],
      ['trial', 'backup', '--db', 'postgres://localhost/x', '--to', join(dir, 'y.db')],
    ]) {
      const r = await trd(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, /^trd: /);
    }
  });

  test('export --out over the database is refused however --db names it (sqlite:PATH wrote the CSV over it)', async () => {
    const before = readFileSync(db);
    for (const location of [db, `sqlite:${db}`]) {
      const r = await trd('trial', 'export', '--db', location, '--format', 'analysis-csv', '--out', db);
      assert.equal(r.code, 2, `${location}: ${r.stderr}`);
      assert.match(r.stderr, /^trd: --out .* is an input of this command; choose another file\n$/);
      assert.ok(readFileSync(db).equals(before), `${location}: the database is unchanged`);
    }
  });
});

test('trd trial init --site-time-zones: each site its IANA zone; a pair or zone that is not one is refused', async () => {
  const db = join(dir, 'zones.db');
  const base = initInsight(db);
  const badPair = await trd(...base, '--site-time-zones', 'A:Europe/London');
  assert.equal(badPair.code, 2, badPair.stderr);
  assert.match(badPair.stderr, /--site-time-zones: expected SITE=ZONE pairs/);
  const badZone = await trd(...base, '--site-time-zones', 'A=Europe/Lundon');
  assert.equal(badZone.code, 2, badZone.stderr);
  assert.match(badZone.stderr, /A has no known IANA time zone/);
  // Refused by the store's init once the file is created: the file goes too, so the corrected command can run.
  const notASite = await trd(...base, '--site-time-zones', 'a=Australia/Sydney');
  assert.equal(notASite.code, 2, notASite.stderr);
  assert.match(notASite.stderr, /a is not a site of the plan/);
  assert.equal(existsSync(db), false, 'a refused init leaves no database file');
  const ok = await trd(...base, '--site-time-zones', 'A=Australia/Sydney,B=America/Los_Angeles');
  assert.equal(ok.code, 0, ok.stderr);
  const store = await openTrialStore(db);
  try {
    const init = (await store.listAudit()).find((e) => e.action === 'init');
    assert.deepEqual((init?.after as { siteTimeZones: Record<string, string> }).siteTimeZones, {
      A: 'Australia/Sydney',
      B: 'America/Los_Angeles',
    });
  } finally {
    await store.close();
  }
});

test('trd trial init --site-countries and trd trial site-countries: ISO 3166-1 alpha-3 per site; DM COUNTRY empty with a note until given', async () => {
  const db = join(dir, 'countries.db');
  const base = initInsight(db);
  const alpha2 = await trd(...base, '--site-countries', 'A=GB');
  assert.equal(alpha2.code, 2, alpha2.stderr);
  assert.match(alpha2.stderr, /--site-countries: A=GB: expected an ISO 3166-1 alpha-3 code/);
  assert.equal(existsSync(db), false);
  const ok = await trd(...base, '--site-countries', 'A=GBR');
  assert.equal(ok.code, 0, ok.stderr);
  const sdtm = join(dir, 'countries-sdtm');
  const before = await trd('trial', 'export', '--db', db, '--format', 'sdtm', '--out', sdtm);
  assert.equal(before.code, 0, before.stderr);
  // No subject yet: nothing to note.
  assert.doesNotMatch(before.stderr, /note:/);
  const store = await openTrialStore(db);
  try {
    const protocol = (await store.protocol())!;
    const ctx = as('coordinator', 'B');
    const s = await store.addScreening(ctx, {
      site: 'B',
      screeningCode: 'S-1',
      screenedOn: '2026-11-01',
      criteria: eligibleCriteria(protocol),
    });
    await store.recordConsent(ctx, { screeningId: s.id, consentedOn: '2026-11-02', formVersion: 'v1.0' });
    await store.enrol(ctx, {
      screeningId: s.id,
      participantCode: 'P-1',
      strata: { crp: 'high', site: 'B' },
      baselineCrpMgPerL: 5,
      enrolledOn: '2026-11-03',
    });
  } finally {
    await store.close();
  }
  const noted = await trd('trial', 'export', '--db', db, '--format', 'sdtm', '--out', sdtm);
  assert.equal(noted.code, 0, noted.stderr);
  assert.match(
    noted.stderr,
    /note: SDTM DM: 1 participant\(s\) \(B-P-1\) have no sex recorded: SEX \(Required\) is empty/,
  );
  assert.match(noted.stderr, /note: SDTM DM: site\(s\) B have no country: COUNTRY \(Required\) is empty/);
  const dm = parse(readFileSync(join(sdtm, 'dm.csv')), { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    dm.map((r) => [r.SUBJID, r.SEX, r.AGE, r.COUNTRY]),
    [['B-P-1', '', '', '']],
  );
  const noReason = await trd('trial', 'site-countries', '--db', db, '--set', 'B=AUS', '--reason', ' ');
  assert.equal(noReason.code, 2, noReason.stderr);
  const set = await trd('trial', 'site-countries', '--db', db, '--set', 'B=AUS', '--reason', 'site B opened in Sydney');
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout, 'site countries: A=GBR, B=AUS\n');
  const after = await trd('trial', 'export', '--db', db, '--format', 'sdtm', '--out', sdtm);
  assert.doesNotMatch(after.stderr, /have no country/);
  const dmAfter = parse(readFileSync(join(sdtm, 'dm.csv')), { columns: true }) as Record<string, string>[];
  assert.equal(dmAfter[0]?.COUNTRY, 'AUS');
});

test('trd trial init --kits-per-arm without --kit-seed, or the reverse, is refused before the database is created', async () => {
  const db = join(dir, 'kits.db');
  const base = initInsight(db);
  const missingSeed = await trd(...base, '--kits-per-arm', '10');
  assert.equal(missingSeed.code, 2, missingSeed.stderr);
  assert.equal(
    missingSeed.stderr,
    'trd: --kit-seed: give the seed of the kit list (0 to 2147483647) with --kits-per-arm\n',
  );
  assert.equal(existsSync(db), false, 'no half-initialised trial is left behind');
  // A seed alone was ignored: the trial was initialised with "0 kits".
  const missingCount = await trd(...base, '--kit-seed', '8');
  assert.equal(missingCount.code, 2, missingCount.stderr);
  assert.equal(missingCount.stdout, '');
  assert.equal(
    missingCount.stderr,
    'trd: --kits-per-arm: give the number of kits per arm (1 to 100000) with --kit-seed\n',
  );
  assert.equal(existsSync(db), false, 'no trial initialised without the kits asked for');
  const ok = await trd(...base, '--kits-per-arm', '10', '--kit-seed', '8');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /20 kits/);
});

test('trd trial init: a plan setting the schema refuses names its option', async () => {
  const db = join(dir, 'plan.db');
  const base = ['trial', 'init', '--db', db, '--protocol', 'insight', '--seed', '7'];
  for (const [args, reason] of [
    [['--method', 'minimisation', '--p-best', 'abc'], /^trd: --p-best: expected a probability above 0\.5/],
    [['--method', 'minimisation', '--p-best', '0.4'], /^trd: --p-best: .*0\.5/],
    [['--block-sizes', '3,4'], /^trd: --block-sizes: block size 3 is not a multiple of the ratio sum 2/],
    [['--sites', 'A,A', '--block-sizes', '4'], /^trd: --sites: levels of site must differ/],
  ] as const) {
    const r = await trd(...base, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, reason);
    assert.equal(existsSync(db), false);
  }
});

test('trd trial init: permuted blocks need the trial its own --block-sizes (no default that every reader knows)', async () => {
  const base = ['trial', 'init', '--protocol', 'insight', '--seed', '7'];
  const missing = await trd(...base, '--db', join(dir, 'blocks.db'));
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /^trd: --block-sizes: give the trial's block sizes/);
  assert.equal(existsSync(join(dir, 'blocks.db')), false);
  const minimisation = await trd(...base, '--db', join(dir, 'minimisation.db'), '--method', 'minimisation');
  assert.equal(minimisation.code, 0, minimisation.stderr);
  const blocks = await trd(...base, '--db', join(dir, 'blocks.db'), '--block-sizes', '4,8');
  assert.equal(blocks.code, 0, blocks.stderr);
  const store = await openTrialStore(join(dir, 'blocks.db'));
  try {
    const init = (await store.listAudit()).find((e) => e.action === 'init');
    assert.deepEqual((init?.after as { plan: { blockSizes: number[] } }).plan.blockSizes, [4, 8]);
  } finally {
    await store.close();
  }
});

test('trd trial consort before anyone is randomized: per arm with zero counts unblinded, pooled with --blinded', async () => {
  const db = join(dir, 'consort-empty.db');
  assert.equal((await trd(...initInsight(db))).code, 0);
  const unblinded = await trd('trial', 'consort', '--db', db, '--json');
  assert.equal(unblinded.code, 0, unblinded.stderr);
  const flow = JSON.parse(unblinded.stdout) as { pooled: boolean; arms: { arm: string; allocated: number }[] };
  assert.equal(flow.pooled, false);
  assert.deepEqual(
    flow.arms.map((a) => [a.arm, a.allocated]),
    [
      ['tocilizumab', 0],
      ['placebo', 0],
    ],
  );
  const text = await trd('trial', 'consort', '--db', db);
  assert.match(text.stdout, /^Arm tocilizumab: allocated 0,/m);
  assert.doesNotMatch(text.stdout, /Arm all/);
  const blinded = await trd('trial', 'consort', '--db', db, '--blinded', '--json');
  assert.equal(blinded.code, 0, blinded.stderr);
  const pooled = JSON.parse(blinded.stdout) as { pooled: boolean; arms: { arm: string }[] };
  assert.deepEqual([pooled.pooled, pooled.arms.map((a) => a.arm)], [true, ['all']]);
});
