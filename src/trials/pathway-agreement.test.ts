/**
 * `trd match` reads the care pathway's own findings (docs/trial-criteria.md, "Readings shared with the care
 * pathway"): each case is one where match and assess could disagree, and the criterion follows the pathway's
 * reading, or stays unknown where the record cannot settle it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BundleBuilder, code, ucum } from '../../test/support/bundle-builder.ts';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import { AS_OF, criterion, depressedPatient, matchOne } from './fixtures.test-support.ts';

const daysBefore = (n: number): string => fromDayNumber((toDayNumber(AS_OF) ?? 0) - n);
const hsCrp = (id: string, mgPerL: number, date = daysBefore(21)) => ({
  id,
  code: code('loinc', '30522-7', 'hs-CRP'),
  date,
  quantity: ucum(mgPerL, 'mg/L'),
});

describe('same-day CRPs that times cannot order (definition 5)', () => {
  it('2 and 7 mg/L on one day leave ">= 3 mg/L" unknown, whatever the entry order', () => {
    for (const order of [
      [2, 7],
      [7, 2],
    ] as const) {
      const b = depressedPatient().observation(hsCrp('crp-a', order[0])).observation(hsCrp('crp-b', order[1]));
      for (const [trial, id] of [
        ['insight', 'insight-in-hscrp'],
        ['nct07052058', 'nct07052058-in-hscrp'],
      ] as const) {
        const c = criterion(matchOne(b, trial), id);
        assert.equal(c.status, 'unknown', c.reason);
        assert.deepEqual([...c.evidence].sort(), ['Observation/crp-a', 'Observation/crp-b']);
      }
    }
  });
  it('7 and 22 mg/L settle ">= 3" (both above) but leave "< 20" unknown', () => {
    const b = depressedPatient().observation(hsCrp('crp-a', 7)).observation(hsCrp('crp-b', 22));
    const brazil = matchOne(b, 'nct07052058');
    assert.equal(criterion(brazil, 'nct07052058-in-hscrp').status, 'met');
    assert.equal(criterion(brazil, 'nct07052058-ex-crp-20').status, 'unknown');
    assert.ok(!brazil.failed.includes('nct07052058-ex-crp-20'));
  });
});

describe('a CRP in nmol/L rests on the unverified molar factor, in match as in assess (definition 5)', () => {
  it('each CRP criterion that read it is unverified, with the factor named; one in mg/L is not', () => {
    const inNmol = depressedPatient().observation({ ...hsCrp('crp-a', 0), quantity: ucum(66.668, 'nmol/L') });
    const inMass = depressedPatient().observation(hsCrp('crp-a', 7));
    for (const [trial, id] of [
      ['insight', 'insight-in-hscrp'],
      ['nct07052058', 'nct07052058-in-hscrp'],
      ['nct07052058', 'nct07052058-ex-crp-20'],
    ] as const) {
      const converted = criterion(matchOne(inNmol, trial), id);
      assert.equal(converted.verified, false, `${id}: ${converted.reason}`);
      assert.ok(
        converted.unverifiedNotes.some((n) => n.startsWith('CRP molar factor (nmol/L per mg/L)')),
        converted.unverifiedNotes.join('; '),
      );
      assert.ok(matchOne(inNmol, trial).unverified.includes(id));
      assert.equal(criterion(matchOne(inMass, trial), id).verified, true, `${id} in mg/L`);
    }
  });
});

describe('a converted CRP just below the cut-off reads the same in every CRP criterion', () => {
  it('28.57 nmol/L (2.9998 mg/L) is never shown as "3 mg/L" beside the 20 mg/L exclusion while below 3 elsewhere', () => {
    const b = depressedPatient().observation({ ...hsCrp('crp-a', 0), quantity: ucum(28.57, 'nmol/L') });
    const brazil = matchOne(b, 'nct07052058');
    assert.equal(criterion(brazil, 'nct07052058-in-hscrp').status, 'not-met');
    for (const id of ['nct07052058-in-hscrp', 'nct07052058-ex-crp-20']) {
      const reason = criterion(brazil, id).reason;
      assert.doesNotMatch(reason, /hs-CRP 3 mg\/L/, `${id}: ${reason}`);
      assert.match(reason, /hs-CRP 2\.99979\d* mg\/L/, `${id}: ${reason}`);
    }
  });
});

describe('"an antidepressant for >= 4 weeks" counts days on the drug as the exposure does (definition 2)', () => {
  const SERTRALINE = code('rxnorm', '36437', 'sertraline');
  const criteria = [
    ['insight', 'insight-in-antidepressant'],
    ['nct07493317', 'nct07493317-in-antidepressant'],
  ] as const;
  it('6 days, a 15-day gap, then 18 days ongoing is 24 days on the drug: not 4 weeks', () => {
    const b = depressedPatient()
      .medicationStatement({
        id: 'first',
        code: SERTRALINE,
        start: daysBefore(38),
        end: daysBefore(33),
        dose: { value: 50, unit: 'mg' },
      })
      .medicationStatement({
        id: 'now',
        code: SERTRALINE,
        status: 'active',
        start: daysBefore(17),
        dose: { value: 50, unit: 'mg' },
      });
    for (const [trial, id] of criteria) {
      const c = criterion(matchOne(b, trial), id);
      assert.equal(c.status, 'not-met', c.reason);
      assert.match(c.reason, /24 days on the drug/);
    }
  });
  it('an active order with a 7-day supply authored 39 days ago is one supply: 7 days, not 39', () => {
    const b = depressedPatient().medicationRequest({
      id: 'order',
      code: SERTRALINE,
      status: 'active',
      authoredOn: daysBefore(38),
      supplyDays: 7,
      dose: { value: 50, unit: 'mg' },
    });
    for (const [trial, id] of criteria) {
      const c = criterion(matchOne(b, trial), id);
      assert.equal(c.status, 'not-met', c.reason);
      assert.match(c.reason, /7 days on the drug/);
    }
  });
});

describe("INSIGHT's current suicidal thoughts follow the pathway's suicide-risk alert (definition 7a)", () => {
  const phq9 = (id: string, authored: string, answer: Record<string, unknown>) => ({
    resourceType: 'QuestionnaireResponse' as const,
    id,
    questionnaire: 'http://loinc.org/q/44249-1',
    status: 'completed' as const,
    subject: { reference: 'Patient/patient' },
    authored,
    item: [{ linkId: '44260-8', answer: [answer] }],
  });
  it('BDI-II item 9 = 0, then MADRS item 10 = 4: unknown (assess directly), never not-met', () => {
    const b = depressedPatient()
      .questionnaireResponse({
        id: 'bdi',
        questionnaire: 'http://precision-trd.org/fhir/Questionnaire/bdi-ii',
        authored: daysBefore(17),
        answers: { 'bdi2-9': 0 },
      })
      .questionnaireResponse({
        id: 'madrs',
        questionnaire: 'http://precision-trd.org/fhir/Questionnaire/madrs',
        authored: daysBefore(7),
        answers: { 'madrs-10': 4 },
      });
    const c = criterion(matchOne(b, 'insight'), 'insight-ex-suicidal-thoughts');
    assert.equal(c.status, 'unknown', c.reason);
    assert.match(c.reason, /suicide-risk: MADRS item 10 = 4/);
    assert.match(c.collect ?? '', /assess directly/);
    assert.ok(c.evidence.includes('QuestionnaireResponse/madrs'));
  });
  it('PHQ-9 item 9 = 0, then a newer answer that cannot be scored: unknown, never not-met', () => {
    const b = depressedPatient()
      .raw(phq9('phq-old', daysBefore(22), { valueInteger: 0 }))
      .raw(phq9('phq-new', daysBefore(5), { valueCoding: { system: 'http://loinc.org', code: 'LA9999-9' } }));
    const c = criterion(matchOne(b, 'insight'), 'insight-ex-suicidal-thoughts');
    assert.equal(c.status, 'unknown', c.reason);
    assert.match(c.reason, /cannot score/);
  });
  it('item 9 = 0 with no alert still rules it out; item 9 >= 1 still excludes', () => {
    const b = depressedPatient().raw(phq9('phq', daysBefore(5), { valueInteger: 0 }));
    assert.equal(criterion(matchOne(b, 'insight'), 'insight-ex-suicidal-thoughts').status, 'not-met');
    const pos = depressedPatient().raw(phq9('phq', daysBefore(5), { valueInteger: 2 }));
    assert.equal(criterion(matchOne(pos, 'insight'), 'insight-ex-suicidal-thoughts').status, 'met');
  });
});

describe('monocytes and body weight: the newest result decides, as for the pathway labs (definitions 5 and 6)', () => {
  const obs = (id: string, loinc: string, date: string, value: Record<string, unknown>) => ({
    resourceType: 'Observation' as const,
    id,
    status: 'final' as const,
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    subject: { reference: 'Patient/patient' },
    effectiveDateTime: date,
    ...value,
  });
  const mono = (value: number) => ({
    valueQuantity: { value, unit: '10*9/L', system: 'http://unitsofmeasure.org', code: '10*9/L' },
  });
  const kg = (value: number) => ({
    valueQuantity: { value, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  });
  it('a newest monocyte count given as text leaves the criterion unknown; the older 600 /uL is not used', () => {
    const b = depressedPatient()
      .raw(obs('mono-old', '742-7', daysBefore(60), mono(0.6)))
      .raw(obs('mono-new', '742-7', daysBefore(10), { valueString: 'sample clotted - no result' }));
    const c = criterion(matchOne(b, 'nct07493317'), 'nct07493317-in-monocytes');
    assert.equal(c.status, 'unknown', c.reason);
    assert.deepEqual(c.evidence, ['Observation/mono-new']);
  });
  it('a newest weight that is not a number leaves "weight > 100 kg" unknown; one with no value is passed over', () => {
    const text = depressedPatient()
      .raw(obs('wt-old', '29463-7', daysBefore(170), kg(130)))
      .raw(obs('wt-new', '29463-7', daysBefore(20), { valueString: 'refused' }));
    assert.equal(criterion(matchOne(text, 'nct07052058'), 'nct07052058-ex-weight').status, 'unknown');
    const absent = depressedPatient()
      .raw(obs('wt-old', '29463-7', daysBefore(170), kg(130)))
      .raw(obs('wt-new', '29463-7', daysBefore(20), { dataAbsentReason: { text: 'not asked' } }));
    assert.equal(criterion(matchOne(absent, 'nct07052058'), 'nct07052058-ex-weight').status, 'met');
  });
});

describe("INSIGHT's recent live vaccine reads the pathway's caution (definition 7)", () => {
  const mmr = (date: string) => ({ id: 'mmr', vaccine: code('cvx', '03', 'MMR'), date });
  it('an MMR 10 days ago is met (excluded); 40 days ago the question is asked', () => {
    const recent = criterion(
      matchOne(depressedPatient().immunization(mmr(daysBefore(10))), 'insight'),
      'insight-ex-live-vaccine',
    );
    assert.equal(recent.status, 'met', recent.reason);
    assert.deepEqual(recent.evidence, ['Immunization/mmr']);
    const old = criterion(
      matchOne(depressedPatient().immunization(mmr(daysBefore(40))), 'insight'),
      'insight-ex-live-vaccine',
    );
    assert.equal(old.status, 'unknown');
    assert.match(old.collect ?? '', /live vaccine in the last 4 weeks/);
    // The MMR is on record: the reason says the caution is not raised, never that nothing is recorded.
    assert.equal(
      old.reason,
      'The care pathway\'s caution "Live vaccine in the last 4 weeks" is not raised on the record',
    );
  });
});

describe("INSIGHT's antibiotics exclusion recognises RxNorm ingredients as well as ATC J01", () => {
  it('current amoxicillin coded RxCUI 723 is met (excluded), marked unverified', () => {
    const b = depressedPatient().medicationStatement({
      id: 'amox',
      code: code('rxnorm', '723', 'amoxicillin'),
      status: 'active',
      start: daysBefore(3),
    });
    const c = criterion(matchOne(b, 'insight'), 'insight-ex-antibiotics');
    assert.equal(c.status, 'met', c.reason);
    assert.deepEqual(c.evidence, ['MedicationStatement/amox']);
    assert.ok(c.unverifiedNotes.some((n) => /rxnorm-unverified/.test(n)));
  });
});

describe("INSIGHT's medication-class exclusions name a record of the class that ended (definition 3a)", () => {
  const stopped = depressedPatient()
    .medicationStatement({
      id: 'amox',
      code: code('rxnorm', '723', 'amoxicillin'),
      status: 'completed',
      start: daysBefore(10),
      end: daysBefore(3),
    })
    .medicationStatement({
      id: 'amox-2024',
      code: code('rxnorm', '723', 'amoxicillin'),
      status: 'completed',
      start: '2024-02-01',
      end: '2024-02-07',
    })
    .medicationStatement({
      id: 'cream',
      code: code('rxnorm', '5492', 'Hydrocortisone 1% cream'),
      status: 'completed',
      start: daysBefore(5),
      end: daysBefore(1),
    })
    .medicationStatement({
      id: 'pred',
      code: code('rxnorm', '8638', 'prednisolone'),
      status: 'stopped',
      start: daysBefore(9),
      end: daysBefore(2),
    });
  it('amoxicillin ended 3 days ago and prednisolone 2 days ago are named with their ends and cited; still unknown', () => {
    const result = matchOne(stopped, 'insight');
    const antibiotics = criterion(result, 'insight-ex-antibiotics');
    assert.equal(antibiotics.status, 'unknown');
    assert.equal(
      antibiotics.reason,
      `No current antibacterials for systemic use recorded on ${AS_OF} (last recorded: amoxicillin, ended ${daysBefore(3)})`,
    );
    assert.deepEqual(antibiotics.evidence, ['MedicationStatement/amox']);
    const steroids = criterion(result, 'insight-ex-corticosteroids');
    assert.equal(steroids.status, 'unknown');
    assert.match(steroids.reason, new RegExp(`\\(last recorded: prednisolone, ended ${daysBefore(2)}\\)$`));
    // The hydrocortisone cream ended since is applied, not of the class: the prednisolone is the last recorded.
    assert.deepEqual(steroids.evidence, ['MedicationStatement/pred']);
    // A record that names an antibiotic with a local code only, ended since, is the last recorded.
    const named = stopped.medicationStatement({
      id: 'amox-text',
      code: { system: 'http://example.org/formulary', code: 'AMOX500', display: 'Amoxicillin 500 mg capsules' },
      status: 'completed',
      start: daysBefore(8),
      end: daysBefore(1),
    });
    const byName = criterion(matchOne(named, 'insight'), 'insight-ex-antibiotics');
    assert.equal(byName.status, 'unknown');
    assert.match(
      byName.reason,
      new RegExp(`\\(last recorded: Amoxicillin 500 mg capsules, ended ${daysBefore(1)}\\)$`),
    );
    assert.deepEqual(byName.evidence, ['MedicationStatement/amox-text']);
    // Nothing of the class on record: silence alone, as before.
    const nsaids = criterion(result, 'insight-ex-nsaids');
    assert.equal(nsaids.status, 'unknown');
    assert.deepEqual(nsaids.evidence, []);
    assert.doesNotMatch(nsaids.reason, /last recorded/);
  });
});

describe("INSIGHT's medication-class exclusions name a record of the class whose end is not recorded", () => {
  it('a completed amoxicillin with a start and no end is named with its start and cited, beside the last ended; still unknown', () => {
    const patient = depressedPatient()
      .medicationStatement({
        id: 'amox-no-end',
        code: code('rxnorm', '723', 'amoxicillin'),
        status: 'completed',
        start: daysBefore(20),
      })
      .medicationStatement({
        id: 'doxy',
        code: code('rxnorm', '3640', 'doxycycline'),
        status: 'completed',
        start: daysBefore(40),
        end: daysBefore(30),
      });
    const result = matchOne(patient, 'insight');
    const antibiotics = criterion(result, 'insight-ex-antibiotics');
    assert.equal(antibiotics.status, 'unknown');
    assert.equal(
      antibiotics.reason,
      `No current antibacterials for systemic use recorded on ${AS_OF} (last recorded: doxycycline, ended ${daysBefore(30)}; end not recorded: amoxicillin from ${daysBefore(20)})`,
    );
    assert.deepEqual(antibiotics.evidence, ['MedicationStatement/doxy', 'MedicationStatement/amox-no-end']);
    // The verdict is the one without the record: it rests on the silence and asks.
    const without = criterion(matchOne(depressedPatient(), 'insight'), 'insight-ex-antibiotics');
    assert.equal(antibiotics.status, without.status);
    assert.equal(antibiotics.collect, without.collect);
    assert.equal(result.verdict, matchOne(depressedPatient(), 'insight').verdict);
  });
});

describe("INSIGHT's medication-class exclusions: years of stopped orders of one medicine, end not recorded", () => {
  it('are named once with their count and the range of their starts, the latest medicine first, each still cited', () => {
    let patient = depressedPatient().medicationStatement({
      id: 'amox-no-end',
      code: code('rxnorm', '723', 'amoxicillin'),
      status: 'completed',
      start: daysBefore(20),
    });
    const capsule = code('rxnorm', '308182', 'Amoxicillin 250 MG Oral Capsule');
    for (const [k, days] of [400, 900, 1500].entries()) {
      patient = patient.medicationRequest({
        id: `amox-order-${k}`,
        code: capsule,
        status: 'stopped',
        authoredOn: daysBefore(days),
      });
    }
    const antibiotics = criterion(matchOne(patient, 'insight'), 'insight-ex-antibiotics');
    assert.equal(antibiotics.status, 'unknown');
    assert.equal(
      antibiotics.reason,
      `No current antibacterials for systemic use recorded on ${AS_OF} (end not recorded: amoxicillin from ${daysBefore(20)}, Amoxicillin 250 MG Oral Capsule, 3 records from ${daysBefore(1500)} to ${daysBefore(400)})`,
    );
    assert.equal(antibiotics.evidence.length, 4);
  });
});

describe("INSIGHT's diverticulitis exclusion: diverticulitis only, never diverticulosis", () => {
  const withCode = (system: 'icd10' | 'icd10cm', value: string) =>
    depressedPatient().condition({ id: 'gi', code: code(system, value), onset: '2020-05-01' });
  const status = (system: 'icd10' | 'icd10cm', value: string): string =>
    criterion(matchOne(withCode(system, value), 'insight'), 'insight-ex-diverticulitis').status;
  it('ICD-10-CM diverticulitis K57.32 and K57.20 exclude; diverticulosis K57.30 and K57.91 do not', () => {
    assert.equal(status('icd10cm', 'K57.32'), 'met');
    assert.equal(status('icd10cm', 'K57.20'), 'met');
    assert.equal(status('icd10cm', 'K57.30'), 'unknown');
    assert.equal(status('icd10cm', 'K57.91'), 'unknown');
  });
  it('WHO ICD-10 K57.2 (with perforation and abscess) excludes; K57.3, which does not separate them, asks', () => {
    assert.equal(status('icd10', 'K57.2'), 'met');
    assert.equal(status('icd10', 'K57.3'), 'unknown');
  });
});

describe('appliesTo stops asking, never overrides a recorded pregnancy (definition 6)', () => {
  const person = (birthDate: string, gender: 'female' | 'male') =>
    new BundleBuilder('applies-to').patient({ birthDate, gender }).condition({
      id: 'depression',
      code: code('icd10', 'F33.1', 'Recurrent depressive disorder'),
      clinicalStatus: 'active',
      onset: '2024-01-10',
    });
  it('a positive pregnancy test at 61 and a pregnancy Condition in a man exclude from every trial', () => {
    const hcg = {
      id: 'hcg',
      code: code('loinc', '2106-3', 'hCG [Presence] in Urine'),
      date: daysBefore(21),
      valueCoding: code('snomed', '10828004', 'Positive'),
    };
    const older = person('1965-01-10', 'female').observation(hcg);
    const man = person('1981-03-15', 'male').condition({
      id: 'preg',
      code: code('icd10', 'Z33.1', 'Pregnant state, incidental'),
      clinicalStatus: 'active',
    });
    for (const [b, ref] of [
      [older, 'Observation/hcg'],
      [man, 'Condition/preg'],
    ] as const) {
      for (const trial of ['insight', 'nct07052058', 'nct07493317']) {
        const c = criterion(matchOne(b, trial), `${trial}-ex-pregnancy`);
        assert.equal(c.status, 'met', `${trial}: ${c.reason}`);
        assert.ok(c.evidence.includes(ref));
      }
    }
  });
  it('with nothing recorded, a man is still not asked for a pregnancy test', () => {
    const c = criterion(matchOne(person('1981-03-15', 'male'), 'insight'), 'insight-ex-pregnancy');
    assert.equal(c.status, 'not-met');
    assert.match(c.reason, /Does not apply: male patient/);
  });
});

describe("INSIGHT's concurrent immunosuppressants include the pathway's conventional immunosuppressants", () => {
  it('current methotrexate is met (excluded), as assess raises its caution; none recorded asks', () => {
    const b = depressedPatient().medicationStatement({
      id: 'mtx',
      code: code('rxnorm', '6851', 'methotrexate'),
      status: 'active',
      start: daysBefore(60),
    });
    const c = criterion(matchOne(b, 'insight'), 'insight-ex-conventional-immunosuppressant');
    assert.equal(c.status, 'met', c.reason);
    assert.deepEqual(c.evidence, ['MedicationStatement/mtx']);
    const none = criterion(matchOne(depressedPatient(), 'insight'), 'insight-ex-conventional-immunosuppressant');
    assert.equal(none.status, 'unknown');
    assert.match(none.collect ?? '', /methotrexate/);
  });
});

describe('a CRP the pathway calls acute because of an infection says so (definition 5)', () => {
  it('hs-CRP 7 mg/L during pneumonia gives the infection, not "above 10 mg/L", as the reason', () => {
    const b = depressedPatient()
      .condition({
        id: 'pna',
        code: code('icd10', 'J18.9', 'Pneumonia, unspecified'),
        clinicalStatus: 'resolved',
        onset: daysBefore(40),
        abatement: daysBefore(30),
      })
      .observation(hsCrp('crp', 7, daysBefore(21)));
    const c = criterion(matchOne(b, 'insight'), 'insight-in-hscrp');
    assert.match(
      c.reason,
      /while an infection was active or within 14 days after it resolved \(Condition\/pna, from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\)/,
    );
    assert.doesNotMatch(c.reason, /above 10 mg\/L/);
  });
});

describe('a pregnancy test or breastfeeding answer the pathway cannot read is named, never "nothing recorded"', () => {
  const hcg = (id: string, extra: { quantity?: ReturnType<typeof ucum>; valueCoding?: ReturnType<typeof code> }) => ({
    id,
    code: code('loinc', '21198-7', 'hCG [Units/volume] in Serum or Plasma'),
    date: daysBefore(10),
    ...extra,
  });
  it('a quantitative hCG without an interpretation leaves every pregnancy exclusion unknown, citing the test', () => {
    const b = depressedPatient().observation(hcg('hcg', { quantity: ucum(250, 'm[IU]/mL') }));
    for (const trial of ['insight', 'nct07052058', 'nct07493317']) {
      const c = criterion(matchOne(b, trial), `${trial}-ex-pregnancy`);
      assert.equal(c.status, 'unknown', `${trial}: ${c.reason}`);
      assert.doesNotMatch(c.reason, /No pregnancy or breastfeeding recorded/);
      assert.match(c.reason, /neither positive nor negative/);
      assert.deepEqual(c.evidence, ['Observation/hcg']);
      assert.match(c.collect ?? '', /pregnancy/);
    }
  });
  it('a positive test coded with the LOINC answer LA6576-8 is met (excluded), as assess reads it', () => {
    const b = depressedPatient().observation(hcg('hcg', { valueCoding: code('loinc', 'LA6576-8', 'Positive') }));
    const c = criterion(matchOne(b, 'insight'), 'insight-ex-pregnancy');
    assert.equal(c.status, 'met', c.reason);
    assert.deepEqual(c.evidence, ['Observation/hcg']);
  });
  it('a positive test older than the window is named as to confirm, not as "nothing recorded"', () => {
    const b = depressedPatient().observation({
      ...hcg('old', { valueCoding: code('loinc', 'LA6576-8', 'Positive') }),
      date: daysBefore(300),
    });
    const c = criterion(matchOne(b, 'nct07052058'), 'nct07052058-ex-pregnancy');
    assert.equal(c.status, 'unknown', c.reason);
    assert.match(c.reason, /older than the 280-day window/);
    assert.deepEqual(c.evidence, ['Observation/old']);
  });
});

describe('a negative pregnancy test in the window is named, never "nothing recorded" (definition 6)', () => {
  const test = (id: string, days: number, answer: '10828004' | '260385009') => ({
    id,
    code: code('loinc', '2106-3', 'hCG [Presence] in Urine'),
    date: daysBefore(days),
    valueCoding: code('snomed', answer, answer === '10828004' ? 'Positive' : 'Negative'),
  });
  it('a negative test 5 days ago is named with its date and cited, and no test is asked for; still unknown', () => {
    const b = depressedPatient().observation(test('hcg', 5, '260385009'));
    for (const trial of ['insight', 'nct07052058', 'nct07493317']) {
      const c = criterion(matchOne(b, trial), `${trial}-ex-pregnancy`);
      assert.equal(c.status, 'unknown', `${trial}: ${c.reason}`);
      assert.equal(c.reason, `Negative pregnancy test on ${daysBefore(5)}; no pregnancy or breastfeeding recorded`);
      assert.deepEqual(c.evidence, ['Observation/hcg']);
      assert.doesNotMatch(c.collect ?? '', /pregnancy test/);
      assert.match(c.collect ?? '', /breastfeeding status/);
    }
  });
  it('a positive test followed by a negative one names the negative; a later positive still excludes', () => {
    const undone = depressedPatient()
      .observation(test('pos', 60, '10828004'))
      .observation(test('neg', 5, '260385009'));
    const c = criterion(matchOne(undone, 'insight'), 'insight-ex-pregnancy');
    assert.equal(c.status, 'unknown', c.reason);
    assert.deepEqual(c.evidence, ['Observation/neg']);
    const later = depressedPatient()
      .observation(test('neg', 60, '260385009'))
      .observation(test('pos', 5, '10828004'));
    assert.equal(criterion(matchOne(later, 'insight'), 'insight-ex-pregnancy').status, 'met');
  });
  it('a quantitative hCG without an interpretation settled by a later negative test: the negative is named', () => {
    const quantitative = (id: string, days: number) => ({
      id,
      code: code('loinc', '21198-7', 'hCG [Units/volume] in Serum or Plasma'),
      date: daysBefore(days),
      quantity: ucum(2, 'm[IU]/mL'),
    });
    const settled = depressedPatient()
      .observation(quantitative('qhcg', 20))
      .observation(test('neg', 5, '260385009'));
    const c = criterion(matchOne(settled, 'insight'), 'insight-ex-pregnancy');
    assert.equal(c.status, 'unknown', c.reason);
    assert.equal(c.reason, `Negative pregnancy test on ${daysBefore(5)}; no pregnancy or breastfeeding recorded`);
    assert.deepEqual(c.evidence, ['Observation/neg']);
    assert.doesNotMatch(c.collect ?? '', /pregnancy test/);
    // Settled, it no longer keeps a woman of 62 (outside 10-60 [U]) asked: the criterion does not apply to her.
    const older = new BundleBuilder('older')
      .patient({ birthDate: '1964-01-10', gender: 'female' })
      .observation(quantitative('qhcg', 20))
      .observation(test('neg', 5, '260385009'));
    const at62 = criterion(matchOne(older, 'insight'), 'insight-ex-pregnancy');
    assert.equal(at62.status, 'not-met', at62.reason);
    assert.match(at62.reason, /^Does not apply: age 62/);
    // The other way round the newer test cannot be read: it is named and its result asked for, as before.
    const unsettled = depressedPatient()
      .observation(test('neg', 20, '260385009'))
      .observation(quantitative('qhcg', 5));
    const open = criterion(matchOne(unsettled, 'insight'), 'insight-ex-pregnancy');
    assert.match(open.reason, /neither positive nor negative/);
    assert.deepEqual(open.evidence, ['Observation/qhcg']);
    assert.match(open.collect ?? '', /pregnancy test/);
  });
  it('a breastfeeding answer "no" is named and not asked again, alone or with a negative test; still unknown', () => {
    const no = {
      id: 'bf',
      code: code('loinc', '63895-7', 'Breastfeeding status'),
      date: daysBefore(7),
      valueCoding: code('snomed', '373067005', 'No'),
    };
    const alone = criterion(matchOne(depressedPatient().observation(no), 'insight'), 'insight-ex-pregnancy');
    assert.equal(alone.status, 'unknown', alone.reason);
    assert.equal(alone.reason, `Not breastfeeding on ${daysBefore(7)}; no pregnancy or breastfeeding recorded`);
    assert.deepEqual(alone.evidence, ['Observation/bf']);
    assert.equal(alone.collect, 'pregnancy test');
    const both = depressedPatient()
      .observation(no)
      .observation(test('neg', 5, '260385009'));
    const c = criterion(matchOne(both, 'nct07052058'), 'nct07052058-ex-pregnancy');
    assert.equal(c.status, 'unknown', c.reason);
    assert.equal(
      c.reason,
      `Negative pregnancy test on ${daysBefore(5)}; not breastfeeding on ${daysBefore(7)}; no pregnancy or breastfeeding recorded`,
    );
    assert.deepEqual(c.evidence, ['Observation/neg', 'Observation/bf']);
    assert.equal(c.collect, `any pregnancy since the negative test of ${daysBefore(5)}`);
  });
  it('a negative test older than the 280-day window is not named: a test is asked for', () => {
    const c = criterion(
      matchOne(depressedPatient().observation(test('old', 300, '260385009')), 'insight'),
      'insight-ex-pregnancy',
    );
    assert.equal(c.reason, 'No pregnancy or breastfeeding recorded');
    assert.deepEqual(c.evidence, []);
    assert.match(c.collect ?? '', /pregnancy test/);
  });
});

describe('a depression the pathway reads as ended by a later remission is not current for any trial (definition 1)', () => {
  const remission = (onset: string) =>
    depressedPatient().condition({
      id: 'remission',
      code: code('icd10', 'F33.4', 'Recurrent depressive disorder, currently in remission'),
      clinicalStatus: 'active',
      onset,
    });
  const ids = [
    ['insight', 'insight-in-depression'],
    ['nct07052058', 'nct07052058-in-depression'],
    ['nct07493317', 'nct07493317-in-mdd'],
  ] as const;
  it('F33.1 from 2024, then F33.4 in remission recorded in 2026: not met, with the pathway reason', () => {
    for (const [trial, id] of ids) {
      const c = criterion(matchOne(remission(daysBefore(60)), trial), id);
      assert.equal(c.status, 'not-met', `${trial}: ${c.reason}`);
      assert.match(c.reason, /episode ended by a remission recorded on/);
      assert.ok(c.evidence.includes('Condition/depression'));
    }
  });
  it('a remission recorded before the active diagnosis does not end it: met', () => {
    for (const [trial, id] of ids) {
      assert.equal(criterion(matchOne(remission('2023-06-01'), trial), id).status, 'met', trial);
    }
  });
});
