/**
 * The bundled protocols against their registry records (docs/trial-criteria.md): NCT07052058's age range, hs-CRP
 * assay, CRP upper limit and exclusions (bipolar or personality disorder, autoimmune disease, BMI > 40 or weight
 * > 100 kg); NCT07493317's antidepressant criterion that applies only to a patient on one; pregnancy criteria that do
 * not apply to a male or a child; and the registry wording every criterion carries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { code, ucum } from '../../test/support/bundle-builder.ts';
import { BundleBuilder } from '../../test/support/bundle-builder.ts';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import { AS_OF, criterion, depressedPatient, match, matchOne, protocol, trials } from './fixtures.test-support.ts';
import { parseProtocols } from './parse.ts';
import { renderMatchText } from './report-text.ts';
import { matchTrials } from './match.ts';
import { recordOf } from './fixtures.test-support.ts';

const daysBefore = (n: number): string => fromDayNumber((toDayNumber(AS_OF) ?? 0) - n);
const hsCrp = (mgPerL: number) => ({
  code: code('loinc', '30522-7', 'hs-CRP'),
  date: daysBefore(10),
  quantity: ucum(mgPerL, 'mg/L'),
});
const SERTRALINE = code('rxnorm', '36437', 'sertraline');

/** A depressed patient born on `birthDate` (the as-of date is 2026-11-27). */
const patientBorn = (birthDate: string, gender: 'male' | 'female' = 'female'): BundleBuilder =>
  new BundleBuilder('registry').patient({ birthDate, gender }).condition({
    id: 'depression',
    code: code('icd10', 'F33.1', 'Recurrent depressive disorder'),
    clinicalStatus: 'active',
    onset: '2024-01-10',
  });

