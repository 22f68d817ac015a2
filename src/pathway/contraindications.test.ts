import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deriveFacts } from './index.ts';
import type { ClinicalFacts } from './index.ts';
import {
  AS_OF,
  candidate,
  concept,
  condition,
  daysBefore,
  hsCrp,
  knowledge,
  medication,
  quantityObservation,
  RXNORM,
  screen,
  SYSTEM,
  workup,
} from './builders.test-support.ts';
import type { Workup } from './builders.test-support.ts';
import type { RecordParts } from './builders.test-support.ts';
import type { ConditionFact, MedicationFact, ObservationFact } from '../record/index.ts';

type Extra = RecordParts & {
  extraConditions?: ConditionFact[];
  extraMedications?: MedicationFact[];
  extraObservations?: ObservationFact[];
};
const facts = (extra: Extra): ClinicalFacts => deriveFacts(candidate(extra), knowledge, AS_OF);
const codes = (f: ClinicalFacts): string[] => f.contraindications.map((c) => c.code);
const withLabs = (w: Workup): ClinicalFacts => facts({ observations: [hsCrp(7), ...workup(w)] });

describe('absolute contraindications (definition 6)', () => {
  test('none for the base candidate', () => assert.deepEqual(codes(facts({})), []));

  test('active-infection: an active pneumonia; a resolved one does not count', () => {
    const f = facts({ extraConditions: [condition(SYSTEM.icd10, 'J18.9')] });
    assert.deepEqual(codes(f), ['active-infection']);
    assert.equal(f.contraindications[0]?.citation, 'actemra-us-pi-boxed-warning');
    assert.equal(f.contraindications[0]?.evidence.length, 1);
    // The infection is named, not left to its resource id: the clinician knows what to treat before reassessing.
    assert.equal(f.contraindications[0]?.detail, 'active condition recorded: J18.9');
    const named = facts({
      extraConditions: [
        condition(SYSTEM.icd10, 'J18.9', { code: { ...concept(SYSTEM.icd10, 'J18.9'), text: 'Pneumonia' } }),
      ],
    });
    assert.equal(named.contraindications[0]?.detail, 'active condition recorded: J18.9 Pneumonia');
    assert.deepEqual(
      codes(facts({ extraConditions: [condition(SYSTEM.icd10, 'J18.9', { clinicalStatus: 'resolved' })] })),
      [],
    );
    assert.deepEqual(
      codes(facts({ extraConditions: [condition(SYSTEM.icd10, 'J18.9', { abatement: daysBefore(3) })] })),
      [],
    );
  });

  test('tuberculosis: active TB; positive IGRA untreated; a treated positive IGRA does not block', () => {
    assert.deepEqual(codes(facts({ extraConditions: [condition(SYSTEM.icd10, 'A15.0')] })), ['tuberculosis']);
    const positive = [
      hsCrp(7),
      ...workup().filter((o) => o.code.codings[0]?.code !== '71773-6'),
      screen('71773-6', true),
    ];
    assert.deepEqual(codes(facts({ observations: positive })), ['tuberculosis']);
    const treated = facts({
      observations: positive,
      extraMedications: [medication(RXNORM.isoniazid, { start: daysBefore(29), end: daysBefore(1) })],
    });
    assert.deepEqual(codes(treated), []);
    // Care pathway 1.1 def 6: treatment must start on or after the first positive result (here 30 days ago); 1.0
    // accepted any isoniazid record, so a course that ended before the screen used to count.
    const before = facts({
      observations: positive,
      extraMedications: [medication(RXNORM.isoniazid, { start: daysBefore(200), end: daysBefore(40) })],
    });
    assert.deepEqual(codes(before), ['tuberculosis']);
  });

  test('hepatitis: chronic hepatitis C; HBsAg positive', () => {
    assert.deepEqual(codes(facts({ extraConditions: [condition(SYSTEM.icd10, 'B18.2')] })), ['hepatitis']);
    const hbsag = [hsCrp(7), ...workup().filter((o) => o.code.codings[0]?.code !== '5196-1'), screen('5196-1', true)];
    assert.deepEqual(codes(facts({ observations: hbsag })), ['hepatitis']);
  });

  test('an HBsAg or IGRA result that reads as neither positive nor negative: not done, named in an issue', () => {
    const unreadable = (loinc: string, date: string): ObservationFact => ({
      ...screen(loinc, false, date),
      value: { kind: 'concept', concept: { codings: [], text: 'Positive' } },
    });
    const without = (loinc: string) => workup().filter((o) => o.code.codings[0]?.code !== loinc);
    const issuesOf = (f: ClinicalFacts) => f.issues.filter((i) => i.code === 'pathway.screen.unreadable');
    // The only result: not done (the work-up asks for it), never negative.
    const only = facts({ observations: [hsCrp(7), ...without('5196-1'), unreadable('5196-1', daysBefore(10))] });
    assert.equal(only.screens.hepatitisBSurfaceAntigen?.outcome, 'indeterminate');
    assert.ok(only.missingWorkup.some((w) => w.code === 'hepatitis-b-serology'));
    assert.match(
      issuesOf(only)[0]?.message ?? '',
      /^HBsAg result of \d{4}-\d{2}-\d{2} reads as neither positive nor negative/,
    );
    // Newer than the last negative: the negative may no longer hold.
    const afterNegative = facts({ observations: [hsCrp(7), ...workup(), unreadable('5196-1', daysBefore(10))] });
    assert.equal(afterNegative.screens.hepatitisBSurfaceAntigen?.outcome, 'indeterminate');
    assert.match(issuesOf(afterNegative)[0]?.message ?? '', /after the negative of/);
    // Older than a negative: the negative stands, nothing to report.
    const beforeNegative = facts({ observations: [hsCrp(7), ...workup(), unreadable('5196-1', daysBefore(400))] });
    assert.equal(beforeNegative.screens.hepatitisBSurfaceAntigen?.outcome, 'negative');
    assert.deepEqual(issuesOf(beforeNegative), []);
    // A standing positive IGRA is not undone by a later unreadable one.
    const positive = facts({
      observations: [
        hsCrp(7),
        ...without('71773-6'),
        screen('71773-6', true, daysBefore(60)),
        unreadable('71773-6', daysBefore(5)),
      ],
    });
    assert.deepEqual(codes(positive), ['tuberculosis']);
  });

  test("an IGRA the laboratory reports indeterminate: not done, named as the laboratory's answer, flagged [U]", () => {
    const indeterminate = (date: string, codings: ObservationFact['interpretation'] = []): ObservationFact => ({
      ...screen('71773-6', false, date),
      value: { kind: 'concept', concept: { codings: [{ system: SYSTEM.loinc, code: 'LA11884-6' }] } },
      interpretation: codings,
    });
    const without = workup().filter((o) => o.code.codings[0]?.code !== '71773-6');
    const f = facts({ observations: [hsCrp(7), ...without, indeterminate(daysBefore(10))] });
    assert.equal(f.screens.latentTb?.outcome, 'indeterminate');
    assert.ok(f.missingWorkup.some((w) => w.code === 'latent-tb-screen'));
    const issue = f.issues.find((i) => i.code === 'pathway.screen.indeterminate');
    assert.match(
      issue?.message ?? '',
      /^latent TB screen \(IGRA or tuberculin test\) result of \d{4}-\d{2}-\d{2} is reported indeterminate by the laboratory \(Indeterminate, LA11884-6\): counted as not done; repeat the test$/,
    );
    // Not also called unreadable: the pathway knows the answer.
    assert.equal(f.issues.filter((i) => i.code === 'pathway.screen.unreadable').length, 0);
    // The code set's entry is unverified: the assessment says it rests on it.
    assert.ok(
      f.unverified.some((u) => u.item.includes('result-indeterminate')),
      JSON.stringify(f.unverified),
    );
    // An HL7 interpretation IND on a result with no coded value names it too.
    const byInterpretation = facts({
      observations: [
        hsCrp(7),
        ...without,
        {
          ...screen('71773-6', false, daysBefore(10)),
          value: { kind: 'string', text: 'see comment' },
          interpretation: [
            {
              codings: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'IND' }],
            },
          ],
        },
      ],
    });
    assert.match(
      byInterpretation.issues.find((i) => i.code === 'pathway.screen.indeterminate')?.message ?? '',
      /reported indeterminate by the laboratory \(Indeterminate, IND\)/,
    );
  });

  test('immunodeficiency: HIV disease', () => {
    assert.deepEqual(codes(facts({ extraConditions: [condition(SYSTEM.icd10, 'B20')] })), ['immunodeficiency']);
  });

  test('neutropenia: ANC 1.99 x10^9/L blocks, exactly 2.0 does not; 1990/uL converts', () => {
    assert.deepEqual(codes(withLabs({ ancPer10e9L: 1.99 })), ['neutropenia']);
    assert.deepEqual(codes(withLabs({ ancPer10e9L: 2.0 })), []);
    const perUl = [
      hsCrp(7),
      ...workup().filter((o) => o.code.codings[0]?.code !== '751-8'),
      quantityObservation('751-8', 1990, '/uL', daysBefore(10)),
    ];
    const f = facts({ observations: perUl });
    assert.deepEqual(codes(f), ['neutropenia']);
    assert.equal(f.labs.anc?.value, 1.99);
  });

  test('thrombocytopenia: platelets 99 blocks, exactly 100 x10^9/L does not', () => {
    const low = withLabs({ plateletsPer10e9L: 99 });
    assert.deepEqual(codes(low), ['thrombocytopenia']);
    // Named as a clinician writes it, not as the code id shouted ("PLATELETS 99").
    assert.match(low.contraindications[0]?.detail ?? '', /^platelets 99 x10\^9\/L on \d{4}-\d\d-\d\d \(< 100\)$/);
    assert.deepEqual(codes(withLabs({ plateletsPer10e9L: 100 })), []);
  });

  test('hepatic: ALT exactly 1.5 x ULN (60 with ULN 40) is not a contraindication; 60.1 is; AST too', () => {
    assert.deepEqual(codes(withLabs({ altUPerL: 60 })), []);
    assert.deepEqual(codes(withLabs({ altUPerL: 60.1 })), ['hepatic']);
    assert.deepEqual(codes(withLabs({ astUPerL: 75 })), ['hepatic']);
  });

  test('hepatic: ULN from the reference range, else the unverified default (reported)', () => {
    const rangeHigh = [
      hsCrp(7),
      ...workup().filter((o) => o.code.codings[0]?.code !== '1742-6'),
      quantityObservation('1742-6', 70, 'U/L', daysBefore(10), { uln: { value: 50, ucum: 'U/L' } }),
    ];
    const f = facts({ observations: rangeHigh });
    assert.deepEqual(codes(f), [], '70 <= 1.5 x 50');
    assert.ok(!f.unverified.some((u) => /default ULN/.test(u.item)));
    const noRange = [
      hsCrp(7),
      ...workup().filter((o) => o.code.codings[0]?.code !== '1742-6'),
      quantityObservation('1742-6', 70, 'U/L', daysBefore(10)),
    ];
    const g = facts({ observations: noRange });
    assert.deepEqual(codes(g), ['hepatic'], '70 > 1.5 x default 40');
    assert.ok(g.unverified.some((u) => /default ULN: ALT/.test(u.item)));
  });

  test("hepatic: the result's own ULN is never silently replaced by the default", () => {
    const alt = (referenceRange: ObservationFact['referenceRange']): ClinicalFacts =>
      facts({
        observations: [
          hsCrp(7),
          ...workup().filter((o) => o.code.codings[0]?.code !== '1742-6'),
          { ...quantityObservation('1742-6', 55, 'U/L', daysBefore(10)), referenceRange },
        ],
      });
    // A high given without a unit is in the result's unit: 55 > 1.5 x 33 (the default 40 would allow up to 60).
    const unitless = alt([{ high: { value: 33 } }]);
    assert.deepEqual(codes(unitless), ['hepatic']);
    assert.match(unitless.contraindications[0]?.detail ?? '', /1\.5 x ULN 33/);
    // A high in a unit that cannot be read ("IU/L" as text): the result cannot be judged against its own range, so
    // ALT counts as not measured and the work-up asks for it, with an issue; never the default in silence.
    const unreadable = alt([{ high: { value: 33, unitText: 'IU/L' } }]);
    assert.deepEqual(codes(unreadable), []);
    assert.equal(unreadable.labs.alt, undefined);
    assert.ok(unreadable.issues.some((i) => i.code === 'pathway.lab.reference-range' && /IU\/L/.test(i.message)));
    // A range with text only, or no high, has no ULN to read: the default applies, as before.
    assert.deepEqual(codes(alt([{ text: '7-56 U/L' }])), []);
    assert.deepEqual(codes(alt([{ low: { value: 7, ucum: 'U/L' } }])), []);
  });

  test("hepatic: the patient's own range is chosen among several, and ranges that disagree are never guessed", () => {
    const U = (value: number) => ({ value, ucum: 'U/L' });
    const male = { high: U(56), appliesTo: [concept(SYSTEM.snomed, '248153007', 'Male')] };
    const female = { high: U(25), appliesTo: [concept(SYSTEM.snomed, '248152002', 'Female')] };
    const alt = (referenceRange: ObservationFact['referenceRange'], sex?: 'male' | 'female'): ClinicalFacts =>
      facts({
        ...(sex === undefined ? {} : { sex }),
        observations: [
          hsCrp(7),
          ...workup().filter((o) => o.code.codings[0]?.code !== '1742-6'),
          { ...quantityObservation('1742-6', 45, 'U/L', daysBefore(10)), referenceRange },
        ],
      });
    // ALT 45 for a woman whose laboratory lists the men's range first: her range (25) makes it 1.8 x ULN.
    const woman = alt([male, female], 'female');
    assert.deepEqual(codes(woman), ['hepatic']);
    assert.match(woman.contraindications[0]?.detail ?? '', /1\.5 x ULN 25/);
    // For a man the same result is within 1.5 x 56.
    assert.deepEqual(codes(alt([male, female], 'male')), []);
    assert.equal(alt([male, female], 'male').labs.alt?.upperLimitOfNormal, 56);
    // A range for the patient's sex comes before one for everyone.
    assert.equal(alt([{ high: U(60) }, female], 'female').labs.alt?.upperLimitOfNormal, 25);
    // Ages: the adult range of a 45-year-old, not the first listed.
    const ages = (low: number, high: number) => ({ low: { value: low, ucum: 'a' }, high: { value: high, ucum: 'a' } });
    assert.equal(
      alt([
        { high: U(80), age: ages(0, 17) },
        { high: U(33), age: ages(18, 120) },
      ]).labs.alt?.upperLimitOfNormal,
      33,
    );
    // A range of another type (therapeutic) is not the normal range.
    const therapeutic = {
      high: U(100),
      type: concept('http://terminology.hl7.org/CodeSystem/referencerange-meaning', 'treatment'),
    };
    assert.equal(alt([therapeutic, { high: U(33) }]).labs.alt?.upperLimitOfNormal, 33);
    // Two ranges for everyone that disagree, or populations the pathway cannot read: not judged, never the first.
    for (const ranges of [
      [{ high: U(56) }, { high: U(25) }],
      [
        { high: U(56), appliesTo: [{ codings: [], text: 'Adults, local population A' }] },
        { high: U(25), appliesTo: [{ codings: [], text: 'Adults, local population B' }] },
      ],
    ]) {
      const f = alt(ranges, 'female');
      assert.deepEqual(codes(f), []);
      assert.equal(f.labs.alt, undefined);
      assert.ok(f.issues.some((i) => i.code === 'pathway.lab.reference-range' && /56 U\/L, 25 U\/L/.test(i.message)));
      assert.ok(f.missingWorkup.some((w) => w.code === 'alt'));
    }
  });

  test('lab contraindications use the most recent result in the 90-day window', () => {
    const obs = [
      hsCrp(7),
      ...workup({ ancPer10e9L: 1.2, date: daysBefore(60) }),
      quantityObservation('751-8', 3.1, '10*9/L', daysBefore(5)),
    ];
    assert.deepEqual(codes(facts({ observations: obs })), []);
    const stale = [hsCrp(7), ...workup({ ancPer10e9L: 1.2, date: daysBefore(91) })];
    const f = facts({ observations: stale });
    assert.deepEqual(codes(f), []);
    assert.ok(f.missingWorkup.some((w) => w.code === 'anc'));
  });

  test('pregnancy: an active pregnancy (SNOMED 77386006), named in the detail as the other condition findings are', () => {
    const pregnant = condition(SYSTEM.snomed, '77386006', {
      code: { ...concept(SYSTEM.snomed, '77386006'), text: 'Pregnancy' },
    });
    const f = facts({ extraConditions: [pregnant] });
    assert.deepEqual(codes(f), ['pregnancy']);
    const found = f.contraindications[0];
    assert.equal(found?.detail, 'active pregnancy or breastfeeding condition recorded: 77386006 Pregnancy');
    assert.deepEqual(found?.evidence, [pregnant.ref]);
  });

  test('hypersensitivity: an active allergy to tocilizumab; a refuted one does not count', () => {
    const allergy = {
      ref: 'AllergyIntolerance/a1',
      code: concept(SYSTEM.rxnorm, RXNORM.tocilizumab),
      clinicalStatus: 'active',
    };
    assert.deepEqual(codes(facts({ allergies: [allergy] })), ['hypersensitivity']);
    assert.deepEqual(codes(facts({ allergies: [{ ...allergy, verificationStatus: 'refuted' }] })), []);
  });

  test('hypersensitivity: an allergy naming tocilizumab or its brand without a listed code counts, to be confirmed', () => {
    const byName = (ref: string, text: string) => ({
      ref,
      code: { codings: [{ system: 'http://example.org/local-allergens', code: 'X1', display: text }] },
      clinicalStatus: 'active',
    });
    const f = facts({ allergies: [byName('AllergyIntolerance/a2', 'ACTEMRA (IV) - rash')] });
    assert.deepEqual(codes(f), ['hypersensitivity']);
    const found = f.contraindications[0];
    assert.deepEqual(found?.evidence, ['AllergyIntolerance/a2']);
    assert.match(
      found?.detail ?? '',
      /by name only, to confirm: AllergyIntolerance\/a2 named "Actemra" \(tocilizumab\)/,
    );
    assert.ok(f.issues.some((i) => i.code === 'allergy.named-only'));
    // A [U] brand name is listed as relied upon; a name of another medicine is not an allergy to tocilizumab.
    const tyenne = facts({ allergies: [byName('AllergyIntolerance/a3', 'Tyenne')] });
    assert.deepEqual(codes(tyenne), ['hypersensitivity']);
    assert.ok(tyenne.unverified.some((u) => /Tyenne/.test(u.item)));
    assert.deepEqual(codes(facts({ allergies: [byName('AllergyIntolerance/a4', 'Kevzara')] })), []);
    assert.deepEqual(codes(facts({ allergies: [byName('AllergyIntolerance/a5', 'penicillin')] })), []);
  });

  test('immunosuppressant: current adalimumab (ATC L04AB04); a stopped one does not count', () => {
    const current = medication('L04AB04', { system: SYSTEM.atc, start: daysBefore(100) });
    assert.deepEqual(codes(facts({ extraMedications: [current] })), ['immunosuppressant']);
    const past = medication('L04AB04', { system: SYSTEM.atc, start: daysBefore(300), end: daysBefore(100) });
    assert.deepEqual(codes(facts({ extraMedications: [past] })), []);
  });

  test('several contraindications are all listed', () => {
    const f = facts({
      extraConditions: [condition(SYSTEM.icd10, 'J18.9'), condition(SYSTEM.icd10, 'B20')],
      observations: [hsCrp(7), ...workup({ plateletsPer10e9L: 50 })],
    });
    assert.deepEqual(codes(f).sort(), ['active-infection', 'immunodeficiency', 'thrombocytopenia']);
  });
});
