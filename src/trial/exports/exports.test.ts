import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { buildDataset } from '../../analysis/dataset.ts';
import { loadInstruments } from '../../instruments/load.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import { blindSnapshot } from '../blinding.ts';
import { consortFlow } from '../consort.ts';
import { LAB_ANALYTES, RELATEDNESS, type TrialSnapshot } from '../model.ts';
import { as, eligibleCriteria, populateTrial, sqliteFactory, type OpenedStore } from '../store/stores.test-support.ts';
import { scoreInstrument } from '../../instruments/index.ts';
import { loadCtcae } from '../../safety/load.ts';
import {
  analysisCsv,
  ANALYSIS_COLUMNS,
  dmDemographicsNotes,
  fhirResearchBundle,
  sdtmDefine,
  sdtmDomains,
  sdtmUnitNotes,
  SDTM_DOMAINS,
} from './index.ts';
import { participantSubjid } from './sdtm.ts';
import { SDTM_DATASETS } from './sdtm-variables.ts';
import { ieTestCode } from '../../trials/criterion-code.ts';
import { loadProtocols } from '../../trials/load.ts';
import { loadKnowledge } from '../../knowledge/load.ts';

const pathway = loadKnowledge().pathway;

let opened: OpenedStore;
let protocol: TrialProtocol;
let snapshot: TrialSnapshot;
const N = 12;

before(async () => {
  opened = await sqliteFactory.open();
  protocol = await populateTrial(opened.store, N);
  snapshot = await opened.store.snapshot();
});
after(() => opened.cleanup());

const read = (csv: string) => {
  let header: string[] = [];
  const records = parse(csv, { bom: true, skip_empty_lines: true, columns: (h: string[]) => (header = h) }) as Record<
    string,
    string
  >[];
  return { header, records };
};

test('analysis CSV: the long format trd analyze reads, primary outcome by default, read back by its own reader', () => {
  const out = analysisCsv(snapshot, protocol, loadInstruments(), pathway);
  assert.equal(out.outcome.id, 'bdi-somatic-day-14');
  const { header, records } = read(out.csv);
  assert.deepEqual(header, [...ANALYSIS_COLUMNS]);
  assert.equal(records.length, N * 1, 'one post-baseline visit (day 14) per participant for the primary outcome');
  const ds = buildDataset(header, records, {
    columns: {
      subject: 'subject',
      arm: 'arm',
      visit: 'visit',
      outcome: 'outcome',
      baseline: 'baseline',
      biomarker: 'crp_mg_per_l',
    },
    treatment: 'tocilizumab',
    control: 'placebo',
    primaryVisit: '14',
    outcomeType: 'score',
  });
  assert.ok(ds.ok, JSON.stringify(!ds.ok && ds.issues));
  assert.equal(ds.value.subjects.length, N);
  const arms = new Map(snapshot.allocations.map((a) => [a.participantId, a.arm]));
  const byCode = new Map(snapshot.participants.map((p) => [participantSubjid(p), arms.get(p.id)]));
  for (const r of records) assert.equal(r.arm, byCode.get(r.subject ?? ''));
});

test('analysis CSV: the baseline hs-CRP in mg/L beside the value and unit entered; one stored without a unit is counted', () => {
  const [first, second] = snapshot.participants.filter((p) => p.randomizationNumber !== null);
  const entered: TrialSnapshot = {
    ...snapshot,
    participants: snapshot.participants.map((p) =>
      p.id === first!.id
        ? { ...p, baselineCrp: { value: 0.52, unit: 'mg/dL' }, baselineCrpMgPerL: 5.2 }
        : p.id === second!.id
          ? { ...p, baselineCrp: { value: p.baselineCrpMgPerL!, unit: null } }
          : p,
    ),
  };
  const out = analysisCsv(entered, protocol, loadInstruments(), pathway);
  const { records } = read(out.csv);
  const row = (code: string) => records.find((r) => r.subject === code)!;
  assert.deepEqual(
    [
      row(participantSubjid(first!)).crp_mg_per_l,
      row(participantSubjid(first!)).crp_as_entered,
      row(participantSubjid(first!)).crp_unit_as_entered,
    ],
    ['5.2', '0.52', 'mg/dL'],
  );
  // Enrolled before units were recorded: taken as mg/L, its unit cell empty, and counted for the command's note.
  assert.equal(row(participantSubjid(second!)).crp_unit_as_entered, '');
  assert.equal(out.crpWithoutUnit, 1);
  assert.equal(analysisCsv(snapshot, protocol, loadInstruments(), pathway).crpWithoutUnit, 0);
});

test('analysis CSV: a baseline hs-CRP converted from nmol/L names the molar factor it rests on, flagged [U]', () => {
  const [first, second] = snapshot.participants.filter((p) => p.randomizationNumber !== null);
  const entered: TrialSnapshot = {
    ...snapshot,
    participants: snapshot.participants.map((p) =>
      p.id === first!.id
        ? { ...p, baselineCrp: { value: 47.62, unit: 'nmol/L' }, baselineCrpMgPerL: 5 }
        : p.id === second!.id
          ? { ...p, baselineCrp: { value: 0.52, unit: 'mg/dL' }, baselineCrpMgPerL: 5.2 }
          : p,
    ),
  };
  const out = analysisCsv(entered, protocol, loadInstruments(), pathway);
  const { header, records } = read(out.csv);
  assert.ok(header.includes('crp_conversion'));
  const row = (code: string) => records.find((r) => r.subject === code)!;
  // The bundled pathway's factor is unverified: the biomarker of this participant rests on an unchecked number.
  assert.equal(pathway.definitions.inflammation.molarFactor.verified, false);
  assert.deepEqual(
    [row(participantSubjid(first!)).crp_mg_per_l, row(participantSubjid(first!)).crp_conversion],
    ['5', 'CRP molar factor (nmol/L per mg/L) 9.524 [U]'],
  );
  // A mass unit converts by UCUM alone: nothing to flag.
  assert.equal(row(participantSubjid(second!)).crp_conversion, '');
  assert.deepEqual(out.crpMolar, {
    n: 1,
    factor: 'CRP molar factor (nmol/L per mg/L) 9.524 [U]',
    unverified: true,
    otherFactor: 0,
  });
  assert.equal(analysisCsv(snapshot, protocol, loadInstruments(), pathway).crpMolar.n, 0);
  // Converted at enrolment with another pathway's factor (a server given --pathway): never named as this one's.
  const other = analysisCsv(
    {
      ...entered,
      participants: entered.participants.map((p) => (p.id === first!.id ? { ...p, baselineCrpMgPerL: 5.01 } : p)),
    },
    protocol,
    loadInstruments(),
    pathway,
  );
  assert.equal(
    read(other.csv).records.find((r) => r.subject === participantSubjid(first!))!.crp_conversion,
    "CRP molar factor (nmol/L per mg/L) not this pathway's 9.524: converted at enrolment with another [U]",
  );
  assert.equal(other.crpMolar.otherFactor, 1);
});

test('analysis CSV: a randomized participant without a baseline score keeps their rows, with an empty baseline', () => {
  // Dropping the participant would shrink trd analyze's NRI denominators without a word; an empty baseline is a
  // missing baseline there (left out of the models that adjust for it, a non-responder under NRI).
  const first = snapshot.participants.find((p) => p.randomizationNumber !== null)!;
  const withoutBaseline: TrialSnapshot = {
    ...snapshot,
    forms: snapshot.forms.filter((f) => !(f.participantId === first.id && f.visit === 'baseline')),
  };
  const out = analysisCsv(withoutBaseline, protocol, loadInstruments(), pathway);
  assert.equal(out.withoutBaseline, 1);
  const { header, records } = read(out.csv);
  assert.equal(records.length, N);
  assert.deepEqual(
    records.filter((r) => r.subject === participantSubjid(first)).map((r) => r.baseline),
    [''],
  );
  const ds = buildDataset(header, records, {
    columns: { subject: 'subject', arm: 'arm', visit: 'visit', outcome: 'outcome', baseline: 'baseline' },
    treatment: 'tocilizumab',
    control: 'placebo',
    primaryVisit: '14',
    outcomeType: 'score',
  });
  assert.ok(ds.ok);
  assert.equal(ds.value.subjects.length, N);
  assert.ok(ds.issues.some((i) => i.code === 'analysis.baseline.missing'));
});

