import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BundleBuilder, code, ucum } from '../../test/support/bundle-builder.ts';
import { loadKnowledge } from '../knowledge/load.ts';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import {
  AS_OF,
  criterion,
  depressedPatient,
  match,
  matchOne,
  protocol,
  seedRecord,
  trials,
} from './fixtures.test-support.ts';
import { matchTrials } from './match.ts';
import type { Observation } from '@medplum/fhirtypes';
import type { TrialMatchResult } from './result.ts';
import type { TrialProtocol } from './schema.ts';

const daysBefore = (n: number): string => fromDayNumber((toDayNumber(AS_OF) ?? 0) - n);
const hsCrp = (mgPerL: number, date = daysBefore(10)) => ({
  code: code('loinc', '30522-7', 'hs-CRP'),
  date,
  quantity: ucum(mgPerL, 'mg/L'),
});
const SERTRALINE = code('rxnorm', '36437', 'sertraline');
const ESCITALOPRAM = code('rxnorm', '321988', 'escitalopram');

describe('the seed vignette (2 adequate trials, hs-CRP 7 mg/L)', () => {
  const [brazil] = matchTrials(seedRecord(), trials.knowledge, [protocol('nct07052058')], { asOf: '2026-11-27' });
  it('meets the TRD and CRP criteria of NCT07052058 and is eligible or needs only data', () => {
    assert.ok(brazil);
    assert.equal(criterion(brazil, 'nct07052058-in-trd').status, 'met');
    assert.equal(criterion(brazil, 'nct07052058-in-hscrp').status, 'met');
    assert.ok(brazil.verdict === 'eligible' || brazil.verdict === 'needs-data', brazil.summary);
    assert.deepEqual(brazil.failed, []);
  });
  it('carries the schema, protocol id and version, and a citation per criterion', () => {
    assert.ok(brazil);
    assert.equal(brazil.schema, 'precision-trd/trial-match@1');
    assert.deepEqual([brazil.trial.id, brazil.trial.version], ['nct07052058', '1.1.0']);
    for (const c of brazil.criteria) assert.ok(c.citation.length > 0, c.id);
    assert.deepEqual(criterion(brazil, 'nct07052058-in-hscrp').evidence, ['Observation/seed-hscrp']);
    assert.equal(brazil.citations['nct07052058-registry']?.tag, 'V-sec');
    assert.equal(brazil.citations['actemra-us-pi-5.2']?.tag, 'V');
  });
});

