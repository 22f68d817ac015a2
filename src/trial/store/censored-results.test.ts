/**
 * A result the laboratory reports beyond its assay's limits ("<5" U/L, "<0.2" mg/L, ">1000") is entered as such:
 * stored as entered, graded and ruled on only where every value it allows agrees (never a confident grade where it
 * is ambiguous), stratified only when it lies in one band, and exported as reported (SDTM LBORRES "<5", LBSTRESN
 * empty; the analysis CSV's biomarker "<0.2", which trd analyze reads as a limit). SQLite store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { loadInstruments } from '../../instruments/load.ts';
import { analysisCsv, sdtmDomains } from '../exports/index.ts';
import { preDoseClearance } from '../pre-dose.ts';
import { as, enrolOne, initTrial, randomizeAndInfuse, sqliteFactory } from './stores.test-support.ts';
import { loadKnowledge } from '../../knowledge/load.ts';

const pathway = loadKnowledge().pathway;

test('censored lab results: stored as entered, graded only where unambiguous, kept from pre-dose clearance, exported as reported', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const id = await enrolOne(store, protocol, 'CENS-1', 'A');
    const ctx = as('coordinator', 'A', 'lab entry');
    const lab = (
      analyte: string,
      value: number,
      comparator: '<' | '>' | null,
      limits: [number | null, number | null],
    ) =>
      store.addLab(ctx, {
        participantId: id,
        visit: 'baseline',
        analyte,
        value,
        comparator,
        unit: analyte === 'alt' || analyte === 'ast' ? 'U/L' : '10*9/L',
        lowerLimitOfNormal: limits[0],
        upperLimitOfNormal: limits[1],
        collectedOn: '2026-11-04',
      });
    // ALT "<5" U/L (ULN 40): below the ULN whatever it is: grade 0, no rule.
    const { lab: alt } = await lab('alt', 5, '<', [7, 40]);
    assert.equal(alt.comparator, '<');
    assert.deepEqual([alt.assessment.grade, alt.assessment.action], [0, 'continue']);
    // ANC "<1.0": grade 3 or 4, a hold or a stop: neither is given; the rules are undecided, and no alert is raised.
    const { lab: anc, alerts } = await lab('anc', 1.0, '<', [2, null]);
    assert.deepEqual([anc.assessment.grade, anc.assessment.action], [null, 'unknown']);
    assert.ok(anc.assessment.issues.some((i) => i.code === 'safety.lab.censored'));
    assert.equal(alerts.length, 0);
    const [stored] = (await store.listLabs({ participantId: id })).filter((l) => l.analyte === 'anc');
    assert.equal(stored?.comparator, '<', 'read back as entered');
    // Before the infusion it clears nothing: the ANC's verdict is undecided.
    const clearance = preDoseClearance(protocol, await store.listLabs({ participantId: id }), null);
    assert.equal(clearance.cleared, false);
    assert.equal(clearance.analytes.find((a) => a.analyte === 'anc')?.action, 'unknown');
    // A limit of 0 is no censored result.
    await assert.rejects(lab('ast', 0, '<', [7, 40]), /a censored result's limit must be above 0/);
    // Repeated for a value: the correction drops the comparator, and the result is graded (and alerted) as measured.
    const fixed = await store.correctLab(as('coordinator', 'A', 'repeated for a value'), anc.id, {
      value: 0.8,
      comparator: null,
    });
    assert.deepEqual([fixed.lab.comparator, fixed.lab.assessment.action], [null, 'hold']);
    const { lab: plt } = await lab('platelets', 50, '<', [150, 400]);
    await randomizeAndInfuse(store, ctx, id);
    const snapshot = await store.snapshot();
    const rows = parse(sdtmDomains(snapshot, protocol, loadInstruments()).LB, { columns: true }) as Record<
      string,
      string
    >[];
    const row = (seq: number) => rows.find((r) => r.LBSEQ === String(seq))!;
    const altRow = row(snapshot.labs.findIndex((l) => l.id === alt.id) + 1);
    assert.deepEqual(
      [altRow.LBORRES, altRow.LBORRESU, altRow.LBSTRESC, altRow.LBSTRESN, altRow.LBNRIND, altRow.LBTOXGR],
      ['<5', 'U/L', '<5', '', 'LOW', '0'],
    );
    // "<50" against 150-400 is LOW whatever it is; a platelet count censored at 50 is grade 3 or 4: no grade.
    const pltRow = row(snapshot.labs.findIndex((l) => l.id === plt.id) + 1);
    assert.deepEqual([pltRow.LBORRES, pltRow.LBSTRESN, pltRow.LBNRIND, pltRow.LBTOXGR], ['<50', '', 'LOW', '']);
  } finally {
    await opened.cleanup();
  }
});

test('a censored baseline hs-CRP is stratified only when every value it allows lies in one band', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const protocol = await initTrial(store);
    const ctx = as('coordinator', 'A');
    const lowId = await enrolOne(store, protocol, 'CRP-LOW', 'A', 1.2);
    const enrolled = await store.getParticipant(lowId);
    // "<0.2" mg/L (below the hs assay's limit) is below the 3 mg/L cut: the low band.
    const corrected = await store.correctEnrolment(as('coordinator', 'A', 'reported as <0.2'), lowId, {
      baselineCrp: { value: 0.2, unit: 'mg/L', comparator: '<' },
    });
    assert.deepEqual(corrected.baselineCrp, { value: 0.2, unit: 'mg/L', comparator: '<' });
    assert.deepEqual(corrected.strata, enrolled?.strata);
    // "<5" may be either side of 3 mg/L: no band is guessed.
    await assert.rejects(
      store.correctEnrolment(as('coordinator', 'A', 'reported as <5'), lowId, {
        baselineCrp: { value: 5, unit: 'mg/L', comparator: '<' },
      }),
      /baseline hs-CRP <5 mg\/L is censored and may fall in more than one band of factor crp/,
    );
    await randomizeAndInfuse(store, ctx, lowId);
    const csv = analysisCsv(await store.snapshot(), protocol, loadInstruments(), pathway).csv;
    const [row] = parse(csv, { columns: true }) as Record<string, string>[];
    assert.deepEqual([row?.crp_mg_per_l, row?.crp_as_entered, row?.crp_unit_as_entered], ['<0.2', '<0.2', 'mg/L']);
  } finally {
    await opened.cleanup();
  }
});