test('analysis CSV: a baseline form completed after the infusion is no baseline, as SDTM QSBLFL reads it', () => {
  // Entered at the baseline visit but done the day after the drug: a score on treatment would be adjusted for as if
  // it were the pre-treatment one.
  const first = snapshot.participants.find((p) => p.randomizationNumber !== null)!;
  const dosedOn = snapshot.doses.find((d) => d.participantId === first.id)!.administeredOn;
  const dayAfter = new Date(Date.parse(`${dosedOn}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const late: TrialSnapshot = {
    ...snapshot,
    forms: snapshot.forms.map((f) =>
      f.participantId === first.id && f.visit === 'baseline' ? { ...f, completedOn: dayAfter } : f,
    ),
  };
  const out = analysisCsv(late, protocol, loadInstruments(), pathway);
  assert.equal(out.withoutBaseline, 1);
  assert.equal(out.baselineAfterInfusion, 1);
  const rows = read(out.csv).records.filter((r) => r.subject === participantSubjid(first));
  assert.deepEqual(
    rows.map((r) => r.baseline),
    [''],
  );
  // SDTM agrees: the form has no baseline flag.
  const qs = read(sdtmDomains(late, protocol, loadInstruments()).QS).records.filter(
    (r) => r.USUBJID?.endsWith(`-${participantSubjid(first)}`) && r.VISIT === 'Baseline assessment',
  );
  assert.ok(qs.length > 0);
  assert.ok(qs.every((r) => r.QSBLFL === ''));
  // On its day or before, it is the baseline.
  assert.equal(analysisCsv(snapshot, protocol, loadInstruments(), pathway).baselineAfterInfusion, 0);
});

test('analysis CSV: each form dated against its visit window (visit_timing); none without a dose', () => {
  const timings = read(analysisCsv(snapshot, protocol, loadInstruments(), pathway).csv).records.map(
    (r) => r.visit_timing,
  );
  assert.ok(timings.length > 0);
  for (const t of timings) assert.ok(['in-window', 'early', 'late', 'unknown'].includes(t ?? ''), t);
  const dayOf = (iso: string, days: number) =>
    new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const first = snapshot.participants.find((p) => p.randomizationNumber !== null)!;
  const dose = snapshot.doses.find((d) => d.participantId === first.id)!;
  const shifted: TrialSnapshot = {
    ...snapshot,
    forms: snapshot.forms.map((f) =>
      f.participantId === first.id && f.visit === 'day-14' ? { ...f, completedOn: dayOf(dose.administeredOn, 30) } : f,
    ),
  };
  const row = read(analysisCsv(shifted, protocol, loadInstruments(), pathway).csv).records.find(
    (r) => r.subject === participantSubjid(first),
  );
  assert.equal(row?.visit_timing, 'late', 'day-14 form done 30 days after the dose');
  const undosed: TrialSnapshot = { ...snapshot, doses: snapshot.doses.filter((d) => d.participantId !== first.id) };
  const none = read(analysisCsv(undosed, protocol, loadInstruments(), pathway).csv).records.find(
    (r) => r.subject === participantSubjid(first),
  );
  assert.equal(none?.visit_timing, 'unknown');
});

test('analysis CSV: the same participant code at two sites is two subjects, by site and code', () => {
  const randomized = snapshot.participants.filter((p) => p.randomizationNumber !== null);
  const atA = randomized.find((p) => p.site === 'A')!;
  const atB = randomized.find((p) => p.site === 'B')!;
  const same: TrialSnapshot = {
    ...snapshot,
    participants: snapshot.participants.map((p) =>
      p.id === atA.id || p.id === atB.id ? { ...p, participantCode: 'P-1' } : p,
    ),
  };
  const subjects = new Set(
    read(analysisCsv(same, protocol, loadInstruments(), pathway).csv).records.map((r) => r.subject),
  );
  assert.ok(subjects.has('A-P-1') && subjects.has('B-P-1'), [...subjects].join(' '));
  assert.equal(subjects.size, N, 'one subject per randomized participant, none pooled');
});

test('analysis CSV: a secondary outcome over days 7, 14, 28; missing visits are empty, never imputed', () => {
  const out = analysisCsv(snapshot, protocol, loadInstruments(), pathway, 'bdi-ii-total');
  const { records } = read(out.csv);
  assert.equal(records.length, N * 3);
  assert.deepEqual([...new Set(records.map((r) => r.visit))], ['7', '14', '28']);
  const last = snapshot.participants.find((p) => p.participantCode === `P${String(N).padStart(3, '0')}`)!;
  const lost = records.filter((r) => r.subject === participantSubjid(last) && r.visit === '28');
  assert.equal(lost.length, 1);
  assert.equal(lost[0]?.outcome, '');
  assert.throws(() => analysisCsv(snapshot, protocol, loadInstruments(), pathway, 'nonexistent'), /unknown outcome/);
});

test('analysis CSV from a blinded snapshot carries no arm', () => {
  const out = analysisCsv(blindSnapshot(snapshot), protocol, loadInstruments(), pathway);
  assert.ok(!/tocilizumab|placebo/.test(out.csv));
  assert.ok(read(out.csv).records.every((r) => r.arm === 'concealed'));
});

test('SDTM DM: a death gives DTHDTC, DTHFL and the end of participation', () => {
  const p = snapshot.participants.find((x) => x.randomizationNumber !== null)!;
  const died: TrialSnapshot = {
    ...snapshot,
    dispositions: [
      ...snapshot.dispositions.filter((d) => d.participantId !== p.id),
      {
        id: 'ds-death',
        participantId: p.id,
        event: 'death',
        on: '2026-11-30',
        version: 1,
        recordedBy: 'u',
        recordedAt: '',
      },
    ],
  };
  const row = read(sdtmDomains(died, protocol, loadInstruments()).DM).records.find(
    (r) => r.SUBJID === participantSubjid(p),
  );
  assert.deepEqual([row?.DTHDTC, row?.DTHFL, row?.RFPENDTC], ['2026-11-30', 'Y', '2026-11-30']);
});

test('SDTM DM: SEX, AGE/AGEU (completed years at consent), BRTHDTC and COUNTRY as recorded; empty with a note where not, never guessed', () => {
  const [born, aged, none] = snapshot.participants;
  const consentOf = new Map(snapshot.consents.map((c) => [c.screeningId, c.consentedOn]));
  const consented = consentOf.get(born!.screeningId)!;
  // Born a day after the consent's day of the month 40 years before: 39 completed years at consent.
  const birthDate = `${Number(consented.slice(0, 4)) - 40}${consented.slice(4, 8)}${String(Number(consented.slice(8)) + 1).padStart(2, '0')}`;
  const withDemographics: TrialSnapshot = {
    ...snapshot,
    trial: { ...snapshot.trial, siteCountries: { A: 'GBR' } },
    // X1, a screen failure at site A, consented: a DM subject never enrolled.
    consents: [
      ...snapshot.consents,
      {
        id: 'c-x1',
        screeningId: snapshot.screening.find((e) => e.screeningCode === 'X1')!.id,
        consentedOn: '2026-10-01',
        formVersion: 'v1.0',
        version: 1,
        takenBy: 'u',
        recordedAt: '',
      },
    ],
    participants: snapshot.participants.map((p) =>
      p.id === born!.id
        ? { ...p, sex: 'F', birthDate }
        : p.id === aged!.id
          ? { ...p, sex: 'UNDIFFERENTIATED', ageAtConsent: 52 }
          : p,
    ),
  };
  const { header, records } = read(sdtmDomains(withDemographics, protocol, loadInstruments()).DM);
  // SDTMIG 3.3's order: the demographics after DTHFL, COUNTRY after ARMNRS.
  assert.deepEqual(header.slice(header.indexOf('DTHFL'), header.indexOf('DTHFL') + 5), [
    'DTHFL',
    'BRTHDTC',
    'AGE',
    'AGEU',
    'SEX',
  ]);
  assert.equal(header.at(-1), 'COUNTRY');
  const row = (code: string) => records.find((r) => r.SUBJID === code)!;
  const cells = (code: string) => ['BRTHDTC', 'AGE', 'AGEU', 'SEX', 'SITEID', 'COUNTRY'].map((v) => row(code)[v]);
  assert.deepEqual(cells(participantSubjid(born!)), [
    birthDate,
    '39',
    'YEARS',
    'F',
    born!.site,
    born!.site === 'A' ? 'GBR' : '',
  ]);
  assert.deepEqual(cells(participantSubjid(aged!)), [
    '',
    '52',
    'YEARS',
    'UNDIFFERENTIATED',
    aged!.site,
    aged!.site === 'A' ? 'GBR' : '',
  ]);
  // Not recorded (an enrolment from before demographics were): empty, never a default.
  assert.deepEqual(cells(participantSubjid(none!)).slice(0, 4), ['', '', '', '']);
  // A person consented but never enrolled: no demographics (taken at enrolment), the site's country.
  const screened = records.find((r) => r.ARMNRS === 'SCREEN FAILURE')!;
  assert.deepEqual([screened.SEX, screened.AGE, screened.COUNTRY], ['', '', 'GBR']);
  const notes = dmDemographicsNotes(withDemographics);
  assert.ok(
    notes.some(
      (n) => n.includes(`${snapshot.participants.length - 2} participant(s)`) && /SEX \(Required\) is empty/.test(n),
    ),
    notes.join('\n'),
  );
  assert.ok(
    notes.some((n) => n.includes(participantSubjid(none!)) && /AGE, AGEU and BRTHDTC are empty/.test(n)),
    notes.join('\n'),
  );
  assert.ok(
    notes.some((n) => /consented but never enrolled have no SEX or AGE/.test(n)),
    notes.join('\n'),
  );
  assert.ok(
    notes.some((n) => /site\(s\) B have no country/.test(n)),
    notes.join('\n'),
  );
  assert.deepEqual(
    dmDemographicsNotes({
      ...withDemographics,
      trial: { ...snapshot.trial, siteCountries: { A: 'GBR', B: 'AUS' } },
    }).filter((n) => n.includes('country')),
    [],
  );
});

test('SDTM DM: a fatal adverse event sets DTHFL before the death disposition is entered, and gives no DTHDTC', () => {
  const event = snapshot.adverseEvents[0]!;
  const fatal: TrialSnapshot = {
    ...snapshot,
    adverseEvents: [
      { ...event, grade: 5, outcome: 'fatal', seriousCriteria: ['death'], serious: true },
      ...snapshot.adverseEvents.slice(1),
    ],
  };
  const d = sdtmDomains(fatal, protocol, loadInstruments());
  const ae = read(d.AE).records.find((r) => r.AEOUT === 'FATAL')!;
  const dm = read(d.DM).records.find((r) => r.USUBJID === ae.USUBJID)!;
  assert.deepEqual([ae.AESDTH, dm.DTHFL, dm.DTHDTC], ['Y', 'Y', '']);
  // Nobody else is flagged.
  assert.deepEqual(
    read(d.DM)
      .records.filter((r) => r.DTHFL === 'Y')
      .map((r) => r.USUBJID),
    [ae.USUBJID],
  );
});

test('SDTM DM (SDTMIG 3.3): a subject not randomized, or randomized without an infusion, has empty arm variables and ARMNRS', () => {
  const [notRandomized, notTreated, treated] = snapshot.participants.filter((x) => x.randomizationNumber !== null);
  const s: TrialSnapshot = {
    ...snapshot,
    participants: snapshot.participants.map((p) =>
      p.id === notRandomized!.id ? { ...p, randomizationNumber: null, kitCode: null, status: 'enrolled' } : p,
    ),
    randomizations: snapshot.randomizations.filter((r) => r.participantId !== notRandomized!.id),
    allocations: snapshot.allocations.filter((a) => a.participantId !== notRandomized!.id),
    doses: snapshot.doses.filter((d) => d.participantId !== notRandomized!.id && d.participantId !== notTreated!.id),
  };
  const rows = new Map(read(sdtmDomains(s, protocol, loadInstruments()).DM).records.map((r) => [r.SUBJID, r]));
  const arms = (code: string) => {
    const r = rows.get(code)!;
    return [r.ARMCD, r.ARM, r.ACTARMCD, r.ACTARM, r.ARMNRS];
  };
  assert.deepEqual(arms(participantSubjid(notRandomized!)), ['', '', '', '', 'NOT ASSIGNED']);
  const planned = arms(participantSubjid(notTreated!));
  assert.ok(['TOCILIZUMAB', 'PLACEBO'].includes(planned[0]!), planned[0]);
  assert.deepEqual(planned.slice(2), ['', '', 'ASSIGNED, NOT TREATED']);
  const actual = arms(participantSubjid(treated!));
  assert.deepEqual(actual.slice(2), [actual[0], actual[1], '']);
  // No SDTMIG 3.2 pseudo-arm codes.
  assert.ok(![...rows.values()].some((r) => /NOTASSGN|NOTTRT/.test(`${r.ARMCD} ${r.ACTARMCD}`)));
  // The define: the arm variables may be empty (not Mandatory), ARMNRS is bound to CDISC's ARMNULRS codelist.
  const define = sdtmDefine(s, protocol, loadInstruments(), { createdAt: '2026-11-30T12:00:00Z' });
  for (const name of ['ARMCD', 'ARM', 'ACTARMCD', 'ACTARM', 'ARMNRS'])
    assert.match(define, new RegExp(`<ItemRef ItemOID="IT\\.DM\\.${name}" OrderNumber="\\d+" Mandatory="No"`), name);
  assert.match(define, /<CodeList OID="CL\.ARMNULRS"[^]*?CodedValue="ASSIGNED, NOT TREATED"[^]*?Name="C142179"/);
});

test('SDTM DM and DS (SDTMIG 3.3): every subject who consented, screen failures with ARMNRS SCREEN FAILURE and a DS record; FHIR alike', async () => {
  const own = await sqliteFactory.open(() => new Date(Date.UTC(2026, 11, 5, 9)));
  try {
    const proto = await populateTrial(own.store, 2);
    const ctx = as('coordinator', 'A');
    const byCode = new Map((await own.store.listScreening()).map((e) => [e.screeningCode, e]));
    // X1 and X2 are in the log as ineligible (hs-CRP not met, assessed 2026-10-01); X1 consented before, so X1 is a
    // screen failure; X2 never consented and stays in the screening log only.
    await own.store.recordConsent(ctx, {
      screeningId: byCode.get('X1')!.id,
      consentedOn: '2026-09-28',
      formVersion: 'v1.0',
    });
    // Consented, eligible or still needing data, never enrolled: subjects not assigned, with no disposition recorded.
    for (const [code, criteria] of [
      ['Y1', eligibleCriteria(proto)],
      ['Z1', eligibleCriteria(proto).map((c, i) => (i === 0 ? { ...c, status: 'unknown' as const } : c))],
    ] as const) {
      const entry = await own.store.addScreening(ctx, {
        site: 'A',
        screeningCode: code,
        screenedOn: '2026-10-03',
        criteria,
      });
      await own.store.recordConsent(ctx, { screeningId: entry.id, consentedOn: '2026-10-04', formVersion: 'v1.0' });
    }
    const d = sdtmDomains(await own.store.snapshot(), proto, loadInstruments());
    const dm = read(d.DM).records;
    assert.equal(dm.length, 2 + 3, 'the two participants and the three consented, never-enrolled subjects');
    assert.equal(new Set(dm.map((r) => r.USUBJID)).size, dm.length, 'one record per subject');
    const row = (subjid: string) => {
      const r = dm.find((x) => x.SUBJID === subjid);
      assert.ok(r !== undefined, subjid);
      return [r.USUBJID, r.SITEID, r.RFICDTC, r.RFSTDTC, r.RFPENDTC, r.ARMCD, r.ARM, r.ACTARMCD, r.ACTARM, r.ARMNRS];
    };
    const study = 'ISRCTN16942542';
    assert.deepEqual(row('A-X1'), [
      `${study}-A-X1`,
      'A',
      '2026-09-28',
      '',
      '2026-10-01',
      '',
      '',
      '',
      '',
      'SCREEN FAILURE',
    ]);
    assert.deepEqual(row('A-Y1'), [`${study}-A-Y1`, 'A', '2026-10-04', '', '', '', '', '', '', 'NOT ASSIGNED']);
    assert.deepEqual(row('A-Z1').at(-1), 'NOT ASSIGNED');
    assert.ok(!dm.some((r) => r.SUBJID?.endsWith('X2')), 'no consent: not a subject');
    const ds = read(d.DS).records;
    const dsOf = (usubjid: string) =>
      ds.filter((r) => r.USUBJID === usubjid).map((r) => [r.DSSEQ, r.DSTERM, r.DSDECOD, r.DSCAT, r.DSSTDTC]);
    assert.deepEqual(dsOf(`${study}-A-X1`), [
      ['1', 'INFORMED CONSENT OBTAINED', 'INFORMED CONSENT OBTAINED', 'PROTOCOL MILESTONE', '2026-09-28'],
      ['2', 'SCREEN FAILURE', 'SCREEN FAILURE', 'DISPOSITION EVENT', '2026-10-01'],
    ]);
    assert.deepEqual(dsOf(`${study}-A-Y1`), [
      ['1', 'INFORMED CONSENT OBTAINED', 'INFORMED CONSENT OBTAINED', 'PROTOCOL MILESTONE', '2026-10-04'],
    ]);
    const subjects = new Set(dm.map((r) => r.USUBJID));
    assert.ok(
      ds.every((r) => subjects.has(r.USUBJID)),
      'every DS subject is in DM',
    );
    // FHIR has the same subjects: a ResearchSubject for each, R4's ineligible for the screen failure.
    const screened = (fhirResearchBundle(await own.store.snapshot(), proto).entry ?? [])
      .map((e) => e.resource)
      .filter((r) => r?.resourceType === 'ResearchSubject')
      .map(
        (r) =>
          r as {
            identifier?: { system?: string; value?: string }[];
            status?: string;
            period?: { start?: string; end?: string };
          },
      )
      .filter((r) => r.identifier?.[0]?.system === 'urn:precision-trd:trial-screening')
      .map((r) => [r.identifier?.[0]?.value, r.status, r.period?.start, r.period?.end])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(screened, [
      ['A-X1', 'ineligible', '2026-09-28', '2026-10-01'],
      ['A-Y1', 'eligible', '2026-10-04', undefined],
      ['A-Z1', 'screening', '2026-10-04', undefined],
    ]);
    // The define lists the terms written: SCREEN FAILURE in ARMNULRS (C142179) and in the DSDECOD list.
    // Screened from the record before consenting (the entry dated 2026-09-25, the consent 2026-09-28), then found
    // ineligible: the store does not say when after the consent, so neither DS nor RFPENDTC gives a date before it.
    await own.store.correctScreening(ctx, byCode.get('X1')!.id, { screenedOn: '2026-09-25' });
    const before = sdtmDomains(await own.store.snapshot(), proto, loadInstruments());
    assert.equal(read(before.DM).records.find((r) => r.SUBJID === 'A-X1')?.RFPENDTC, '');
    assert.deepEqual(
      read(before.DS)
        .records.filter((r) => r.USUBJID === `${study}-A-X1`)
        .map((r) => [r.DSDECOD, r.DSSTDTC]),
      [
        ['INFORMED CONSENT OBTAINED', '2026-09-28'],
        ['SCREEN FAILURE', ''],
      ],
    );
    // A participant code of site A the same as a screening code of a person of site A never enrolled would give two
    // people one SUBJID (A-Y1) and one USUBJID: refused, naming both.
    const alike = await own.store.snapshot();
    const clashing: TrialSnapshot = {
      ...alike,
      participants: alike.participants.map((p, i) => (i === 0 ? { ...p, site: 'A', participantCode: 'Y1' } : p)),
    };
    assert.throws(
      () => sdtmDomains(clashing, proto, loadInstruments()),
      /site A's participant code Y1 and site A's screening code Y1 of a person consented but never enrolled would both be SUBJID A-Y1, one USUBJID/,
    );
    // So would a site and code that read as another's (site A-1's code 2, site A's code 1-2): refused.
    const [one, two] = alike.participants;
    const hyphens: TrialSnapshot = {
      ...alike,
      participants: alike.participants.map((p) =>
        p.id === one!.id
          ? { ...p, site: 'A-1', participantCode: '2' }
          : p.id === two!.id
            ? { ...p, site: 'A', participantCode: '1-2' }
            : p,
      ),
    };
    assert.throws(() => sdtmDomains(hyphens, proto, loadInstruments()), /would both be SUBJID A-1-2/);
    // The same participant code at two sites is two subjects: A-P and B-P.
    const sameCode: TrialSnapshot = {
      ...alike,
      participants: alike.participants.map((p) =>
        p.id === one!.id
          ? { ...p, site: 'A', participantCode: 'P' }
          : p.id === two!.id
            ? { ...p, site: 'B', participantCode: 'P' }
            : p,
      ),
    };
    assert.deepEqual(
      read(sdtmDomains(sameCode, proto, loadInstruments()).DM)
        .records.filter((r) => r.SUBJID?.endsWith('-P'))
        .map((r) => [r.USUBJID, r.SUBJID, r.SITEID]),
      [
        [`${study}-A-P`, 'A-P', 'A'],
        [`${study}-B-P`, 'B-P', 'B'],
      ],
    );
    // FHIR too: one ResearchSubject identifier each, by site and code.
    const identifiers = (fhirResearchBundle(sameCode, proto).entry ?? [])
      .map((e) => e.resource as { resourceType?: string; id?: string; identifier?: { value?: string }[] })
      .filter((r) => r.resourceType === 'ResearchSubject' && (r.id === one!.id || r.id === two!.id))
      .map((r) => r.identifier?.[0]?.value)
      .sort();
    assert.deepEqual(identifiers, ['A-P', 'B-P']);
    const define = sdtmDefine(await own.store.snapshot(), proto, loadInstruments(), {
      createdAt: '2026-12-05T09:00:00Z',
    });
    assert.match(define, /<CodeList OID="CL\.ARMNULRS"[^]*?CodedValue="SCREEN FAILURE"[^]*?Name="C142179"/);
    assert.match(define, /<CodeList OID="CL\.DSDECOD"[^]*?CodedValue="SCREEN FAILURE"[^]*?<\/CodeList>/);
  } finally {
    await own.cleanup();
  }
});

test("SDTM IE (SDTMIG 3.3): the criteria a subject did not meet, a screen failure's and a participant's enrolled despite one; unknown is no exception", async () => {
  const own = await sqliteFactory.open();
  try {
    const proto = await populateTrial(own.store, 2);
    const ctx = as('coordinator', 'A');
    // A screen failure: hs-CRP not met (inclusion), a bipolar disorder present (exclusion met), the age unknown.
    const failing = eligibleCriteria(proto).map((c) =>
      c.id === 'insight-in-hscrp'
        ? { ...c, status: 'not-met' as const }
        : c.id === 'insight-ex-bipolar'
          ? { ...c, status: 'met' as const }
          : c.id === 'insight-in-age'
            ? { ...c, status: 'unknown' as const }
            : c,
    );
    const entry = await own.store.addScreening(ctx, {
      site: 'A',
      screeningCode: 'F1',
      screenedOn: '2026-10-05',
      criteria: failing,
    });
    await own.store.recordConsent(ctx, { screeningId: entry.id, consentedOn: '2026-10-04', formVersion: 'v1.0' });
    // Consented, needing data (one criterion unknown): no criterion is not met, so no IE record.
    const undecided = await own.store.addScreening(ctx, {
      site: 'A',
      screeningCode: 'U1',
      screenedOn: '2026-10-05',
      criteria: eligibleCriteria(proto).map((c) =>
        c.id === 'insight-in-age' ? { ...c, status: 'unknown' as const } : c,
      ),
    });
    await own.store.recordConsent(ctx, { screeningId: undecided.id, consentedOn: '2026-10-04', formVersion: 'v1.0' });
    const snap = await own.store.snapshot();
    // A participant enrolled on an entry that has an exclusion met (the store refuses it; data from elsewhere may not).
    const p1 = snap.participants.find((p) => p.participantCode === 'P001')!;
    const deviated: TrialSnapshot = {
      ...snap,
      screening: snap.screening.map((e) =>
        e.id === p1.screeningId
          ? {
              ...e,
              verdict: 'ineligible' as const,
              failed: ['insight-ex-nsaids'],
              criteria: e.criteria.map((c) => (c.id === 'insight-ex-nsaids' ? { ...c, status: 'met' as const } : c)),
            }
          : e,
      ),
    };
    const d = sdtmDomains(deviated, proto, loadInstruments());
    const { header, records } = read(d.IE);
    assert.deepEqual(header, [
      'STUDYID',
      'DOMAIN',
      'USUBJID',
      'IESEQ',
      'IETESTCD',
      'IETEST',
      'IECAT',
      'IEORRES',
      'IESTRESC',
      'IEDTC',
    ]);
    const study = 'ISRCTN16942542';
    const rows = records.map((r) => [r.USUBJID, r.IESEQ, r.IETESTCD, r.IECAT, r.IEORRES, r.IESTRESC, r.IEDTC]);
    const p1Consent = snap.consents.find((c) => c.screeningId === p1.screeningId)!.consentedOn;
    const p1Entry = snap.screening.find((e) => e.id === p1.screeningId)!;
    assert.deepEqual(rows, [
      [
        `${study}-${participantSubjid(p1)}`,
        '1',
        'EXNSAIDS',
        'EXCLUSION',
        'Y',
        'Y',
        p1Entry.screenedOn >= p1Consent ? p1Entry.screenedOn : '',
      ],
      [`${study}-A-F1`, '2', 'INHSCRP', 'INCLUSION', 'N', 'N', '2026-10-05'],
      [`${study}-A-F1`, '3', 'EXBPLR', 'EXCLUSION', 'Y', 'Y', '2026-10-05'],
    ]);
    // IETEST: the registry's wording, within SDTMIG's 200 characters.
    const hscrp = proto.criteria.find((c) => c.id === 'insight-in-hscrp')!;
    assert.equal(records[1]!.IETEST, hscrp.registryText ?? hscrp.text);
    assert.ok(records.every((r) => r.IETEST!.length <= 200 && /^[A-Z][A-Z0-9]{0,7}$/.test(r.IETESTCD!)));
    // Every IE subject is a DM subject.
    const dm = new Set(read(d.DM).records.map((r) => r.USUBJID));
    assert.ok(records.every((r) => dm.has(r.USUBJID)));
    const define = sdtmDefine(deviated, proto, loadInstruments(), { createdAt: '2026-12-05T09:00:00Z' });
    assert.match(define, /<ItemGroupDef OID="IG\.IE"[^>]*Name="IE"/);
    assert.match(define, /<CodeList OID="CL\.IECAT"[^]*?CodedValue="EXCLUSION"[^]*?Name="C66797"/);
  } finally {
    await own.cleanup();
  }
});

test('SDTM TI: the protocol criteria as trial design, at its version; every IE criterion is a TI one with the same name and category', async () => {
  const own = await sqliteFactory.open();
  try {
    const proto = await populateTrial(own.store, 1);
    const ctx = as('coordinator', 'A');
    const entry = await own.store.addScreening(ctx, {
      site: 'A',
      screeningCode: 'F1',
      screenedOn: '2026-10-05',
      criteria: eligibleCriteria(proto).map((c) =>
        c.id === 'insight-in-somatic-score' || c.id === 'insight-ex-recent-infection'
          ? { ...c, status: c.kind === 'inclusion' ? ('not-met' as const) : ('met' as const) }
          : c,
      ),
    });
    await own.store.recordConsent(ctx, { screeningId: entry.id, consentedOn: '2026-10-04', formVersion: 'v1.0' });
    const snap = await own.store.snapshot();
    const d = sdtmDomains(snap, proto, loadInstruments());
    const ti = read(d.TI);
    assert.deepEqual(ti.header, ['STUDYID', 'DOMAIN', 'IETESTCD', 'IETEST', 'IECAT', 'TIVERS']);
    assert.equal(ti.records.length, proto.criteria.length, 'one record per criterion of the protocol');
    assert.ok(ti.records.every((r) => r.DOMAIN === 'TI' && r.TIVERS === proto.version));
    assert.equal(new Set(ti.records.map((r) => r.IETESTCD)).size, ti.records.length, 'one code per criterion');
    const somatic = proto.criteria.find((c) => c.id === 'insight-in-somatic-score')!;
    const row = ti.records.find((r) => r.IETESTCD === 'INSMTSCR');
    assert.deepEqual(
      [row?.IETEST, row?.IECAT],
      [(somatic.registryText ?? somatic.text).slice(0, row?.IETEST?.length), 'INCLUSION'],
    );
    assert.ok(row!.IETEST!.length <= 200 && (somatic.registryText ?? '').length > 200, 'a wording over 200 is cut');
    // One name per criterion: the registry line of four criteria (bipolar, psychotic, personality, eating disorder)
    // gives each the protocol file's own statement, as one IETEST with four codes would read as one test.
    assert.equal(new Set(ti.records.map((r) => r.IETEST)).size, ti.records.length, 'one IETEST per criterion');
    const bipolar = proto.criteria.find((c) => c.id === 'insight-ex-bipolar')!;
    assert.equal(ti.records.find((r) => r.IETESTCD === 'EXBPLR')?.IETEST, bipolar.text);
    const twice: TrialProtocol = {
      ...proto,
      criteria: proto.criteria.map((c) => (c.id === 'insight-ex-psychotic' ? { ...c, text: bipolar.text } : c)),
    };
    assert.throws(
      () => sdtmDomains(snap, twice, loadInstruments()),
      /insight-ex-bipolar and insight-ex-psychotic .* give one IETEST/,
    );
    const ie = read(d.IE).records;
    assert.equal(ie.length, 2);
    for (const r of ie) {
      const t = ti.records.find((x) => x.IETESTCD === r.IETESTCD);
      assert.deepEqual([t?.IETEST, t?.IECAT], [r.IETEST, r.IECAT], r.IETESTCD);
    }
    const define = sdtmDefine(snap, proto, loadInstruments(), { createdAt: '2026-12-05T09:00:00Z' });
    assert.match(define, /<ItemGroupDef OID="IG\.TI"[^>]*IsReferenceData="Yes"/);
    // The full wording of a criterion cut in IETEST is in the study metadata: the define decodes its IETESTCD with it.
    const full = (somatic.registryText ?? '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
    assert.ok(
      define.includes(`<CodeListItem CodedValue="INSMTSCR" OrderNumber="7">`) && define.includes(`>${full}<`),
      'INSMTSCR decoded with its whole registry wording',
    );
    assert.match(define, /<ItemDef OID="IT\.TI\.IETESTCD"[^]*?<CodeListRef CodeListOID="CL\.IETESTCD"\/>/);
    assert.match(define, /<ItemDef OID="IT\.IE\.IETESTCD"[^]*?<CodeListRef CodeListOID="CL\.IETESTCD"\/>/);
  } finally {
    await own.cleanup();
  }
});

test('SDTM IE/TI: a criterion not met that the protocol no longer defines keeps its IE record, listed in TI and define.xml as recorded', async () => {
  const own = await sqliteFactory.open();
  try {
    const proto = await populateTrial(own.store, 1);
    const ctx = as('coordinator', 'A');
    const entry = await own.store.addScreening(ctx, {
      site: 'A',
      screeningCode: 'F1',
      screenedOn: '2026-10-05',
      criteria: eligibleCriteria(proto).map((c) =>
        c.id === 'insight-ex-recent-infection' ? { ...c, status: 'met' as const } : c,
      ),
    });
    await own.store.recordConsent(ctx, { screeningId: entry.id, consentedOn: '2026-10-04', formVersion: 'v1.0' });
    const snap = await own.store.snapshot();
    // Screened under an earlier version, whose exclusion insight-ex-old-rule the amended protocol no longer has.
    const earlier: TrialSnapshot = {
      ...snap,
      screening: snap.screening.map((e) =>
        e.id === entry.id
          ? {
              ...e,
              failed: [...e.failed, 'insight-ex-old-rule'],
              criteria: [
                ...e.criteria,
                {
                  id: 'insight-ex-old-rule',
                  kind: 'exclusion' as const,
                  status: 'met' as const,
                  reason: 'entered',
                  source: 'entered' as const,
                  verified: true,
                },
              ],
            }
          : e,
      ),
    };
    const d = sdtmDomains(earlier, proto, loadInstruments());
    const ie = read(d.IE).records;
    assert.deepEqual(
      ie.map((r) => [r.IETESTCD, r.IECAT, r.IEORRES]),
      [
        ['EXRCNINF', 'EXCLUSION', 'Y'],
        ['EXOLDRL', 'EXCLUSION', 'Y'],
      ],
      'the record is kept',
    );
    const ti = read(d.TI).records;
    assert.equal(ti.length, proto.criteria.length + 1);
    const old = ti.find((r) => r.IETESTCD === 'EXOLDRL');
    assert.deepEqual(
      [old?.IETEST, old?.IECAT, old?.TIVERS],
      [
        `insight-ex-old-rule: recorded at screening, not a criterion of protocol insight version ${proto.version}`,
        'EXCLUSION',
        '',
      ],
    );
    for (const r of ie) {
      const t = ti.find((x) => x.IETESTCD === r.IETESTCD);
      assert.deepEqual([t?.IETEST, t?.IECAT], [r.IETEST, r.IECAT], r.IETESTCD);
    }
    const define = sdtmDefine(earlier, proto, loadInstruments(), { createdAt: '2026-12-05T09:00:00Z' });
    assert.match(
      define,
      new RegExp(`<CodeListItem CodedValue="EXOLDRL" OrderNumber="${proto.criteria.length + 1}">\\s*<Decode>`),
    );
  } finally {
    await own.cleanup();
  }
});

test('SDTM TS: the trial summary the protocol file and the store hold, none invented; the planned ages only from a verified criterion', () => {
  const d = sdtmDomains(snapshot, protocol, loadInstruments());
  const ts = read(d.TS);
  assert.deepEqual(ts.header, [
    'STUDYID',
    'DOMAIN',
    'TSSEQ',
    'TSPARMCD',
    'TSPARM',
    'TSVAL',
    'TSVALCD',
    'TSVCDREF',
    'TSVCDVER',
  ]);
  const firstConsent = snapshot.participants
    .map((p) => snapshot.consents.find((c) => c.screeningId === p.screeningId)?.consentedOn ?? '9999')
    .sort()[0];
  assert.deepEqual(
    ts.records.map((r) => [r.TSSEQ, r.TSPARMCD, r.TSPARM, r.TSVAL, r.TSVALCD, r.TSVCDREF]),
    [
      ['1', 'TITLE', 'Trial Title', protocol.title, '', ''],
      ['1', 'REGID', 'Registry Identifier', 'ISRCTN16942542', 'ISRCTN16942542', 'ISRCTN'],
      ['1', 'NARMS', 'Planned Number of Arms', '2', '', ''],
      ['1', 'SSTDTC', 'Study Start Date', firstConsent, '', ''],
      ['1', 'SDTIGVER', 'SDTM IG Version', '3.3', '', ''],
    ],
    "INSIGHT's age criterion is unverified [U]: no AGEMIN/AGEMAX",
  );
  // A verified age criterion whose bounds are allowed ages gives the planned ages; a second registry a second REGID.
  const verified: TrialProtocol = {
    ...protocol,
    registry: [...protocol.registry, { system: 'NCT', id: 'NCT00000001' }],
    criteria: protocol.criteria.map((c) => (c.id === 'insight-in-age' ? { ...c, verified: true } : c)),
  };
  const rows = read(sdtmDomains(snapshot, verified, loadInstruments()).TS).records;
  assert.deepEqual(
    rows.filter((r) => /^(AGE|REGID)/.test(r.TSPARMCD!)).map((r) => [r.TSSEQ, r.TSPARMCD, r.TSVAL, r.TSVCDREF]),
    [
      ['1', 'REGID', 'ISRCTN16942542', 'ISRCTN'],
      ['2', 'REGID', 'NCT00000001', 'ClinicalTrials.gov'],
      ['1', 'AGEMIN', 'P20Y', ''],
      ['1', 'AGEMAX', 'P65Y', ''],
    ],
  );
  const define = sdtmDefine(snapshot, protocol, loadInstruments(), { createdAt: '2026-12-05T09:00:00Z' });
  assert.match(define, /<ItemGroupDef OID="IG\.TS"[^>]*IsReferenceData="Yes"/);
  assert.match(define, /<ItemRef ItemOID="IT\.TS\.TSVAL\.SSTDTC"[^>]*MethodOID="MT\.SSTDTC"/);
  assert.match(define, /<CodeList OID="CL\.TSPARMCD"[^]*?CodedValue="REGID"[^]*?Name="C66738"/);
});

test('SDTM IETESTCD: from the criterion id, at most 8 letters and digits, one per criterion of each bundled protocol', () => {
  const protocols = loadProtocols();
  assert.ok(protocols.length >= 3);
  for (const proto of protocols) {
    const codes = proto.criteria.map((c) => ieTestCode(proto.id, c));
    assert.ok(
      codes.every((c) => /^[A-Z][A-Z0-9]{0,7}$/.test(c)),
      codes.join(' '),
    );
    assert.equal(new Set(codes).size, codes.length, `${proto.id}: ${codes.join(' ')}`);
    // Stable: the code depends on the id alone, not on the criteria around it.
    assert.deepEqual(
      proto.criteria.slice(1).map((c) => ieTestCode(proto.id, c)),
      codes.slice(1),
    );
  }
  assert.equal(ieTestCode('insight', { id: 'insight-ex-recent-infection', kind: 'exclusion' }), 'EXRCNINF');
  assert.equal(ieTestCode('insight', { id: 'insight-ex-recurrent-infection', kind: 'exclusion' }), 'EXRCRINF');
  assert.equal(ieTestCode('nct07052058', { id: 'nct07052058-ex-crp-20', kind: 'exclusion' }), 'EXCRP20');
});

test('SDTM-style domains: headers, one row per item/total/subscale in QS, CTCAE grade in LB, seriousness in AE', () => {
  const d = sdtmDomains(snapshot, protocol, loadInstruments());
  const dm = read(d.DM);
  assert.deepEqual(dm.header.slice(0, 5), ['STUDYID', 'DOMAIN', 'USUBJID', 'SUBJID', 'SITEID']);
  assert.equal(dm.records.length, N);
  // Reference dates: first and last study drug (one infusion), consent; no end of participation before one is recorded.
  for (const r of dm.records) {
    const p = snapshot.participants.find((x) => participantSubjid(x) === r.SUBJID)!;
    const dose = snapshot.doses.find((x) => x.participantId === p.id);
    assert.equal(r.RFSTDTC, dose?.administeredOn ?? '');
    assert.equal(r.RFXSTDTC, r.RFSTDTC);
    assert.equal(r.RFXENDTC, r.RFSTDTC, 'one infusion: first and last study drug on one day');
    assert.match(r.RFICDTC ?? '', /^\d{4}-\d{2}-\d{2}$/);
    const ended = snapshot.dispositions.filter((x) => x.participantId === p.id).map((x) => x.on);
    assert.equal(r.RFPENDTC, ended.sort().at(-1) ?? '');
    assert.equal(
      r.DTHFL,
      snapshot.dispositions.some((x) => x.participantId === p.id && x.event === 'death') ? 'Y' : '',
    );
  }
  assert.ok(
    dm.records.every((r) => r.STUDYID === 'ISRCTN16942542' && ['TOCILIZUMAB', 'PLACEBO'].includes(r.ARMCD ?? '')),
  );
  const qs = read(d.QS);
  const forms = snapshot.forms.length;
  assert.equal(qs.records.length, forms * (21 + 1 + 1));
  const item16 = qs.records.find((r) => r.QSTESTCD === 'BDI2I16' && r.QSORRES !== '0');
  assert.match(item16?.QSORRES ?? '', /^[123]a$/);
  assert.equal(item16?.QSSTRESN, item16?.QSORRES?.slice(0, 1));
  assert.ok(qs.records.some((r) => r.QSTESTCD === 'BDI2SOM'));
  const lb = read(d.LB);
  assert.equal(lb.records.length, N);
  assert.deepEqual([...new Set(lb.records.map((r) => r.LBTESTCD))], ['NEUT']);
  assert.deepEqual(lb.records.map((r) => r.LBTOXGR).sort(), [...Array(N - 1).fill('0'), '3']);
  const ae = read(d.AE);
  assert.equal(ae.records.length, 1);
  assert.equal(ae.records[0]?.AESER, 'Y');
  assert.equal(ae.records[0]?.AESHOSP, 'Y');
  // AEOUT in CDISC controlled terminology (OUT, C66768).
  assert.equal(ae.records[0]?.AEOUT, 'RECOVERED/RESOLVED');
  // Expectedness has no AE variable in SDTMIG 3.3: it is a SUPPAE qualifier of the event, by AESEQ.
  assert.ok(!ae.header.includes('AEEXPECT'));
  assert.deepEqual(
    read(d.SUPPAE).records.map((r) => [r.RDOMAIN, r.USUBJID, r.IDVAR, r.IDVARVAL, r.QNAM, r.QLABEL, r.QVAL, r.QORIG]),
    [
      [
        'AE',
        ae.records[0]?.USUBJID,
        'AESEQ',
        ae.records[0]?.AESEQ,
        'AEEXPECT',
        'Expectedness',
        snapshot.adverseEvents[0]?.expectedness.toUpperCase(),
        'CRF',
      ],
    ],
  );
  const ex = read(d.EX);
  assert.equal(ex.records.length, N);
  // SDTMIG's placebo convention: EXTRT PLACEBO with EXDOSE 0 (0 mg of the active drug), not the vehicle's name at 0 mg.
  const armOf = new Map(snapshot.allocations.map((a) => [a.participantId, a.arm]));
  const codeOf = new Map(snapshot.participants.map((p) => [`ISRCTN16942542-${participantSubjid(p)}`, p.id]));
  assert.deepEqual(
    new Set(ex.records.map((r) => [armOf.get(codeOf.get(r.USUBJID!)!), r.EXTRT, r.EXDOSE].join(' | '))),
    new Set(['placebo | PLACEBO | 0', 'tocilizumab | SINGLE IV INFUSION OF TOCILIZUMAB | 560']),
  );
  const ds = read(d.DS);
  assert.equal(ds.records.filter((r) => r.DSDECOD === 'RANDOMIZED').length, N);
  assert.equal(ds.records.filter((r) => r.DSDECOD === 'LOST TO FOLLOW-UP').length, 1);
  const blinded = sdtmDomains(blindSnapshot(snapshot), protocol, loadInstruments());
  assert.ok(!/TOCILIZUMAB|PLACEBO|SALINE/.test(blinded.DM + blinded.EX));
  assert.equal(
    new Set(read(blinded.EX).records.map((r) => r.EXDOSE)).size,
    1,
    'the blinded dose column is the same in every arm',
  );
  // The date of randomization reveals no arm: a blinded DS keeps it, equal to the unblinded one.
  const randomizedOn = (text: string) =>
    read(text)
      .records.filter((r) => r.DSDECOD === 'RANDOMIZED')
      .map((r) => [r.USUBJID, r.DSSTDTC]);
  assert.ok(randomizedOn(blinded.DS).every(([, date]) => /^\d{4}-\d{2}-\d{2}$/.test(date ?? '')));
  assert.deepEqual(randomizedOn(blinded.DS), randomizedOn(d.DS));
});

test('FHIR: one ResearchStudy with both arms and a ResearchSubject per participant; blinded has no assigned arm', () => {
  const bundle = fhirResearchBundle(snapshot, protocol);
  const resources = (bundle.entry ?? []).map((e) => e.resource);
  const study = resources.find((r) => r?.resourceType === 'ResearchStudy');
  assert.deepEqual(study?.resourceType === 'ResearchStudy' && study.arm?.map((a) => a.name), [
    'tocilizumab',
    'placebo',
  ]);
  const subjects = resources.filter((r) => r?.resourceType === 'ResearchSubject');
  assert.equal(subjects.length, N);
  assert.ok(
    subjects.every(
      (s) =>
        s?.resourceType === 'ResearchSubject' &&
        s.assignedArm !== undefined &&
        s.study.reference === 'ResearchStudy/insight',
    ),
  );
  const blinded = fhirResearchBundle(blindSnapshot(snapshot), protocol);
  assert.ok(
    !JSON.stringify(blinded.entry?.filter((e) => e.resource?.resourceType === 'ResearchSubject')).includes('Arm'),
  );
});

test('FHIR ResearchStudy.site: a site whose consented people were all screen failures is a site of the study', async () => {
  const own = await sqliteFactory.open();
  try {
    const proto = await populateTrial(own.store, 1); // one participant, at site A; site B screens only failures
    const ctx = as('coordinator', 'B');
    const entry = await own.store.addScreening(ctx, {
      site: 'B',
      screeningCode: 'F1',
      screenedOn: '2026-10-03',
      criteria: eligibleCriteria(proto).map((c) => (c.kind === 'inclusion' ? { ...c, status: 'not-met' as const } : c)),
    });
    await own.store.recordConsent(ctx, { screeningId: entry.id, consentedOn: '2026-10-02', formVersion: 'v1.0' });
    const resources = (fhirResearchBundle(await own.store.snapshot(), proto).entry ?? []).map((e) => e.resource);
    const study = resources.find((r) => r?.resourceType === 'ResearchStudy');
    assert.deepEqual(study?.resourceType === 'ResearchStudy' && study.site?.map((x) => x.display), ['A', 'B']);
    assert.ok(
      resources.some(
        (r) =>
          r?.resourceType === 'ResearchSubject' && r.status === 'ineligible' && r.identifier?.[0]?.value === 'B-F1',
      ),
      'the screen failure is a subject of site B',
    );
  } finally {
    await own.cleanup();
  }
});

test('CONSORT flow: screening, exclusions, allocation per arm, losses and analysed; pooled when blinded', () => {
  const flow = consortFlow(snapshot, protocol, false);
  assert.equal(flow.assessedForEligibility, N + 2);
  assert.equal(flow.excluded.notMeetingCriteria, 2);
  assert.equal(flow.enrolled, N);
  assert.equal(flow.randomized, N);
  assert.deepEqual(
    flow.arms.map((a) => a.arm),
    ['tocilizumab', 'placebo'],
  );
  assert.equal(
    flow.arms.reduce((s, a) => s + a.allocated, 0),
    N,
  );
  assert.equal(
    flow.arms.reduce((s, a) => s + a.receivedIntervention, 0),
    N,
  );
  assert.equal(
    flow.arms.reduce((s, a) => s + a.lostToFollowUp, 0),
    1,
  );
  assert.equal(
    flow.arms.reduce((s, a) => s + a.analysed, 0),
    N,
    'the primary visit is day 14, before the loss',
  );
  const pooled = consortFlow(blindSnapshot(snapshot), protocol, true);
  assert.equal(pooled.pooled, true);
  assert.deepEqual(
    pooled.arms.map((a) => [a.arm, a.allocated]),
    [['all', N]],
  );
});

test('SDTM datasets keep verbatim values exactly ("-2", "+ve", "=", "@"); the analysis CSV and a spreadsheet copy escape formulas', () => {
  const ae = snapshot.adverseEvents[0];
  assert.ok(ae !== undefined);
  const participant = snapshot.participants.find((p) => p.id === ae.participantId);
  assert.ok(participant !== undefined);
  const terms = [
    '=HYPERLINK("http://example.invalid","x")',
    '+ve skin test',
    '-2 kg weight loss',
    '@home fall',
    '\tTab',
  ];
  const tampered: TrialSnapshot = {
    ...snapshot,
    // SUBJID is the site, a hyphen and the participant code: "+1-2" begins like a formula.
    participants: snapshot.participants.map((p) =>
      p.id === participant.id ? { ...p, site: '+1', participantCode: '2' } : p,
    ),
    adverseEvents: terms.map((term, i) => ({
      ...ae,
      id: `ae-${i}`,
      term,
      onsetOn: i === 0 ? '2026-11-01' : ae.onsetOn,
    })),
  };
  // The submission datasets: each value as entered, and define.xml measures those values.
  const exact = sdtmDomains(tampered, protocol, loadInstruments());
  const records = read(exact.AE).records;
  assert.deepEqual(
    records.map((r) => r.AETERM),
    terms,
  );
  assert.equal(read(exact.DM).records.find((r) => r.SUBJID?.includes('1-2'))?.SUBJID, '+1-2');
  assert.equal(records[0]?.AESTDY, '-4');
  const define = sdtmDefine(tampered, protocol, loadInstruments(), { createdAt: '2026-11-30T12:00:00Z' });
  const longest = Math.max(...terms.map((t) => Buffer.byteLength(t)));
  assert.match(define, new RegExp(`<ItemDef OID="IT\\.AE\\.AETERM" Name="AETERM" DataType="text" Length="${longest}"`));
  // A copy to open in a spreadsheet: text that begins like a formula gets a leading apostrophe; numbers stay numbers.
  const safe = sdtmDomains(tampered, protocol, loadInstruments(), { spreadsheetSafe: true });
  const safeRecords = read(safe.AE).records;
  assert.deepEqual(
    safeRecords.map((r) => r.AETERM),
    terms.map((t) => `'${t}`),
  );
  assert.equal(safeRecords[0]?.AESTDY, '-4');
  assert.equal(read(safe.DM).records.find((r) => r.SUBJID?.includes('1-2'))?.SUBJID, "'+1-2");
  // The analysis CSV is opened and edited in spreadsheets: always escaped.
  const analysis = read(analysisCsv(tampered, protocol, loadInstruments(), pathway).csv).records;
  assert.ok(analysis.some((r) => r.subject === "'+1-2"));
  assert.ok(analysis.every((r) => !/^[=+@-]/.test(r.subject ?? '')));
});

test('SDTM QS: an answer the scoring refused keeps its QSORRES but gets no standard result', () => {
  const instruments = loadInstruments();
  const bdi = instruments.get('bdi-ii');
  const form = snapshot.forms.find((f) => f.instrument === 'bdi-ii');
  assert.ok(bdi !== undefined && form !== undefined);
  const answers = { ...form.answers, '1': 9, '2': 1.5, '16': '2' };
  const tampered: TrialSnapshot = {
    ...snapshot,
    forms: [{ ...form, answers, score: scoreInstrument(bdi, answers, form.scoring ?? undefined) }],
  };
  const rows = read(sdtmDomains(tampered, protocol, instruments).QS).records;
  const row = (testcd: string) => rows.find((r) => r.QSTESTCD === testcd);
  for (const [testcd, entered] of [
    ['BDI2I01', '9'],
    ['BDI2I02', '1.5'],
    ['BDI2I16', '2'],
  ] as const) {
    assert.equal(row(testcd)?.QSORRES, entered, testcd);
    assert.equal(row(testcd)?.QSSTRESC, '', testcd);
    assert.equal(row(testcd)?.QSSTRESN, '', testcd);
  }
  assert.equal(row('BDI2I03')?.QSSTRESN, row('BDI2I03')?.QSORRES);
  assert.equal(row('BDI2TOT')?.QSSTRESN, '');
});

test('SDTM LB: LBSTRESN/LBSTRESU in the standard unit (10^9/L for counts, U/L for ALT/AST, [IU]/L included); a unit that does not convert leaves them empty; units as CDISC UNIT submission values', () => {
  const lab = snapshot.labs[0];
  assert.ok(lab !== undefined);
  const tampered: TrialSnapshot = {
    ...snapshot,
    labs: [
      { ...lab, id: 'l1', analyte: 'anc', value: 800, unit: '/uL', lowerLimitOfNormal: 2000 },
      { ...lab, id: 'l2', analyte: 'platelets', value: 90, unit: '10*3/uL' },
      { ...lab, id: 'l3', analyte: 'anc', value: 1.2, unit: '10*9/L' },
      { ...lab, id: 'l4', analyte: 'anc', value: 0.3, unit: 'mg/dL' },
      // ALT/AST as laboratories report them: [IU]/L is the enzyme's U/L; ukat/L converts by UCUM (1 ukat/L = 60 U/L).
      { ...lab, id: 'l5', analyte: 'ast', value: 25, unit: '[IU]/L', upperLimitOfNormal: 35, lowerLimitOfNormal: null },
      {
        ...lab,
        id: 'l6',
        analyte: 'alt',
        value: 0.5,
        unit: 'ukat/L',
        upperLimitOfNormal: 0.7,
        lowerLimitOfNormal: null,
      },
    ],
  };
  const rows = read(sdtmDomains(tampered, protocol, loadInstruments()).LB).records;
  assert.deepEqual(
    rows.map((r) => [r.LBORRES, r.LBORRESU, r.LBSTRESN, r.LBSTRESU]),
    [
      ['800', '/uL', '0.8', '10^9/L'],
      ['90', '10^3/uL', '90', '10^9/L'],
      ['1.2', '10^9/L', '1.2', '10^9/L'],
      ['0.3', 'mg/dL', '', ''],
      ['25', 'IU/L', '25', 'U/L'],
      ['0.5', 'ukat/L', '30', 'U/L'],
    ],
  );
  // The store keeps UCUM; a unit the table does not map is written as entered and named, never respelt.
  assert.equal(tampered.labs[1]?.unit, '10*3/uL');
  assert.deepEqual(sdtmUnitNotes(tampered), [
    "SDTM LB: unit(s) mg/dL have no CDISC UNIT submission value in the export's table: LBORRESU keeps them as entered (UCUM), which a validator will not find in codelist UNIT (C71620)",
  ]);
  assert.deepEqual(sdtmUnitNotes(snapshot), []);
  const ex = read(sdtmDomains(tampered, protocol, loadInstruments()).EX).records;
  assert.ok(ex.length > 0 && ex.every((r) => r.EXDOSU === 'mg'));
  // LBSTRESC, an Expected variable of SDTMIG 3.3 LB, is the standard result as text (empty when it is).
  assert.deepEqual(
    rows.map((r) => r.LBSTRESC),
    ['0.8', '90', '1.2', '', '25', '30'],
  );
  // The reference range in standard units (LBSTNRLO/LBSTNRHI, Expected in SDTMIG 3.3), converted as the result is:
  // one range for every result of a test, whatever unit each laboratory reported in.
  assert.deepEqual(
    rows.map((r) => [r.LBORNRLO, r.LBORNRHI, r.LBSTNRLO, r.LBSTNRHI]),
    [
      ['2000', '', '2', ''],
      ['2', '', '2', ''],
      ['2', '', '2', ''],
      ['2', '', '', ''],
      ['', '35', '', '35'],
      ['', '0.7', '', '42'],
    ],
  );
});

test('SDTM LB: LBTOX is the CTCAE term of the grade (knowledge/safety/ctcae-v5.0.json); the CTCAE version is a SUPPLB qualifier', () => {
  const table = loadCtcae('5.0');
  const lab = snapshot.labs[0];
  assert.ok(lab !== undefined);
  const ungraded = { ...lab, id: 'l2', assessment: { ...lab.assessment, grade: null } };
  const tampered: TrialSnapshot = { ...snapshot, labs: [{ ...lab, id: 'l1' }, ungraded] };
  const d = sdtmDomains(tampered, protocol, loadInstruments());
  const rows = read(d.LB).records;
  assert.deepEqual(
    rows.map((r) => [r.LBTESTCD, r.LBTOX, r.LBTOXGR]),
    [
      ['NEUT', table.terms.anc?.term, String(lab.assessment.grade)],
      ['NEUT', '', ''],
    ],
  );
  assert.equal(rows[0]?.LBTOX, 'Neutrophil count decreased');
  assert.ok(!rows.some((r) => /CTCAE/.test(r.LBTOX ?? '')), 'no version in LBTOX');
  const supp = read(d.SUPPLB);
  assert.deepEqual(supp.header, [
    'STUDYID',
    'RDOMAIN',
    'USUBJID',
    'IDVAR',
    'IDVARVAL',
    'QNAM',
    'QLABEL',
    'QVAL',
    'QORIG',
    'QEVAL',
  ]);
  assert.deepEqual(
    supp.records.map((r) => [r.RDOMAIN, r.USUBJID, r.IDVAR, r.IDVARVAL, r.QNAM, r.QVAL, r.QORIG]),
    [['LB', rows[0]?.USUBJID, 'LBSEQ', rows[0]?.LBSEQ, 'CTCAEVER', table.version, 'Protocol']],
    'one qualifier per graded result, none for the ungraded one',
  );
});

test('a corrected or voided disposition: DS, DM, the FHIR ResearchSubject (status, period end) and CONSORT follow the stored exit', async () => {
  const own = await sqliteFactory.open(() => new Date(Date.UTC(2026, 11, 5, 9)));
  try {
    const proto = await populateTrial(own.store, 4);
    const lost = (await own.store.snapshot()).dispositions[0];
    assert.equal(lost?.event, 'lost-to-follow-up');
    const ctx = {
      actor: { userId: 'coordinator-1', role: 'coordinator' as const, site: 'B' },
      reason: 'died, not lost',
    };
    await own.store.correctDisposition(ctx, lost.id, { event: 'death', on: '2026-11-26' });
    const exports = async () => {
      const s = await own.store.snapshot();
      const d = sdtmDomains(s, proto, loadInstruments());
      const p = s.participants.find((x) => x.id === lost.participantId)!;
      const dm = read(d.DM).records.find((r) => r.SUBJID === participantSubjid(p));
      const ds = read(d.DS).records.filter((r) => r.USUBJID === dm?.USUBJID && r.DSCAT === 'DISPOSITION EVENT');
      const subject = fhirResearchBundle(s, proto).entry?.find(
        (e) =>
          e.resource?.resourceType === 'ResearchSubject' && JSON.stringify(e.resource).includes(participantSubjid(p)),
      )?.resource as { status?: string; period?: { start?: string; end?: string } } | undefined;
      const arms = consortFlow(s, proto, false).arms;
      return {
        dm: [dm?.RFPENDTC, dm?.DTHDTC, dm?.DTHFL],
        ds: ds.map((r) => [r.DSDECOD, r.DSSTDTC]),
        fhir: subject?.status,
        // ResearchSubject.period: when participation began and ended (the exit, as DM RFPENDTC).
        fhirEnd: subject?.period?.end ?? '',
        consort: [arms.reduce((n, a) => n + a.lostToFollowUp, 0), arms.reduce((n, a) => n + a.discontinued, 0)],
      };
    };
    assert.deepEqual(await exports(), {
      dm: ['2026-11-26', '2026-11-26', 'Y'],
      ds: [['DEATH', '2026-11-26']],
      // R4 off-study: ended participation through withdrawal, non-compliance or an adverse event (withdrawn is a
      // withdrawal before registration, which an enrolled participant is past).
      fhir: 'off-study',
      fhirEnd: '2026-11-26',
      consort: [0, 1],
    });
    await own.store.voidDisposition({ ...ctx, reason: 'entered for the wrong trial' }, lost.id);
    assert.deepEqual(await exports(), {
      dm: ['', '', ''],
      ds: [],
      fhir: 'on-study-intervention',
      fhirEnd: '',
      consort: [0, 0],
    });
  } finally {
    await own.cleanup();
  }
});

test('a blinded export writes entered text naming an arm [concealed], as the server shows it; unblinded keeps it', () => {
  const p = snapshot.participants.find((x) => x.randomizationNumber !== null)!;
  const term = 'Rash; told by the ward she had TOCILIZUMAB, not placebo';
  const withTerm: TrialSnapshot = {
    ...snapshot,
    adverseEvents: [
      {
        id: 'ae-named',
        participantId: p.id,
        site: p.site,
        term,
        onsetOn: '2026-11-10',
        grade: 1,
        seriousCriteria: [],
        serious: false,
        relatedness: 'possible',
        expectedness: 'expected',
        outcome: 'recovered',
        version: 1,
        recordedBy: 'u',
        recordedAt: '2026-11-10T10:00:00.000Z',
      },
    ],
  };
  const terms = (s: TrialSnapshot) => read(sdtmDomains(s, protocol, loadInstruments()).AE).records.map((r) => r.AETERM);
  assert.deepEqual(terms(withTerm), [term]);
  const blinded = terms(blindSnapshot(withTerm, protocol.arms ?? []));
  assert.deepEqual(blinded, ['Rash; told by the ward she had [concealed], not [concealed]']);
  // The trial's own description (its arms) is not entered text: it stays.
  assert.deepEqual(blindSnapshot(withTerm, protocol.arms ?? []).trial, snapshot.trial);
  // Ids the protocol defines are not text anyone typed: an arm called "day" leaves visit ids such as day-14 alone.
  const dayArm = blindSnapshot(withTerm, [{ id: 'day', label: 'Day' }]);
  assert.deepEqual(
    dayArm.forms.map((f) => f.visit),
    snapshot.forms.map((f) => f.visit),
  );
});

test('SDTM QS, LB and EX: VISITNUM is the visit position in time order (an Expected key of SDTMIG 3.3 QS and LB)', () => {
  const domains = sdtmDomains(snapshot, protocol, loadInstruments());
  const inTime = [...(protocol.visits ?? [])].sort((a, b) => a.day - b.day);
  const numberOf = new Map(inTime.map((v, i) => [v.label, String(i + 1)]));
  for (const domain of ['QS', 'LB', 'EX'] as const) {
    const { header, records } = read(domains[domain]);
    assert.equal(header.indexOf('VISITNUM') + 1, header.indexOf('VISIT'), `${domain}: VISITNUM just before VISIT`);
    assert.ok(records.length > 0, domain);
    for (const r of records) assert.equal(r.VISITNUM, numberOf.get(r.VISIT!), `${domain} ${r.VISIT}`);
  }
  // The baseline visit (day -3 in INSIGHT) comes after screening (day -14): VISITNUM 2.
  assert.equal(numberOf.get(inTime.find((v) => v.id === 'baseline')!.label), '2');
});

test('SDTM TV: the protocol visits as trial design, and every VISITNUM of EX, QS and LB is a TV visit with its VISIT and VISITDY', () => {
  const domains = sdtmDomains(snapshot, protocol, loadInstruments());
  const tv = read(domains.TV);
  assert.deepEqual(tv.header, ['STUDYID', 'DOMAIN', 'VISITNUM', 'VISIT', 'VISITDY', 'ARMCD', 'TVSTRL']);
  assert.equal(tv.records.length, protocol.visits?.length);
  const day7 = tv.records.find((r) => r.VISIT === 'Follow-up 1 (day 7)');
  // Study-day scale (no day 0): the protocol's day 7 is VISITDY 8; the rule in the protocol's own days.
  assert.deepEqual(
    [day7?.VISITNUM, day7?.VISITDY, day7?.ARMCD, day7?.TVSTRL],
    ['4', '8', '', '7 days after the infusion (protocol day 7), window day 5 to day 9'],
  );
  assert.equal(tv.records.find((r) => r.VISITDY === '-14')?.TVSTRL?.startsWith('14 days before the infusion'), true);
  const byNumber = new Map(tv.records.map((r) => [r.VISITNUM, r]));
  for (const domain of ['EX', 'QS', 'LB'] as const) {
    const records = read(domains[domain]).records;
    assert.ok(records.length > 0, domain);
    for (const r of records) {
      const visit = byNumber.get(r.VISITNUM);
      assert.equal(visit?.VISIT, r.VISIT, `${domain} VISITNUM ${r.VISITNUM}`);
      if (r.VISITDY !== undefined) assert.equal(visit?.VISITDY, r.VISITDY, `${domain} VISITDY`);
    }
  }
  // Trial design is reference data in the define, one record per visit rather than per subject.
  const define = sdtmDefine(snapshot, protocol, loadInstruments(), { createdAt: '2026-11-30T12:00:00Z' });
  assert.match(
    define,
    /<ItemGroupDef OID="IG\.TV" Domain="TV" Name="TV" Repeating="No" IsReferenceData="Yes"[^>]*def:Class="TRIAL DESIGN"/,
  );
});

test('SDTM QS and LB: --BLFL (Expected in SDTMIG 3.3) flags the last result of each test on or before the first infusion', () => {
  // The populated trial draws labs after the infusion only: two earlier results of one participant's test are added,
  // at screening and at baseline, and only the later is the baseline.
  const lab = snapshot.labs[0]!;
  const dosedOn = snapshot.doses.find((d) => d.participantId === lab.participantId)!.administeredOn;
  const dayBefore = (date: string, days: number) =>
    new Date(Date.parse(date) - days * 86_400_000).toISOString().slice(0, 10);
  const withPreDose: TrialSnapshot = {
    ...snapshot,
    labs: [
      ...snapshot.labs,
      { ...lab, id: 'lab-screening', collectedOn: dayBefore(dosedOn, 10), visit: 'screening' },
      { ...lab, id: 'lab-baseline', collectedOn: dayBefore(dosedOn, 2), visit: 'baseline' },
    ],
  };
  const domains = sdtmDomains(withPreDose, protocol, loadInstruments());
  const firstDose = new Map(read(domains.DM).records.map((r) => [r.USUBJID!, r.RFXSTDTC!]));
  const lbBaseline = read(domains.LB).records.filter((r) => r.LBBLFL === 'Y');
  assert.deepEqual(
    lbBaseline.map((r) => r.LBDTC),
    [dayBefore(dosedOn, 2)],
  );
  for (const [domain, prefix] of [
    ['QS', 'QS'],
    ['LB', 'LB'],
  ] as const) {
    const { records } = read(domains[domain]);
    const expected = new Map<string, Record<string, string>>();
    for (const r of records) {
      const dose = firstDose.get(r.USUBJID!) ?? '';
      const on = r[`${prefix}DTC`]!;
      if (dose === '' || r[`${prefix}ORRES`] === '' || on > dose) continue;
      const key = `${r.USUBJID} ${r[`${prefix}TESTCD`]}`;
      if (!expected.has(key) || on >= expected.get(key)![`${prefix}DTC`]!) expected.set(key, r);
    }
    const flagged = records.filter((r) => r[`${prefix}BLFL`] === 'Y');
    assert.ok(flagged.length > 0, `${domain}: some baseline records`);
    assert.deepEqual(new Set(flagged), new Set(expected.values()), domain);
    assert.ok(
      records.every((r) => r[`${prefix}BLFL`] === 'Y' || r[`${prefix}BLFL`] === ''),
      domain,
    );
    // Nothing after the first infusion is a baseline.
    assert.ok(
      flagged.every((r) => r[`${prefix}DTC`]! <= firstDose.get(r.USUBJID!)!),
      domain,
    );
  }
});

test('SDTM QS and LB: VISITDY is the planned day on the study-day scale of --DY (no day 0), so an on-time visit has --DY = VISITDY', () => {
  // The protocol counts days from the infusion as day 0 (day-7 is day 7); SDTM study days count it as day 1.
  const dosed = snapshot.doses[0]!;
  const dayAfter = (date: string, days: number) =>
    new Date(Date.parse(date) + days * 86_400_000).toISOString().slice(0, 10);
  const form = snapshot.forms.find((f) => f.participantId === dosed.participantId && f.visit === 'day-7')!;
  const lab = snapshot.labs.find((l) => l.participantId === dosed.participantId)!;
  const onTime: TrialSnapshot = {
    ...snapshot,
    forms: [{ ...form, completedOn: dayAfter(dosed.administeredOn, 7) }],
    labs: [
      { ...lab, id: 'lab-day-7', visit: 'day-7', collectedOn: dayAfter(dosed.administeredOn, 7) },
      { ...lab, id: 'lab-screening', visit: 'screening', collectedOn: dayAfter(dosed.administeredOn, -14) },
    ],
  };
  const domains = sdtmDomains(onTime, protocol, loadInstruments());
  const qs = read(domains.QS).records;
  assert.ok(qs.length > 0);
  for (const r of qs) assert.deepEqual([r.VISITDY, r.QSDY], ['8', '8'], r.QSTESTCD);
  assert.deepEqual(
    read(domains.LB).records.map((r) => [r.VISIT, r.VISITDY, r.LBDY]),
    [
      ['Follow-up 1 (day 7)', '8', '8'],
      ['Eligibility assessment', '-14', '-14'],
    ],
  );
  // No planned day is day 0: the infusion visit (protocol day 0) is study day 1.
  const infusion = protocol.visits!.find((v) => v.dosing)!;
  const atInfusion = read(
    sdtmDomains(
      { ...onTime, labs: [{ ...lab, id: 'lab-infusion', visit: infusion.id, collectedOn: dosed.administeredOn }] },
      protocol,
      loadInstruments(),
    ).LB,
  ).records;
  assert.deepEqual(
    atInfusion.map((r) => [r.VISITDY, r.LBDY]),
    [['1', '1']],
  );
});

test('SDTM AE: AEREL is the causality as text (NOT RELATED, not the store id not-related), from the codelist the define lists', () => {
  const event = snapshot.adverseEvents[0]!;
  const s: TrialSnapshot = {
    ...snapshot,
    adverseEvents: RELATEDNESS.map((relatedness, i) => ({ ...event, id: `ae-${i}`, relatedness })),
  };
  const rows = read(sdtmDomains(s, protocol, loadInstruments()).AE).records;
  assert.deepEqual(
    rows.map((r) => r.AEREL),
    ['NOT RELATED', 'UNLIKELY', 'POSSIBLE', 'PROBABLE', 'DEFINITE'],
  );
  const define = sdtmDefine(s, protocol, loadInstruments(), { createdAt: '2026-11-30T12:00:00Z' });
  const list = /<CodeList OID="CL\.AEREL"[^]*?<\/CodeList>/.exec(define)?.[0] ?? '';
  for (const r of rows) assert.ok(list.includes(`CodedValue="${r.AEREL}"`), r.AEREL);
});

test('SDTM EX: EXENDTC (Expected in SDTMIG 3.3) is the infusion date, the single infusion ending the day it was given', () => {
  const { header, records } = read(sdtmDomains(snapshot, protocol, loadInstruments()).EX);
  assert.equal(header.indexOf('EXENDTC'), header.indexOf('EXSTDTC') + 1);
  assert.equal(records.length, snapshot.doses.length);
  for (const r of records) assert.equal(r.EXENDTC, r.EXSTDTC);
  // DM's last study treatment (RFXENDTC) is the latest EXENDTC, as SDTMIG derives it.
  const dm = new Map(read(sdtmDomains(snapshot, protocol, loadInstruments()).DM).records.map((r) => [r.USUBJID, r]));
  for (const r of records) assert.equal(dm.get(r.USUBJID)?.RFXENDTC, r.EXENDTC);
});

test('SDTM LB: LBNRIND (Expected in SDTMIG 3.3) says LOW, HIGH or NORMAL only where the limits given can say it', () => {
  const lab = snapshot.labs[0]!;
  const s: TrialSnapshot = {
    ...snapshot,
    labs: [
      {
        ...lab,
        id: 'low',
        analyte: 'anc',
        value: 0.8,
        unit: '10*9/L',
        lowerLimitOfNormal: 2,
        upperLimitOfNormal: null,
      },
      {
        ...lab,
        id: 'lln-only',
        analyte: 'anc',
        value: 3,
        unit: '10*9/L',
        lowerLimitOfNormal: 2,
        upperLimitOfNormal: null,
      },
      { ...lab, id: 'high', analyte: 'alt', value: 130, unit: 'U/L', lowerLimitOfNormal: null, upperLimitOfNormal: 40 },
      {
        ...lab,
        id: 'uln-only',
        analyte: 'alt',
        value: 30,
        unit: 'U/L',
        lowerLimitOfNormal: null,
        upperLimitOfNormal: 40,
      },
      {
        ...lab,
        id: 'both',
        analyte: 'platelets',
        value: 250,
        unit: '10*9/L',
        lowerLimitOfNormal: 150,
        upperLimitOfNormal: 400,
      },
      {
        ...lab,
        id: 'edge',
        analyte: 'platelets',
        value: 150,
        unit: '10*9/L',
        lowerLimitOfNormal: 150,
        upperLimitOfNormal: 400,
      },
    ],
  };
  assert.deepEqual(
    read(sdtmDomains(s, protocol, loadInstruments()).LB).records.map((r) => r.LBNRIND),
    ['LOW', '', 'HIGH', '', 'NORMAL', 'NORMAL'],
  );
});

test('analysis CSV: a form entered under another scoring than the outcome (Chalder left on bimodal) is scored again from its answers', () => {
  const cfq = loadInstruments().get('chalder-fatigue')!;
  const first = snapshot.participants.find((p) => p.randomizationNumber !== null)!;
  const template = snapshot.forms.find((f) => f.participantId === first.id && f.visit === 'baseline')!;
  // Every item answered 2: the Likert total is 22, the bimodal one 11.
  const answers = Object.fromEntries(cfq.items.map((i) => [String(i.number), 2]));
  const chalder = (visit: string, scoring: string) => {
    const score = scoreInstrument(cfq, answers, scoring);
    return { ...template, id: `cfq-${visit}`, visit, instrument: cfq.id, scoring: score.scoring, answers, score };
  };
  const s: TrialSnapshot = {
    ...snapshot,
    forms: [
      ...snapshot.forms,
      chalder('baseline', 'bimodal'),
      chalder('day-14', 'bimodal'),
      chalder('day-7', 'likert'),
    ],
  };
  const out = analysisCsv(s, protocol, loadInstruments(), pathway, 'chalder-fatigue-likert');
  const rows = read(out.csv).records.filter((r) => r.subject === participantSubjid(first));
  assert.deepEqual(
    rows.map((r) => [r.visit, r.outcome, r.baseline]),
    [
      ['7', '22', '22'],
      ['14', '22', '22'],
      ['28', '', '22'],
    ],
  );
  assert.equal(out.rescored, 2);
});

test("SDTM LB: LBCAT is the test's category, HEMATOLOGY for the counts and CHEMISTRY for the liver enzymes", () => {
  const lab = snapshot.labs[0]!;
  const s: TrialSnapshot = {
    ...snapshot,
    labs: LAB_ANALYTES.map((analyte, i) => ({
      ...lab,
      id: `lab-${i}`,
      analyte,
      unit: analyte === 'anc' || analyte === 'platelets' ? '10*9/L' : 'U/L',
    })),
  };
  assert.deepEqual(
    read(sdtmDomains(s, protocol, loadInstruments()).LB).records.map((r) => [r.LBTESTCD, r.LBCAT]),
    [
      ['NEUT', 'HEMATOLOGY'],
      ['PLAT', 'HEMATOLOGY'],
      ['ALT', 'CHEMISTRY'],
      ['AST', 'CHEMISTRY'],
    ],
  );
});

test('FHIR: an enrolled participant awaiting randomization is on-study (R4: enrolled or registered), not pending-on-study', () => {
  const p = snapshot.participants.find((x) => x.randomizationNumber !== null)!;
  const s: TrialSnapshot = {
    ...snapshot,
    participants: snapshot.participants.map((x) =>
      x.id === p.id ? { ...x, status: 'enrolled', randomizationNumber: null, kitCode: null } : x,
    ),
    allocations: snapshot.allocations.filter((a) => a.participantId !== p.id),
    randomizations: snapshot.randomizations.filter((r) => r.participantId !== p.id),
    doses: snapshot.doses.filter((d) => d.participantId !== p.id),
  };
  const subject = fhirResearchBundle(s, protocol).entry?.find((e) => e.resource?.id === p.id)?.resource as
    { status?: string } | undefined;
  assert.equal(subject?.status, 'on-study');
});

test('SDTM keys (define.xml KeySequence) identify every record: a lab repeated the same day, two same-day events of one term', () => {
  const lab = snapshot.labs[0]!;
  const ae = snapshot.adverseEvents[0]!;
  const repeated: TrialSnapshot = {
    ...snapshot,
    // An ANC drawn again the same day (the pre-dose clearance reads both); a second episode beginning the same day.
    labs: [...snapshot.labs, { ...lab, id: 'repeat', value: lab.value + 0.6 }],
    adverseEvents: [...snapshot.adverseEvents, { ...ae, id: 'again', grade: 1 }],
  };
  const d = sdtmDomains(repeated, protocol, loadInstruments());
  for (const domain of SDTM_DOMAINS) {
    const { keys } = SDTM_DATASETS[domain];
    const records = read(d[domain]).records;
    const seen = new Set(records.map((r) => keys.map((k) => r[k]).join('\u0000')));
    assert.equal(seen.size, records.length, `${domain}: ${keys.join(', ')} identify every record`);
  }
  const define = sdtmDefine(repeated, protocol, loadInstruments(), { createdAt: '2026-11-30T12:00:00Z' });
  assert.match(define, /<ItemRef ItemOID="IT\.LB\.LBSEQ" OrderNumber="\d+" Mandatory="Yes" KeySequence="6"/);
  assert.match(define, /<ItemRef ItemOID="IT\.AE\.AESEQ" OrderNumber="\d+" Mandatory="Yes" KeySequence="5"/);
});

test('SDTM TS: a value over 200 characters continues in TSVAL1 ... TSVALn, split at words, declared in define.xml', () => {
  const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
  const long: TrialProtocol = { ...protocol, title: words.join(' ') };
  const ts = read(sdtmDomains(snapshot, long, loadInstruments()).TS);
  assert.deepEqual(ts.header.slice(4, 9), ['TSPARM', 'TSVAL', 'TSVAL1', 'TSVAL2', 'TSVALCD']);
  const title = ts.records.find((r) => r.TSPARMCD === 'TITLE')!;
  const pieces = [title.TSVAL!, title.TSVAL1!, title.TSVAL2!];
  assert.ok(
    pieces.every((p) => p.length > 0 && p.length <= 200),
    pieces.map((p) => p.length).join(),
  );
  assert.equal(pieces.join(' '), long.title, 'split at word boundaries, nothing lost');
  assert.ok(pieces.every((p) => !p.startsWith(' ') && !p.endsWith(' ')));
  const regid = ts.records.find((r) => r.TSPARMCD === 'REGID')!;
  assert.deepEqual(
    [regid.TSVAL, regid.TSVAL1, regid.TSVAL2, regid.TSVALCD],
    ['ISRCTN16942542', '', '', 'ISRCTN16942542'],
  );
  const define = sdtmDefine(snapshot, long, loadInstruments(), { createdAt: '2026-12-05T09:00:00Z' });
  assert.match(define, /<ItemRef ItemOID="IT\.TS\.TSVAL1" OrderNumber="7" Mandatory="No"/);
  assert.match(define, /<ItemDef OID="IT\.TS\.TSVAL2" Name="TSVAL2" DataType="text" Length="\d+"/);
  assert.match(define, /<ItemRef ItemOID="IT\.TS\.TSVALCD" OrderNumber="9"/);
  // A title within 200 characters: no continuation columns.
  assert.ok(!read(sdtmDomains(snapshot, protocol, loadInstruments()).TS).header.includes('TSVAL1'));
});