describe('NCT07052058 as on its registry record', () => {
  it('age 18-65 inclusive: 17 and 66 are not met, 18 (on the birthday) and 65 are met', () => {
    const age = (birthDate: string) => criterion(matchOne(patientBorn(birthDate), 'nct07052058'), 'nct07052058-in-age');
    assert.equal(age('2008-11-28').status, 'not-met'); // 17 the day before the 18th birthday
    assert.equal(age('2008-11-27').status, 'met');
    assert.equal(age('1961-11-28').status, 'met'); // 65
    assert.equal(age('1960-11-27').status, 'not-met'); // 66
  });
  it('requires a high-sensitivity CRP >= 3 mg/L and excludes CRP >= 20 mg/L', () => {
    const at = (mgPerL: number) => matchOne(depressedPatient().observation(hsCrp(mgPerL)), 'nct07052058');
    assert.equal(criterion(at(3), 'nct07052058-in-hscrp').status, 'met');
    assert.equal(criterion(at(19.9), 'nct07052058-ex-crp-20').status, 'not-met');
    const twenty = at(20);
    assert.equal(criterion(twenty, 'nct07052058-ex-crp-20').status, 'met');
    assert.equal(twenty.verdict, 'ineligible');
    assert.ok(twenty.failed.includes('nct07052058-ex-crp-20'));
  });
  it('excludes bipolar disorder, personality disorder and autoimmune disease', () => {
    const withCondition = (system: 'icd10', c: string) =>
      matchOne(
        depressedPatient().condition({ code: code(system, c), clinicalStatus: 'active', onset: '2020-01-01' }),
        'nct07052058',
      );
    assert.equal(criterion(withCondition('icd10', 'F31.3'), 'nct07052058-ex-bipolar').status, 'met');
    assert.equal(criterion(withCondition('icd10', 'F60.3'), 'nct07052058-ex-personality').status, 'met');
    const lupus = criterion(withCondition('icd10', 'M32.1'), 'nct07052058-ex-autoimmune');
    assert.equal(lupus.status, 'met');
    assert.equal(lupus.verified, false, 'the autoimmune code set is the project reading of the registry: unverified');
    const none = criterion(matchOne(depressedPatient(), 'nct07052058'), 'nct07052058-ex-autoimmune');
    assert.equal(none.status, 'unknown', 'nothing recorded is not proof of no autoimmune disease');
  });
  it('excludes BMI > 40 kg/m2 and weight > 100 kg, converting pounds; no measurement asks for one', () => {
    const bmi = (value: number) =>
      criterion(
        matchOne(
          depressedPatient().observation({
            code: code('loinc', '39156-5', 'BMI'),
            date: daysBefore(30),
            quantity: ucum(value, 'kg/m2'),
          }),
          'nct07052058',
        ),
        'nct07052058-ex-bmi',
      );
    assert.equal(bmi(40).status, 'not-met');
    assert.equal(bmi(40.1).status, 'met');
    const weight = (value: number, unit: string) =>
      criterion(
        matchOne(
          depressedPatient().observation({
            code: code('loinc', '29463-7', 'Body weight'),
            date: daysBefore(30),
            quantity: ucum(value, unit),
          }),
          'nct07052058',
        ),
        'nct07052058-ex-weight',
      );
    assert.equal(weight(100, 'kg').status, 'not-met');
    assert.equal(weight(101, 'kg').status, 'met');
    assert.equal(weight(220, '[lb_av]').status, 'not-met', '220 lb = 99.8 kg');
    assert.equal(weight(221, '[lb_av]').status, 'met', '221 lb = 100.2 kg');
    assert.match(weight(221, '[lb_av]').reason, /^body weight 100\.2 kg \(reported 221 /);
    // Rounded only where rounding keeps the side of the limit: 220.46 lb is 99.9989 kg, never shown as "100 kg".
    assert.match(weight(220.46, '[lb_av]').reason, /^body weight 99\.99\d+ kg /);
    const none = criterion(matchOne(depressedPatient(), 'nct07052058'), 'nct07052058-ex-weight');
    assert.equal(none.status, 'unknown');
    assert.match(none.collect ?? '', /body weight/);
  });
});

describe('NCT07493317: an antidepressant only if the patient takes one', () => {
  const onSertralineFor = (days: number) =>
    depressedPatient().medicationStatement({
      code: SERTRALINE,
      status: 'active',
      start: daysBefore(days - 1),
      dose: { value: 100, unit: 'mg' },
    });
  it('no antidepressant recorded: unknown, never met on the silence (another prescriber, a lapsed order)', () => {
    const c = criterion(matchOne(depressedPatient(), 'nct07493317'), 'nct07493317-in-antidepressant');
    assert.equal(c.status, 'unknown', c.reason);
    assert.match(c.reason, /only to a patient on one/);
    assert.match(c.collect ?? '', /antidepressant/);
  });
  it('one stopped 5 days ago is named with its end, as for INSIGHT, so the coordinator asks about it', () => {
    const stopped = depressedPatient().medicationStatement({
      id: 'sertraline-stopped',
      code: SERTRALINE,
      status: 'completed',
      start: daysBefore(200),
      end: daysBefore(5),
      dose: { value: 100, unit: 'mg' },
    });
    const result = match(stopped, [protocol('nct07493317'), protocol('insight')]);
    const [sinai, insight] = result.map((r, i) =>
      criterion(r, i === 0 ? 'nct07493317-in-antidepressant' : 'insight-in-antidepressant'),
    );
    assert.equal(sinai?.status, 'unknown');
    assert.match(sinai?.reason ?? '', new RegExp(`\\(last recorded: sertraline, ended ${daysBefore(5)}\\)`));
    assert.deepEqual(sinai?.evidence, ['MedicationStatement/sertraline-stopped']);
    assert.deepEqual(sinai?.evidence, insight?.evidence);
  });
  it('one whose end is not recorded is named with its start beside the one that ended last, for both trials', () => {
    const records = depressedPatient()
      .medicationStatement({
        id: 'sertraline-stopped',
        code: SERTRALINE,
        status: 'completed',
        start: daysBefore(200),
        end: daysBefore(100),
        dose: { value: 100, unit: 'mg' },
      })
      .medicationStatement({ id: 'sertraline-no-end', code: SERTRALINE, status: 'completed', start: daysBefore(60) });
    const result = match(records, [protocol('nct07493317'), protocol('insight')]);
    const [sinai, insight] = result.map((r, i) =>
      criterion(r, i === 0 ? 'nct07493317-in-antidepressant' : 'insight-in-antidepressant'),
    );
    assert.equal(sinai?.status, 'unknown');
    assert.equal(insight?.status, 'unknown');
    assert.match(
      sinai?.reason ?? '',
      new RegExp(
        `\\(last recorded: sertraline, ended ${daysBefore(100)}; end not recorded: sertraline from ${daysBefore(60)}\\)`,
      ),
    );
    assert.deepEqual(sinai?.evidence, [
      'MedicationStatement/sertraline-stopped',
      'MedicationStatement/sertraline-no-end',
    ]);
    assert.deepEqual(sinai?.evidence, insight?.evidence);
  });
  it('years of stopped orders whose end is not recorded: one entry per medicine, with the count and range of starts', () => {
    let records = depressedPatient();
    for (const [k, days] of [2000, 1500, 1000].entries()) {
      records = records.medicationRequest({
        id: `sertraline-order-${k}`,
        code: SERTRALINE,
        status: 'stopped',
        authoredOn: daysBefore(days),
      });
    }
    const sinai = criterion(matchOne(records, 'nct07493317'), 'nct07493317-in-antidepressant');
    assert.equal(sinai.status, 'unknown');
    assert.match(
      sinai.reason,
      new RegExp(`\\(end not recorded: sertraline, 3 courses from ${daysBefore(2000)} to ${daysBefore(1000)}\\)`),
    );
    assert.equal(sinai.evidence.length, 3);
  });
  it('on one for 27 days: not met; for 28 days: met', () => {
    assert.equal(
      criterion(matchOne(onSertralineFor(27), 'nct07493317'), 'nct07493317-in-antidepressant').status,
      'not-met',
    );
    assert.equal(
      criterion(matchOne(onSertralineFor(28), 'nct07493317'), 'nct07493317-in-antidepressant').status,
      'met',
    );
  });
});

describe('NCT07493317: "a stable dose for >= 4 weeks" reads the dose of every record in those 4 weeks', () => {
  // Sertraline 50 mg/day until `changedDaysAgo + 1` days ago, then `laterMg` mg/day, ongoing: one joined run.
  const changedDose = (laterMg: number, changedDaysAgo: number) =>
    depressedPatient()
      .medicationStatement({
        id: 'first',
        code: SERTRALINE,
        status: 'completed',
        start: daysBefore(120),
        end: daysBefore(changedDaysAgo + 1),
        dose: { value: 50, unit: 'mg' },
      })
      .medicationStatement({
        id: 'now',
        code: SERTRALINE,
        status: 'active',
        start: daysBefore(changedDaysAgo),
        dose: { value: laterMg, unit: 'mg' },
      });
  it('raised from 50 to 100 mg/day 14 days ago: unknown (confirm the dose), never met', () => {
    const c = criterion(matchOne(changedDose(100, 14), 'nct07493317'), 'nct07493317-in-antidepressant');
    assert.equal(c.status, 'unknown', c.reason);
    assert.match(c.reason, /50 mg\/day.*100 mg\/day/);
    assert.deepEqual([...c.evidence].sort(), ['MedicationStatement/first', 'MedicationStatement/now']);
    assert.match(c.collect ?? '', /sertraline/);
  });
  it('the same dose in every record of the 4 weeks, or a change before them: met, the dose checked', () => {
    for (const b of [changedDose(50, 14), changedDose(100, 40)]) {
      const c = criterion(matchOne(b, 'nct07493317'), 'nct07493317-in-antidepressant');
      assert.equal(c.status, 'met', c.reason);
      assert.doesNotMatch(c.reason, /not checked/);
    }
  });
  it('a record in the 4 weeks whose dose is not established: unknown', () => {
    const b = depressedPatient().medicationStatement({
      id: 'nodose',
      code: SERTRALINE,
      status: 'active',
      start: daysBefore(60),
    });
    const c = criterion(matchOne(b, 'nct07493317'), 'nct07493317-in-antidepressant');
    assert.equal(c.status, 'unknown', c.reason);
    assert.match(c.collect ?? '', /sertraline/);
  });
});

describe('pregnancy criteria apply only to those who can be pregnant', () => {
  it('a 7-year-old is not asked for a pregnancy test', () => {
    for (const id of ['insight', 'nct07052058', 'nct07493317']) {
      const result = matchOne(patientBorn('2019-06-01'), id);
      const pregnancy = result.criteria.find((c) => c.test === 'not-pregnant-or-breastfeeding');
      assert.ok(pregnancy, id);
      assert.equal(pregnancy.status, 'not-met', id);
      assert.match(pregnancy.reason, /Does not apply: age 7/);
      assert.ok(!result.toCollect.some((t) => /pregnan/i.test(t.item)), id);
    }
  });
  it('a man is not asked either, and meets the contraception criterion written for women', () => {
    const result = matchOne(patientBorn('1980-01-01', 'male'), 'nct07493317');
    assert.equal(criterion(result, 'nct07493317-ex-pregnancy').status, 'not-met');
    assert.match(criterion(result, 'nct07493317-ex-pregnancy').reason, /male patient/);
    assert.equal(criterion(result, 'nct07493317-in-contraception').status, 'met');
    assert.ok(!result.toCollect.some((t) => /pregnan|contracept/i.test(t.item)));
  });
  it('a woman of 45 with nothing recorded is asked', () => {
    const result = matchOne(depressedPatient(), 'nct07052058');
    assert.equal(criterion(result, 'nct07052058-ex-pregnancy').status, 'unknown');
    assert.ok(result.toCollect.some((t) => t.criterion === 'nct07052058-ex-pregnancy'));
  });
  it('a woman of 62 whose hCG cannot be read as positive or negative is not told it does not apply', () => {
    // The protocols say "pregnant or breastfeeding" with no age, and the pathway's pregnancy contraindication reads a
    // positive test at any age: the 10-60 range [U] only stops the asking. A test on record that cannot be read is
    // an unanswered question, never "does not apply".
    const b = patientBorn('1964-06-01').observation({
      id: 'hcg-quantitative',
      code: code('loinc', '2106-3', 'hCG'),
      date: '2026-11-20',
      quantity: ucum(5000, 'm[IU]/mL'),
    });
    for (const id of ['insight', 'nct07052058', 'nct07493317']) {
      const result = matchOne(b, id);
      const pregnancy = result.criteria.find((c) => c.test === 'not-pregnant-or-breastfeeding');
      assert.ok(pregnancy, id);
      assert.equal(pregnancy.status, 'unknown', `${id}: ${pregnancy.reason}`);
      assert.doesNotMatch(pregnancy.reason, /Does not apply/);
      assert.deepEqual(pregnancy.evidence, ['Observation/hcg-quantitative'], id);
      assert.notEqual(result.verdict, 'eligible', id);
    }
  });
  it('a birth year that allows 60 or 61 does not place a woman outside those who can be pregnant', () => {
    // Born in 1965: 60 or 61 on 2026-11-27; the range is 10-60, so she may be inside it and is asked.
    const result = matchOne(patientBorn('1965'), 'insight');
    const pregnancy = criterion(result, 'insight-ex-pregnancy');
    assert.equal(pregnancy.status, 'unknown', pregnancy.reason);
    assert.doesNotMatch(pregnancy.reason, /Does not apply/);
    // Born in 1964: 61 or 62, outside for either age.
    assert.match(
      criterion(matchOne(patientBorn('1964'), 'insight'), 'insight-ex-pregnancy').reason,
      /Does not apply: age 61 or 62/,
    );
  });
  it('a patient whose sex is not recorded is asked (the record cannot place them outside)', () => {
    const b = new BundleBuilder('nosex').patient({ birthDate: '1981-03-15' }).condition({
      code: code('icd10', 'F33.1'),
      clinicalStatus: 'active',
      onset: '2024-01-10',
    });
    assert.equal(criterion(matchOne(b, 'insight'), 'insight-ex-pregnancy').status, 'unknown');
  });
});

describe('registry wording', () => {
  it('every bundled criterion quotes its registry record, or says where it comes from', () => {
    for (const p of trials.protocols) {
      for (const c of p.criteria) {
        assert.ok(c.registryText !== null || (c.note ?? '').length > 0, `${p.id} ${c.id}`);
      }
    }
    const [result] = matchTrials(recordOf(depressedPatient().build()), trials.knowledge, trials.protocols, {
      asOf: AS_OF,
    });
    assert.equal(
      criterion(result!, 'insight-in-age').registryText,
      'Age: 20-65 years (inclusive) at the time of eligibility assessment',
    );
  });
  it('a criterion without registry wording and without a note is refused at load, naming file and field', () => {
    const insight = trials.protocols.find((p) => p.id === 'insight')!;
    const json = JSON.parse(JSON.stringify(insight)) as { criteria: Record<string, unknown>[] };
    json.criteria[0] = { ...json.criteria[0], registryText: null, note: undefined };
    const parsed = parseProtocols([{ path: 'x.json', json }]);
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : (parsed.issues[0]?.message ?? ''), /^x\.json: criteria\[0\]\.note: /);
  });
});