describe('two definitions kept apart: one current antidepressant is not TRD', () => {
  // Sertraline 100 mg/day for 35 days (5 weeks), ongoing; no other antidepressant.
  const patient = () =>
    depressedPatient()
      .medicationStatement({
        id: 'sertraline-now',
        code: SERTRALINE,
        status: 'active',
        start: daysBefore(34),
        dose: { value: 100, unit: 'mg' },
      })
      .observation(hsCrp(5));
  it("meets INSIGHT's current-adequate-antidepressant criterion and says which definition it used", () => {
    const c = criterion(matchOne(patient(), 'insight'), 'insight-in-antidepressant');
    assert.equal(c.status, 'met');
    assert.match(c.reason, /sertraline 100 mg\/day for 35 days/);
    assert.match(c.reason, /not the TRD definition \(0 adequate trials by that one\)/);
    assert.deepEqual(c.evidence, ['MedicationStatement/sertraline-now']);
    // Six weeks of it make one adequate trial by the TRD definition: said in the singular.
    const sixWeeks = depressedPatient().medicationStatement({
      code: SERTRALINE,
      status: 'active',
      start: daysBefore(60),
      dose: { value: 100, unit: 'mg' },
    });
    const one = criterion(matchOne(sixWeeks, 'insight'), 'insight-in-antidepressant');
    assert.match(one.reason, /not the TRD definition \(1 adequate trial by that one\)/);
    assert.equal(c.verified, false, 'BNF adequacy is unverified');
  });
  it("does NOT meet NCT07052058's TRD criterion, which makes the patient ineligible", () => {
    const result = matchOne(patient(), 'nct07052058');
    const c = criterion(result, 'nct07052058-in-trd');
    assert.equal(c.status, 'not-met');
    assert.match(c.reason, /0 adequate trials; care-pathway TRD definition: >= 2 adequate trials/);
    assert.equal(result.verdict, 'ineligible');
    assert.deepEqual(result.failed, ['nct07052058-in-trd']);
    // The summary (the page, the patient-view card, trd match) names the criterion by its wording, not its id.
    assert.equal(
      result.summary,
      'Not eligible for NCT07052058: inclusion "Resistant to at least two adequate courses of treatment" (0 adequate trials; care-pathway TRD definition: >= 2 adequate trials)',
    );
  });
  it('a TRD count resting on an unverified minimum dose (moclobemide, [U]) is flagged unverified', () => {
    const b = depressedPatient()
      .medicationStatement({
        code: SERTRALINE,
        start: '2025-01-01',
        end: '2025-03-31',
        dose: { value: 100, unit: 'mg' },
      })
      .medicationStatement({
        code: { system: 'http://www.whocc.no/atc', code: 'N06AG02', display: 'moclobemide' },
        start: '2025-05-01',
        end: '2025-07-31',
        dose: { value: 300, unit: 'mg' },
      });
    const c = criterion(matchOne(b, 'nct07052058'), 'nct07052058-in-trd');
    assert.equal(c.status, 'met');
    assert.equal(c.verified, false);
    assert.match(c.unverifiedNotes.join(' '), /moclobemide/);
  });
  it('a current antidepressant for 27 days (under 4 weeks) fails INSIGHT; a sub-minimum dose too', () => {
    const short = depressedPatient().medicationStatement({
      code: SERTRALINE,
      status: 'active',
      start: daysBefore(26),
      dose: { value: 100, unit: 'mg' },
    });
    assert.equal(criterion(matchOne(short, 'insight'), 'insight-in-antidepressant').status, 'not-met');
    const low = depressedPatient().medicationStatement({
      code: SERTRALINE,
      status: 'active',
      start: daysBefore(60),
      dose: { value: 25, unit: 'mg' },
    });
    assert.equal(criterion(matchOne(low, 'insight'), 'insight-in-antidepressant').status, 'not-met');
    // NCT07493317 asks only for a current antidepressant >= 4 weeks, at any dose.
    assert.equal(criterion(matchOne(low, 'nct07493317'), 'nct07493317-in-antidepressant').status, 'met');
  });
  it('exactly 28 days at adequate dose meets INSIGHT (>= 4 weeks, inclusive day count)', () => {
    const b = depressedPatient().medicationStatement({
      code: ESCITALOPRAM,
      status: 'active',
      start: daysBefore(27),
      dose: { value: 10, unit: 'mg' },
    });
    assert.equal(criterion(matchOne(b, 'insight'), 'insight-in-antidepressant').status, 'met');
  });
  it('no current antidepressant in the record is unknown (ask), not a confident no', () => {
    const c = criterion(matchOne(depressedPatient(), 'insight'), 'insight-in-antidepressant');
    assert.equal(c.status, 'unknown');
    assert.match(c.collect ?? '', /current antidepressant/);
  });
});

describe('NCT07493317 monocytes >= 500 cells/uL', () => {
  const monocytes = (value: number, unit: string) =>
    depressedPatient().observation({
      id: 'mono',
      code: code('loinc', '742-7', 'Monocytes'),
      date: daysBefore(5),
      quantity: ucum(value, unit),
    });
  it('450 /uL is not met and makes the patient ineligible', () => {
    const result = matchOne(monocytes(450, '/uL'), 'nct07493317');
    assert.equal(criterion(result, 'nct07493317-in-monocytes').status, 'not-met');
    assert.equal(result.verdict, 'ineligible');
    assert.ok(result.failed.includes('nct07493317-in-monocytes'));
  });
  it('500 /uL and 0.5 x10^9/L (converted) are met; 0.45 x10^9/L is not', () => {
    assert.equal(criterion(matchOne(monocytes(500, '/uL'), 'nct07493317'), 'nct07493317-in-monocytes').status, 'met');
    const si = criterion(matchOne(monocytes(0.5, '10*9/L'), 'nct07493317'), 'nct07493317-in-monocytes');
    assert.equal(si.status, 'met');
    assert.match(si.reason, /500 \/uL \(reported 0.5 10\*9\/L\)/);
    assert.equal(
      criterion(matchOne(monocytes(0.45, '10*9/L'), 'nct07493317'), 'nct07493317-in-monocytes').status,
      'not-met',
    );
  });
  it('a unit laboratories write ("K/uL") is read by the pathway\'s unit labels, and rests on them while unverified', () => {
    const c = criterion(matchOne(monocytes(0.6, 'K/uL'), 'nct07493317'), 'nct07493317-in-monocytes');
    assert.equal(c.status, 'met');
    assert.match(
      c.reason,
      /600 \/uL \(reported 0.6 K\/uL\) \(unit 'K\/uL' read as 10\*3\/uL by the pathway's unit labels \[U\]\)/,
    );
    assert.equal(c.verified, false);
    assert.ok(c.unverifiedNotes.some((n) => n.startsWith('unit labels (definitions.unitLabels): ')));
  });
  it('a safety result read by an unverified unit label makes the exclusion that rules out with it rest on the labels', () => {
    const b = depressedPatient().observation({
      id: 'anc',
      code: code('loinc', '751-8', 'Neutrophils'),
      date: daysBefore(5),
      quantity: ucum(3.8, 'K/uL'),
    });
    const c = criterion(matchOne(b, 'nct07493317'), 'nct07493317-ex-label-safety');
    assert.match(c.reason, /work-up: absolute neutrophil count 3.8 x10\^9\/L/);
    assert.ok(c.unverifiedNotes.some((n) => n.startsWith('unit labels (definitions.unitLabels): ')));
  });
  it('a unit that cannot be converted leaves it unknown, asking for the count', () => {
    const c = criterion(matchOne(monocytes(500, 'mg/dL'), 'nct07493317'), 'nct07493317-in-monocytes');
    assert.equal(c.status, 'unknown');
    assert.match(c.collect ?? '', /monocyte count/);
  });
});

describe('trial thresholds read "most recent" as the pathway does (definition 5)', () => {
  const monocyteResults = (results: { id: string; value: number; date: string }[]) => {
    const b = depressedPatient();
    for (const r of results)
      b.observation({
        id: r.id,
        code: code('loinc', '742-7', 'Monocytes'),
        date: r.date,
        quantity: ucum(r.value, '/uL'),
      });
    return criterion(matchOne(b, 'nct07493317'), 'nct07493317-in-monocytes');
  };
  it('two same-day results on either side of the threshold leave it unknown, whatever their ids', () => {
    const day = daysBefore(5);
    for (const [a, b] of [
      [450, 600],
      [600, 450],
    ] as const) {
      const c = monocyteResults([
        { id: 'mono-a', value: a, date: day },
        { id: 'mono-b', value: b, date: day },
      ]);
      assert.equal(c.status, 'unknown', `${a} then ${b}`);
      assert.match(c.reason, /2 monocyte count results on .* disagree/);
      assert.deepEqual([...c.evidence].sort(), ['Observation/mono-a', 'Observation/mono-b']);
    }
  });
  it('a result or score just older than the window is named, not "No ..." alone; it still decides nothing', () => {
    const old = monocyteResults([{ id: 'mono-old', value: 900, date: daysBefore(91) }]);
    assert.equal(old.status, 'unknown');
    assert.equal(
      old.reason,
      `No monocyte count in the last 90 days (the most recent, Observation/mono-old on ${daysBefore(91)}, is older)`,
    );
    const bdi = depressedPatient().questionnaireResponse({
      id: 'bdi-old',
      questionnaire: 'http://precision-trd.org/fhir/Questionnaire/bdi-ii',
      authored: daysBefore(29),
      answers: Object.fromEntries([4, 15, 16, 18, 19, 20, 21, 9].map((item) => [`bdi2-${item}`, 1])),
    });
    const somatic = criterion(matchOne(bdi, 'insight'), 'insight-in-somatic-score');
    assert.equal(somatic.status, 'unknown');
    assert.equal(
      somatic.reason,
      `No BDI-II in the last 28 days (the most recent, QuestionnaireResponse/bdi-old on ${daysBefore(29)}, is older)`,
    );
    assert.deepEqual(somatic.evidence, []);
  });
  it('same-day results that agree settle it; times on one day order them', () => {
    const day = daysBefore(5);
    const agree = monocyteResults([
      { id: 'mono-a', value: 520, date: day },
      { id: 'mono-b', value: 700, date: day },
    ]);
    assert.equal(agree.status, 'met');
    // The reason gives every result it rests on, not the first alone (the evidence cites both).
    assert.match(agree.reason, /2 monocyte count results on .* agree: .*520 .*; .*700 /);
    assert.deepEqual([...agree.evidence].sort(), ['Observation/mono-a', 'Observation/mono-b']);
    const timed = monocyteResults([
      { id: 'mono-a', value: 700, date: `${day}T08:00:00Z` },
      { id: 'mono-b', value: 450, date: `${day}T15:00:00Z` },
    ]);
    assert.equal(timed.status, 'not-met', 'the afternoon result is the most recent');
  });
  it('two same-day BDI-II responses that disagree on the somatic score leave it unknown', () => {
    const somatic = (value: number) =>
      Object.fromEntries([4, 15, 16, 18, 19, 20, 21].map((item) => [`bdi2-${item}`, item === 4 ? value : 1]));
    const b = depressedPatient()
      .questionnaireResponse({
        id: 'bdi-a',
        questionnaire: 'http://precision-trd.org/fhir/Questionnaire/bdi-ii',
        authored: daysBefore(7),
        answers: somatic(3),
      })
      .questionnaireResponse({
        id: 'bdi-b',
        questionnaire: 'http://precision-trd.org/fhir/Questionnaire/bdi-ii',
        authored: daysBefore(7),
        answers: somatic(0),
      });
    const c = criterion(matchOne(b, 'insight'), 'insight-in-somatic-score');
    assert.equal(c.status, 'unknown');
    assert.match(c.reason, /2 BDI-II readings on .* disagree/);
  });
});

describe('NCT07493317 SHAPS >= 20 (14-56 scoring)', () => {
  /** 14 items scored 1-4; `total` chosen by raising the first items. */
  const shapsItems = (total: number): Record<string, number> => {
    const answers: Record<string, number> = {};
    let extra = total - 14;
    for (let i = 1; i <= 14; i++) {
      const add = Math.min(3, extra);
      extra -= add;
      answers[`shaps-${i}`] = 1 + add;
    }
    return answers;
  };
  const shaps = (answers: Record<string, number>) =>
    depressedPatient().questionnaireResponse({
      id: 'shaps',
      questionnaire: 'http://precision-trd.org/fhir/Questionnaire/shaps',
      authored: daysBefore(3),
      answers,
    });
  it('19 is not met, 20 is met', () => {
    const c19 = criterion(matchOne(shaps(shapsItems(19)), 'nct07493317'), 'nct07493317-in-shaps');
    assert.equal(c19.status, 'not-met');
    assert.match(c19.reason, /SHAPS total .*= 19/);
    const c20 = criterion(matchOne(shaps(shapsItems(20)), 'nct07493317'), 'nct07493317-in-shaps');
    assert.equal(c20.status, 'met');
    assert.deepEqual(c20.evidence, ['QuestionnaireResponse/shaps']);
  });
  it('items scored 0-1 (original scoring) are not read as 14-56', () => {
    const original = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`shaps-${i + 1}`, i < 5 ? 1 : 0]));
    const c = criterion(matchOne(shaps(original), 'nct07493317'), 'nct07493317-in-shaps');
    assert.equal(c.status, 'unknown');
    assert.match(c.reason, /outside 1-4/);
  });
  it('a total Observation counts only in the 14-56 scoring', () => {
    const total = (codeValue: string, value: number) =>
      depressedPatient().observation({
        code: { system: 'http://precision-trd.org/fhir/CodeSystem/scales', code: codeValue },
        date: daysBefore(2),
        quantity: ucum(value, '{score}'),
      });
    assert.equal(
      criterion(matchOne(total('shaps-total-likert', 20), 'nct07493317'), 'nct07493317-in-shaps').status,
      'met',
    );
    assert.equal(
      criterion(matchOne(total('shaps-total-original', 9), 'nct07493317'), 'nct07493317-in-shaps').status,
      'unknown',
    );
  });
  it('a missing item leaves 17 answered points undecided, but 20 answered points already settle it', () => {
    const partial = (total: number) => {
      const a = shapsItems(total);
      delete a['shaps-14'];
      return a;
    };
    assert.equal(criterion(matchOne(shaps(partial(18)), 'nct07493317'), 'nct07493317-in-shaps').status, 'unknown');
    assert.equal(criterion(matchOne(shaps(partial(21)), 'nct07493317'), 'nct07493317-in-shaps').status, 'met');
  });
});