describe('trd match text', () => {
  it('opens with one line per trial (verdict and first reason) before any detail', () => {
    const results = matchTrials(
      recordOf(depressedPatient().observation(hsCrp(25)).build()),
      trials.knowledge,
      trials.protocols,
      { asOf: AS_OF },
    );
    const lines = renderMatchText(results).split('\n');
    const overview = lines.slice(1, 1 + results.length);
    results.forEach((r, i) => {
      const line = overview[i] ?? '';
      assert.ok(line.includes(r.trial.registry[0]!.id), line);
      assert.ok(
        line.includes(
          r.verdict === 'ineligible' ? 'NOT ELIGIBLE' : r.verdict === 'eligible' ? 'ELIGIBLE' : 'NEEDS DATA',
        ),
        line,
      );
    });
    const brazil = overview.find((l) => l.includes('NCT07052058')) ?? '';
    assert.match(brazil, /NOT ELIGIBLE: .*adequate trials/);
    assert.equal(overview.filter((l) => l.trim() === '').length, 0);
  });
});

describe('an infection recorded without a status or end (an encounter diagnosis, an OMOP row)', () => {
  // The pathway takes it as over 28 days [U] after its onset (docs/care-pathway.md definition 1): INSIGHT's 4-week
  // infection exclusion reads it as trd assess does, never as an infection for ever.
  const withPneumonia = (onset: string): BundleBuilder =>
    depressedPatient().condition({ id: 'pneumonia', code: code('icd10', 'J18.9', 'Pneumonia'), onset });
  it('one of 2018 does not exclude (left to confirm, as with none recorded), and the criterion says what it relied on', () => {
    const c = criterion(matchOne(withPneumonia('2018-02-01'), 'insight'), 'insight-ex-recent-infection');
    // Not excluded by it: the exclusion stays to be confirmed with the patient, as with nothing recorded.
    assert.equal(c.status, 'unknown', c.reason);
    assert.match(c.reason, /^No infection recorded/);
    assert.ok(c.unverifiedNotes.some((n) => /taken as over 28 days after its onset \[U\]/.test(n)));
    assert.equal(c.verified, false);
  });
  it('one whose 28 days reach into the last 4 weeks, or of 10 days ago, excludes', () => {
    const asOfDay = toDayNumber(AS_OF) as number;
    for (const daysAgo of [10, 50]) {
      const c = criterion(
        matchOne(withPneumonia(fromDayNumber(asOfDay - daysAgo)), 'insight'),
        'insight-ex-recent-infection',
      );
      assert.equal(c.status, 'met', `${daysAgo} days ago: ${c.reason}`);
    }
    const c = criterion(matchOne(withPneumonia(fromDayNumber(asOfDay - 57)), 'insight'), 'insight-ex-recent-infection');
    assert.equal(c.status, 'unknown', `57 days ago (over on day 28, before the 4 weeks): ${c.reason}`);
  });
});