describe('INSIGHT BDI-II somatic score and suicidal thoughts', () => {
  const bdi = (scores: Record<number, number>) =>
    depressedPatient().questionnaireResponse({
      id: 'bdi',
      questionnaire: 'http://precision-trd.org/fhir/Questionnaire/bdi-ii',
      authored: daysBefore(7),
      answers: Object.fromEntries(Object.entries(scores).map(([item, score]) => [`bdi2-${item}`, score])),
    });
  const somatic = (values: number[], extra: Record<number, number> = {}) =>
    bdi({ ...Object.fromEntries([4, 15, 16, 18, 19, 20, 21].map((item, i) => [item, values[i] ?? 0])), ...extra });
  it('items 4, 15, 16, 18, 19, 20, 21 summing to 7 meet it; 6 does not', () => {
    const met = criterion(
      matchOne(somatic([1, 1, 1, 1, 1, 1, 1], { 1: 3, 2: 3 }), 'insight'),
      'insight-in-somatic-score',
    );
    assert.equal(met.status, 'met');
    assert.match(met.reason, /= 7/);
    assert.equal(
      criterion(matchOne(somatic([1, 1, 1, 1, 1, 1, 0], { 1: 3, 9: 0 }), 'insight'), 'insight-in-somatic-score').status,
      'not-met',
    );
  });
  it('BDI-II item 9 > 0 is a met exclusion (ineligible); item 9 = 0 rules it out', () => {
    const result = matchOne(somatic([2, 2, 2, 2, 2, 2, 2], { 9: 1 }), 'insight');
    assert.equal(criterion(result, 'insight-ex-suicidal-thoughts').status, 'met');
    assert.equal(result.verdict, 'ineligible');
    assert.equal(
      criterion(matchOne(somatic([2, 2, 2, 2, 2, 2, 2], { 9: 0 }), 'insight'), 'insight-ex-suicidal-thoughts').status,
      'not-met',
    );
  });
  it('PHQ-9 item 9 > 0 also excludes, even when BDI-II item 9 is 0', () => {
    const b = somatic([2, 2, 2, 2, 2, 2, 2], { 9: 0 }).questionnaireResponse({
      questionnaire: 'http://loinc.org/q/44249-1',
      authored: daysBefore(1),
      answers: { '44260-8': 2 },
    });
    assert.equal(criterion(matchOne(b, 'insight'), 'insight-ex-suicidal-thoughts').status, 'met');
  });
  it('a BDI-II or PHQ-9 recorded only as a total is named as such, never "No BDI-II"; items on file still decide', () => {
    const total = (b: ReturnType<typeof depressedPatient>, system: string, codeValue: string, value: number) =>
      b.observation({
        id: codeValue,
        code: { system, code: codeValue },
        date: daysBefore(2),
        quantity: ucum(value, '{score}'),
      });
    const scales = 'http://precision-trd.org/fhir/CodeSystem/scales';
    const result = matchOne(total(depressedPatient(), scales, 'bdi2-total', 30), 'insight');
    const somaticScore = criterion(result, 'insight-in-somatic-score');
    assert.equal(somaticScore.status, 'unknown');
    assert.match(
      somaticScore.reason,
      /BDI-II items 4, .* on \d{4}-\d{2}-\d{2}: only a total score is recorded, not the items/,
    );
    assert.deepEqual(somaticScore.evidence, ['Observation/bdi2-total']);
    assert.match(somaticScore.collect ?? '', /BDI-II items 4, 15, 16, 18, 19, 20, 21 \(within 28 days\)/);
    // A PHQ-9 total of 14 may hide a positive item 9: the suicidal-thoughts exclusion asks for the item.
    const phq = total(somatic([2, 2, 2, 2, 2, 2, 2], { 9: 0 }), 'http://loinc.org', '44261-6', 14);
    const suicidal = criterion(matchOne(phq, 'insight'), 'insight-ex-suicidal-thoughts');
    assert.equal(suicidal.status, 'unknown');
    assert.match(suicidal.reason, /PHQ-9 item 9 on .*: only a total score is recorded/);
    // A total newer than an item-level response carries no item: the response still decides.
    const both = criterion(
      matchOne(total(somatic([1, 1, 1, 1, 1, 1, 1], { 9: 0 }), scales, 'bdi2-total', 30), 'insight'),
      'insight-in-somatic-score',
    );
    assert.equal(both.status, 'met');
    assert.deepEqual(both.evidence, ['QuestionnaireResponse/bdi']);
  });
  it('no scale at all leaves both unknown, naming the items to collect', () => {
    const result = matchOne(depressedPatient(), 'insight');
    assert.equal(criterion(result, 'insight-in-somatic-score').status, 'unknown');
    assert.match(criterion(result, 'insight-in-somatic-score').collect ?? '', /BDI-II items 4, 15, 16, 18, 19, 20, 21/);
    assert.equal(criterion(result, 'insight-ex-suicidal-thoughts').status, 'unknown');
  });
});

describe('scale items and lab results recorded as Observations of every shape', () => {
  const SCALES = 'http://precision-trd.org/fhir/CodeSystem/scales';
  /** The patient's bundle with extra raw Observations (shapes the builder does not make: panels, bare codes). */
  const withObservations = (...observations: Record<string, unknown>[]): TrialMatchResult[] => {
    const builder = depressedPatient();
    const patient = builder.build().entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource;
    observations.forEach((o, i) =>
      builder.raw({
        resourceType: 'Observation',
        id: `obs-${i}`,
        status: 'final',
        subject: { reference: `Patient/${patient?.id ?? ''}` },
        effectiveDateTime: daysBefore(2),
        ...o,
      } as Observation),
    );
    return match(builder, [protocol('insight'), protocol('nct07493317')]);
  };
  const insight = (results: TrialMatchResult[], id: string) => criterion(results[0] as TrialMatchResult, id);
  /** An item-coded result; `system` null for a bare code with no system. */
  const item = (codeValue: string, score: number, system: string | null = SCALES) => ({
    code: { coding: [system === null ? { code: codeValue } : { system, code: codeValue }] },
    valueInteger: score,
  });

  it('one Observation per BDI-II item on one day makes one reading', () => {
    const somatic = [4, 15, 16, 18, 19, 20, 21].map((n) => item(`bdi2-${n}`, 1));
    const c = insight(withObservations(...somatic, item('bdi2-9', 0)), 'insight-in-somatic-score');
    assert.equal(c.status, 'met');
    assert.match(c.reason, /= 7/);
    assert.equal(c.evidence.length, 1);
  });
  it('a PHQ-9 panel whose item 9 is a component is read; so is a bare LOINC item code with no system', () => {
    const panel = {
      code: { coding: [{ system: 'http://loinc.org', code: '44249-1' }] },
      component: [{ ...item('44260-8', 2, 'http://loinc.org') }],
    };
    assert.equal(insight(withObservations(panel), 'insight-ex-suicidal-thoughts').status, 'met');
    assert.equal(insight(withObservations(item('44260-8', 1, null)), 'insight-ex-suicidal-thoughts').status, 'met');
    assert.equal(insight(withObservations(item('44260-8', 0, null)), 'insight-ex-suicidal-thoughts').status, 'not-met');
  });
  it('a lab threshold reads an Observation by its own code, never by a component code', () => {
    const monocytes = (value: number) => ({
      value,
      unit: 'cells/uL',
      system: 'http://unitsofmeasure.org',
      code: '/uL',
    });
    const panel = {
      code: { coding: [{ system: 'http://loinc.org', code: '58410-2', display: 'CBC panel' }] },
      valueQuantity: monocytes(900),
      component: [{ code: { coding: [{ system: 'http://loinc.org', code: '742-7' }] }, valueQuantity: monocytes(900) }],
    };
    const [, sinai] = withObservations(panel);
    assert.equal(criterion(sinai as TrialMatchResult, 'nct07493317-in-monocytes').status, 'unknown');
    const [, coded] = withObservations({
      code: { coding: [{ system: 'http://loinc.org', code: '742-7' }] },
      valueQuantity: monocytes(600),
    });
    assert.equal(criterion(coded as TrialMatchResult, 'nct07493317-in-monocytes').status, 'met');
  });
});

describe('CRP criteria', () => {
  it('missing CRP -> needs-data naming hs-CRP', () => {
    const b = depressedPatient()
      .medicationStatement({
        code: SERTRALINE,
        start: '2025-01-01',
        end: '2025-03-31',
        dose: { value: 100, unit: 'mg' },
      })
      .medicationStatement({
        code: ESCITALOPRAM,
        start: '2025-05-01',
        end: '2025-07-31',
        dose: { value: 20, unit: 'mg' },
      });
    const result = matchOne(b, 'nct07052058');
    assert.equal(criterion(result, 'nct07052058-in-trd').status, 'met');
    const crp = criterion(result, 'nct07052058-in-hscrp');
    assert.equal(crp.status, 'unknown');
    assert.equal(result.verdict, 'needs-data');
    assert.ok(result.toCollect.some((t) => t.criterion === 'nct07052058-in-hscrp' && /hs-CRP/.test(t.item)));
  });
  it('a CRP the pathway set aside (drawn after tocilizumab) is named with why, not counted as "1 result not usable"', () => {
    const b = depressedPatient()
      .observation({ ...hsCrp(7), id: 'crp-after-tocilizumab' })
      .medicationStatement({
        id: 'tocilizumab',
        code: code('rxnorm', '612865', 'tocilizumab'),
        status: 'completed',
        start: daysBefore(30),
        end: daysBefore(30),
      });
    const c = criterion(matchOne(b, 'insight'), 'insight-in-hscrp');
    assert.equal(c.status, 'unknown');
    assert.match(c.reason, /not used: Observation\/crp-after-tocilizumab: drawn within \d+ days after tocilizumab/);
    assert.deepEqual(c.evidence, ['Observation/crp-after-tocilizumab']);
  });
  it('exactly 3 mg/L is met (>= cut-off); 2.9 is not', () => {
    assert.equal(
      criterion(matchOne(depressedPatient().observation(hsCrp(3)), 'insight'), 'insight-in-hscrp').status,
      'met',
    );
    assert.equal(
      criterion(matchOne(depressedPatient().observation(hsCrp(2.9)), 'insight'), 'insight-in-hscrp').status,
      'not-met',
    );
  });
  it('a value that fails its threshold reads "(not >= 3 mg/L)", never as the limit it broke', () => {
    const low = criterion(matchOne(depressedPatient().observation(hsCrp(2.9)), 'insight'), 'insight-in-hscrp');
    assert.match(low.reason, /^hs-CRP 2\.9 mg\/L on \d{4}-\d\d-\d\d \(not >= 3 mg\/L\)$/);
    const high = criterion(matchOne(depressedPatient().observation(hsCrp(25)), 'nct07052058'), 'nct07052058-ex-crp-20');
    assert.equal(high.status, 'met');
    assert.match(high.reason, /^hs-CRP 25 mg\/L on \d{4}-\d\d-\d\d \(not < 20 mg\/L\)/);
    const met = criterion(matchOne(depressedPatient().observation(hsCrp(7)), 'insight'), 'insight-in-hscrp');
    assert.match(met.reason, /\(>= 3 mg\/L\)$/);
  });
  it('INSIGHT and NCT07052058 need a high-sensitivity assay: a standard CRP of 7 mg/L is unknown in both', () => {
    const b = () =>
      depressedPatient().observation({
        code: code('loinc', '1988-5', 'CRP'),
        date: daysBefore(5),
        quantity: ucum(7, 'mg/L'),
      });
    assert.equal(criterion(matchOne(b(), 'insight'), 'insight-in-hscrp').status, 'unknown');
    assert.equal(criterion(matchOne(b(), 'nct07052058'), 'nct07052058-in-hscrp').status, 'unknown');
  });
  it('a censored "<1 mg/L" hs-CRP is not met; a mg/dL result is converted', () => {
    const censored = depressedPatient().observation({ ...hsCrp(1), comparator: '<' });
    assert.equal(criterion(matchOne(censored, 'insight'), 'insight-in-hscrp').status, 'not-met');
    const mgdl = depressedPatient().observation({
      code: code('loinc', '30522-7'),
      date: daysBefore(5),
      quantity: ucum(0.4, 'mg/dL'),
    });
    assert.equal(criterion(matchOne(mgdl, 'insight'), 'insight-in-hscrp').status, 'met');
  });
});

describe('exclusions', () => {
  it('pregnancy -> ineligible for all three trials', () => {
    const b = () =>
      depressedPatient().condition({
        code: code('icd10', 'Z33.1', 'Pregnant state'),
        clinicalStatus: 'active',
        onset: daysBefore(60),
      });
    for (const r of match(b(), trials.protocols)) {
      assert.equal(r.verdict, 'ineligible', r.trial.id);
      assert.ok(
        r.failed.some((id) => id.endsWith('-ex-pregnancy')),
        r.trial.id,
      );
    }
  });
  it('lifetime bipolar disorder excludes from INSIGHT even when resolved', () => {
    const b = depressedPatient().condition({
      code: code('icd10', 'F31.3'),
      clinicalStatus: 'resolved',
      onset: '2010-01-01',
      abatement: '2012-01-01',
    });
    const c = criterion(matchOne(b, 'insight'), 'insight-ex-bipolar');
    assert.equal(c.status, 'met');
  });
  it('self-harm 2 months ago excludes; 1 year ago does not (6-month window); a provisional diagnosis asks to confirm', () => {
    const recent = depressedPatient().condition({
      code: code('icd10', 'X61'),
      clinicalStatus: 'resolved',
      onset: daysBefore(60),
      abatement: daysBefore(59),
    });
    assert.equal(criterion(matchOne(recent, 'insight'), 'insight-ex-self-harm').status, 'met');
    const old = depressedPatient().condition({
      code: code('icd10', 'X61'),
      clinicalStatus: 'resolved',
      onset: daysBefore(365),
      abatement: daysBefore(364),
    });
    const oldHarm = criterion(matchOne(old, 'insight'), 'insight-ex-self-harm');
    assert.equal(oldHarm.status, 'unknown');
    // The one on file before the window is named, never "nothing recorded": the coordinator checks its dates.
    assert.match(
      oldHarm.reason,
      new RegExp(`\\(in the last 183 days\\); recorded before the window: X61, ended ${daysBefore(364)}`),
    );
    assert.equal(oldHarm.evidence.length, 1);
    const tentative = depressedPatient().condition({ code: code('icd10', 'F20.0'), verificationStatus: 'provisional' });
    const c = criterion(matchOne(tentative, 'insight'), 'insight-ex-psychotic');
    assert.equal(c.status, 'unknown');
    assert.match(c.collect ?? '', /confirm or refute/);
  });
  it('a current NSAID excludes from INSIGHT; a neutropenic ANC meets the label-safety exclusion', () => {
    const nsaid = depressedPatient().medicationStatement({
      code: code('rxnorm', '5640', 'ibuprofen'),
      status: 'active',
      start: daysBefore(10),
    });
    assert.equal(criterion(matchOne(nsaid, 'insight'), 'insight-ex-nsaids').status, 'met');
    const anc = depressedPatient().observation({
      code: code('loinc', '751-8'),
      date: daysBefore(5),
      quantity: ucum(1.5, '10*9/L'),
    });
    const c = criterion(matchOne(anc, 'nct07052058'), 'nct07052058-ex-label-safety');
    assert.equal(c.status, 'met');
    assert.equal(c.verified, false);
  });
  it('the EHR silence leaves an exclusion unknown; manual criteria are always unknown', () => {
    const result = matchOne(depressedPatient(), 'insight');
    assert.equal(criterion(result, 'insight-ex-antibiotics').status, 'unknown');
    assert.equal(criterion(result, 'insight-in-english').status, 'unknown');
    assert.match(criterion(result, 'insight-in-english').collect ?? '', /English/);
  });
});

describe('the depression inclusion', () => {
  it('no depression Condition at all asks for the diagnosis (needs data), never "not met" on the silence', () => {
    const b = new BundleBuilder('no-diagnosis').patient({ birthDate: '1981-03-15', gender: 'female' });
    for (const [trial, id] of [
      ['insight', 'insight-in-depression'],
      ['nct07052058', 'nct07052058-in-depression'],
      ['nct07493317', 'nct07493317-in-mdd'],
    ] as const) {
      const result = matchOne(b, trial);
      const c = criterion(result, id);
      assert.equal(c.status, 'unknown', `${trial}: ${c.reason}`);
      assert.match(c.collect ?? '', /a current, confirmed diagnosis \(depression\): none is coded in the record/);
      assert.ok(!result.failed.includes(id));
    }
  });
  it('a depression Condition on record that is not current is still not met, with the record as evidence', () => {
    const resolved = new BundleBuilder('resolved').patient({ birthDate: '1981-03-15', gender: 'female' }).condition({
      id: 'old-episode',
      code: code('icd10', 'F32.1', 'Moderate depressive episode'),
      clinicalStatus: 'resolved',
      onset: '2019-01-01',
      abatement: '2019-09-01',
    });
    const c = criterion(matchOne(resolved, 'insight'), 'insight-in-depression');
    assert.equal(c.status, 'not-met');
    assert.deepEqual(c.evidence, ['Condition/old-episode']);
  });
});

describe('verdicts', () => {
  // A protocol whose every criterion the record can decide, one exclusion accepting the EHR's silence.
  const decidable: TrialProtocol = {
    ...protocol('nct07052058'),
    id: 'decidable',
    criteria: [
      { ...protocol('nct07052058').criteria[1]!, absentIfNotRecorded: false },
      { ...protocol('nct07052058').criteria[2]!, absentIfNotRecorded: false },
      {
        id: 'no-nsaid',
        kind: 'exclusion',
        text: 'Current NSAID',
        registryText: null,
        note: 'A test criterion.',
        test: { type: 'no-medication-in', codeSet: 'nsaids' },
        citation: 'nsaid-corticosteroid-confounders',
        verified: true,
        absentIfNotRecorded: true,
      },
    ],
  };
  const trd = () =>
    depressedPatient()
      .medicationStatement({
        code: SERTRALINE,
        start: '2025-01-01',
        end: '2025-03-31',
        dose: { value: 100, unit: 'mg' },
      })
      .medicationStatement({
        code: ESCITALOPRAM,
        start: '2025-05-01',
        end: '2025-07-31',
        dose: { value: 20, unit: 'mg' },
      })
      .observation(hsCrp(6));
  it('eligible when every inclusion is met and no exclusion is present (silence accepted by the protocol)', () => {
    const [r] = match(trd(), [decidable]);
    assert.equal(r?.verdict, 'eligible', r?.summary);
    assert.match(criterion(r!, 'no-nsaid').reason, /the protocol accepts that/);
    assert.deepEqual(r?.toCollect, []);
  });
  it('rejects an as-of date that is not YYYY-MM-DD', () => {
    assert.throws(() => match(trd(), [decidable], '2026-11'), /YYYY-MM-DD/);
  });
});

describe('matchTrials guards', () => {
  it('refuses knowledge without the trial code sets, saying how to load it', () => {
    assert.throws(
      () => matchTrials(seedRecord(), loadKnowledge(), [protocol('insight')], { asOf: AS_OF }),
      /unknown code set "personality-disorders".*loadTrials\(\)/,
    );
  });
});

describe('a care-pathway contraindication read by a criterion brings its unverified values', () => {
  it('an exclusion met by an infection coded only in the unverified infection-active set is flagged, not verified', () => {
    const b = depressedPatient()
      .observation(hsCrp(5))
      .condition({ code: code('icd10cm', 'J18.9', 'Pneumonia'), clinicalStatus: 'active', onset: daysBefore(5) });
    const c = criterion(matchOne(b, 'nct07052058'), 'nct07052058-ex-infection');
    assert.equal(c.status, 'met');
    assert.equal(c.verified, false, 'the pathway lists J18 among its unverified values; so must the trial');
    assert.deepEqual(c.unverifiedNotes, [
      'code set infection-active: ICD-10-CM J18 "Pneumonia, organism unspecified": the code J18 is not verified in the stored sources [icd10-unverified]',
    ]);
    // Without the infection the criterion rests on no unverified value and stays verified.
    const clear = criterion(
      matchOne(depressedPatient().observation(hsCrp(5)), 'nct07052058'),
      'nct07052058-ex-infection',
    );
    assert.deepEqual([clear.verified, clear.unverifiedNotes], [true, []]);
  });
});
