import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { convertQuantity, isUcum } from '../units/index.ts';
import { PathwaySchema, pathwayCitationKeys, pathwayCodeSetIds } from './schema-pathway.ts';

const file = new URL('../../knowledge/pathway/care-pathway.json', import.meta.url);
const bundled = (): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

function errorsOf(json: unknown): string[] {
  const r = PathwaySchema.safeParse(json);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('PathwaySchema and the bundled care pathway', () => {
  test('the bundled file is valid: id trd-il6-candidacy, version 1.1.7, 8 decision rows in order', () => {
    const p = PathwaySchema.parse(bundled());
    assert.equal(p.id, 'trd-il6-candidacy');
    assert.equal(p.version, '1.1.7');
    assert.deepEqual(
      p.decision.map((r) => r.code),
      [
        'out-of-scope',
        'confirm-history',
        'not-trd',
        'contraindicated',
        'measure-crp',
        'repeat-crp',
        'not-inflamed',
        'refer-to-trial',
      ],
    );
  });

  test('docs/care-pathway.md defaults: 30/42/730/90/84 days, 2 trials, cut-off 3 inclusive, acute > 10, molar factor unverified', () => {
    const d = PathwaySchema.parse(bundled()).definitions;
    assert.equal(d.exposure.maxGapDays.value, 30);
    assert.equal(d.adequacy.minDurationDays.value, 42);
    assert.equal(d.adequacy.lookbackDays.value, 730);
    assert.equal(d.adequacy.requiredTrials.value, 2);
    assert.equal(d.inflammation.windowDays.value, 90);
    assert.deepEqual([d.inflammation.cutOff.value, d.inflammation.cutOff.inclusive], [3, true]);
    assert.deepEqual([d.inflammation.acuteAbove.value, d.inflammation.acuteAbove.inclusive], [10, false]);
    assert.deepEqual([d.inflammation.molarFactor.value, d.inflammation.molarFactor.verified], [9.524, false]);
    assert.equal(d.inflammation.tocilizumabSuppressionDays.value, 84);
    assert.equal(d.labs.windowDays.value, 90);
  });

  test('every unit label names a UCUM unit, and no label is itself a UCUM unit meaning what the label means', () => {
    const { labels, verified } = PathwaySchema.parse(bundled()).definitions.unitLabels;
    assert.equal(verified, false);
    for (const [label, ucum] of Object.entries(labels)) {
      assert.ok(isUcum(ucum), `${label}: ${ucum} is UCUM`);
      // A label UCUM converts to its unit as meant would never be consulted (labels are read only when that fails).
      const asSent = convertQuantity({ value: 1, ucum: label }, ucum);
      assert.ok(!(asSent.ok && asSent.value === 1), `${label} is read by UCUM already`);
    }
  });

  test('contraindication thresholds: ANC < 2.0, platelets < 100 (x10^9/L), ALT/AST > 1.5 x ULN, all exclusive', () => {
    const p = PathwaySchema.parse(bundled());
    const byCode = new Map(p.contraindications.map((c) => [c.code, c]));
    const anc = byCode.get('neutropenia');
    const plt = byCode.get('thrombocytopenia');
    const hep = byCode.get('hepatic');
    assert.ok(anc?.predicate === 'lab-below' && plt?.predicate === 'lab-below' && hep?.predicate === 'lab-above-uln');
    assert.deepEqual([anc.threshold.value, anc.threshold.unit, anc.threshold.inclusive], [2, '10*9/L', false]);
    assert.deepEqual([plt.threshold.value, plt.threshold.inclusive], [100, false]);
    assert.deepEqual([hep.multipleOfUln.value, hep.multipleOfUln.inclusive], [1.5, false]);
    assert.equal(hep.defaultUln.alt.verified, false);
    assert.equal(p.contraindications.length, 10);
  });

  test('collects code-set ids and citation keys with their field paths', () => {
    const p = PathwaySchema.parse(bundled());
    const ids = pathwayCodeSetIds(p);
    assert.ok(ids.some((u) => u.id === 'depression' && u.path === 'definitions.depression.codeSets[0]'));
    assert.ok(ids.some((u) => u.id === 'crp'));
    const keys = pathwayCitationKeys(p);
    assert.ok(
      keys.some((k) => k.key === 'insight-protocol-2018' && k.path === 'definitions.inflammation.cutOff.citation'),
    );
    assert.ok(!keys.some((k) => k.path.startsWith('citations')), 'the citations block itself is not a use');
  });

  test('rejects an unknown predicate, a misnumbered row, a missing row, an unknown placeholder and a fractional window', () => {
    const unknownWhen = bundled() as { decision: { when: string }[] };
    (unknownWhen.decision[0] as { when: string }).when = 'crp-above-5';
    assert.ok(errorsOf(unknownWhen).some((e) => e.startsWith('decision.0.when')));

    const misnumbered = bundled() as { decision: { rule: number }[] };
    (misnumbered.decision[1] as { rule: number }).rule = 7;
    assert.ok(errorsOf(misnumbered).some((e) => /rule must be 2/.test(e)));

    const missing = bundled() as { decision: unknown[] };
    missing.decision.splice(6, 1);
    assert.ok(errorsOf(missing).some((e) => /no row for when "inflammation-normal"/.test(e)));

    const placeholder = bundled() as { decision: { patientSummary: string }[] };
    (placeholder.decision[7] as { patientSummary: string }).patientSummary = 'CRP {crpValue}';
    assert.ok(errorsOf(placeholder).some((e) => /unknown placeholder \{crpValue\}/.test(e)));

    const fractional = bundled() as { definitions: { exposure: { maxGapDays: { value: number } } } };
    fractional.definitions.exposure.maxGapDays.value = 30.5;
    assert.ok(errorsOf(fractional).some((e) => e.startsWith('definitions.exposure.maxGapDays.value')));
  });
  test('cross-field: a CRP cut-off at or above the acute threshold, or in another unit, is refused', () => {
    type Inflammation = {
      definitions: { inflammation: { cutOff: { value: number }; acuteAbove: { value: number; unit: string } } };
    };
    const above = bundled() as Inflammation;
    above.definitions.inflammation.cutOff.value = 12;
    assert.ok(errorsOf(above).some((e) => /cutOff\.value: the CRP cut-off must be below the acute threshold/.test(e)));
    const equal = bundled() as Inflammation;
    equal.definitions.inflammation.cutOff.value = equal.definitions.inflammation.acuteAbove.value;
    assert.ok(errorsOf(equal).some((e) => /must be below the acute threshold/.test(e)));
    const unit = bundled() as Inflammation;
    unit.definitions.inflammation.acuteAbove.unit = 'mg/dL';
    assert.ok(errorsOf(unit).length > 0);
    assert.deepEqual(errorsOf(bundled()), []);
  });

  test('a CRP limit or a lab threshold in another unit than the results are compared in, or implausible in it, is refused', () => {
    type Loose = {
      definitions: { inflammation: Record<string, { value: number; unit: string }> };
      contraindications: { code: string; threshold?: { value: number; unit: string } }[];
    };
    const edited = (edit: (p: Loose) => void): string[] => {
      const p = bundled() as Loose;
      edit(p);
      return errorsOf(p);
    };
    const neutropenia = (p: Loose): { value: number; unit: string } =>
      p.contraindications.find((c) => c.code === 'neutropenia')?.threshold ?? assert.fail('no neutropenia rule');
    const index = (bundled() as Loose).contraindications.findIndex((c) => c.code === 'neutropenia');
    // Both CRP limits in mg/dL (0.3 and 1.0): they agree with each other but would be read as 0.3 and 1.0 mg/L.
    const crp = edited((p) => {
      const { cutOff, acuteAbove } = p.definitions.inflammation;
      Object.assign(cutOff ?? {}, { value: 0.3, unit: 'mg/dL' });
      Object.assign(acuteAbove ?? {}, { value: 1, unit: 'mg/dL' });
    });
    assert.ok(
      crp.some((e) => /^definitions\.inflammation\.cutOff\.unit: must be "mg\/L"/.test(e)),
      crp.join('\n'),
    );
    assert.ok(crp.some((e) => /^definitions\.inflammation\.acuteAbove\.unit: must be "mg\/L"/.test(e)));
    // The ANC limit as the label writes it (2000/mm3): under /mm3, or as 2000 under 10^9/L.
    const perMm3 = edited((p) => Object.assign(neutropenia(p), { value: 2000, unit: '/mm3' }));
    assert.deepEqual(perMm3, [
      `contraindications.${index}.threshold.unit: is "/mm3", not the unit of definitions.labs.analytes.anc ("10*9/L"): results are converted to that unit and compared with this value as written (give the value in 10*9/L, or correct the analyte's unit if it is the wrong one)`,
    ]);
    // The analyte's own unit mistyped: each field that must agree with it names both units, so the maintainer sees
    // which one is odd (the analyte's), not only that the others differ from it.
    const analyte = edited((p) => {
      (
        p as unknown as { definitions: { labs: { analytes: { anc: { unit: string } } } } }
      ).definitions.labs.analytes.anc.unit = 'mg/L';
    });
    assert.deepEqual(analyte, [
      'definitions.plausibility.safetyLabs.anc.unit: is "10*9/L", not the unit of definitions.labs.analytes.anc ("mg/L"): results in that unit are compared with this range as written (give the range in mg/L, or correct the analyte\'s unit if it is the wrong one)',
      `contraindications.${index}.threshold.unit: is "10*9/L", not the unit of definitions.labs.analytes.anc ("mg/L"): results are converted to that unit and compared with this value as written (give the value in mg/L, or correct the analyte's unit if it is the wrong one)`,
    ]);
    const count = edited((p) => Object.assign(neutropenia(p), { value: 2000 }));
    assert.deepEqual(count, [
      `contraindications.${index}.threshold.value: 2000 10*9/L is outside the plausible anc range (0 to 200 10*9/L, definitions.plausibility.safetyLabs.anc): is it in another unit?`,
    ]);
    // A body weight range in pounds would be compared with weights entered in kg.
    const pounds = bundled() as { definitions: { plausibility: { bodyWeightKg: { unit: string } } } };
    pounds.definitions.plausibility.bodyWeightKg.unit = '[lb_av]';
    assert.deepEqual(errorsOf(pounds), [
      'definitions.plausibility.bodyWeightKg.unit: must be "kg": body weights are entered in kg and compared with this range as written',
    ]);
  });

  test('the number of adequate trials required is a whole number of at least 1, met when the count equals it', () => {
    type Loose = { definitions: { adequacy: { requiredTrials: { value: number; inclusive: boolean } } } };
    const required = (value: number, inclusive: boolean): string[] => {
      const p = bundled() as Loose;
      Object.assign(p.definitions.adequacy.requiredTrials, { value, inclusive });
      return errorsOf(p);
    };
    const field = 'definitions.adequacy.requiredTrials';
    assert.deepEqual(required(0, true), [`${field}.value: must be at least 1`]);
    assert.deepEqual(required(2.5, true), [`${field}.value: must be a whole number`]);
    // The engine counts adequate >= required: "more than 2" cannot be written as 2 exclusive.
    assert.deepEqual(required(2, false), [
      `${field}.inclusive: must be true: the count is reached when it equals the value (count >= value)`,
    ]);
    assert.deepEqual(required(3, true), []);
  });

  test('an age limit is in whole years (unit a): 18 months or 65.5 is refused, not compared as years', () => {
    type Loose = {
      definitions: { scope: { adultAgeYears: { value: number; unit: string } } };
      cautions: { code: string; ageYears?: { value: number; unit: string } }[];
    };
    const months = bundled() as Loose;
    Object.assign(months.definitions.scope.adultAgeYears, { value: 216, unit: 'mo' });
    assert.deepEqual(errorsOf(months), [
      'definitions.scope.adultAgeYears.unit: must be "a" (years): ages are compared in completed years',
    ]);
    const fractional = bundled() as Loose;
    const older = fractional.cautions.findIndex((c) => c.code === 'older-age');
    Object.assign(fractional.cautions[older]?.ageYears ?? {}, { value: 65.5 });
    assert.deepEqual(
      errorsOf(fractional).map((e) => e.split(':')[0]),
      [`cautions.${older}.ageYears.value`],
    );
  });

  test('a rule code listed twice (a rule copied to be edited, the original left in place) is refused', () => {
    type Loose = { contraindications: { code: string; threshold?: { value: number } }[]; cautions: { code: string }[] };
    const p = bundled() as Loose;
    const neutropenia = p.contraindications.findIndex((c) => c.code === 'neutropenia');
    const copy = structuredClone(p.contraindications[neutropenia]!);
    copy.threshold!.value = 1.5;
    p.contraindications.push(copy);
    p.cautions.push(structuredClone(p.cautions[0]!));
    assert.deepEqual(errorsOf(p), [
      `contraindications.${p.contraindications.length - 1}.code: "neutropenia" is also contraindications[${neutropenia}]: each code once (remove the copy, or merge the two)`,
      `cautions.${p.cautions.length - 1}.code: "${p.cautions[0]!.code}" is also cautions[0]: each code once (remove the copy, or merge the two)`,
    ]);
  });

  test('cross-field: work-up rulesOut must match the contraindications that read its lab; taken and unconfirmed apart', () => {
    type Loose = {
      missingWorkup: { code: string; rulesOut?: string[] }[];
      contraindications: { code: string }[];
      definitions: { currentMedication: { records: { statement: { unconfirmed: string[] } } } };
    };
    const anc = (p: Loose) => p.missingWorkup.find((w) => w.code === 'anc') as { rulesOut: string[] };
    const moved = bundled() as Loose;
    anc(moved).rulesOut = ['thrombocytopenia'];
    assert.ok(
      errorsOf(moved).some((e) =>
        /missingWorkup\.0\.rulesOut: must be the contraindications that read anc: neutropenia/.test(e),
      ),
      errorsOf(moved).join('; '),
    );
    const undefinedCode = bundled() as Loose;
    undefinedCode.contraindications = undefinedCode.contraindications.filter((c) => c.code !== 'tuberculosis');
    assert.ok(errorsOf(undefinedCode).some((e) => /no contraindication "tuberculosis" is defined/.test(e)));
    const both = bundled() as Loose;
    both.definitions.currentMedication.records.statement.unconfirmed.push('active');
    assert.ok(errorsOf(both).some((e) => /statement\.unconfirmed: "active" is also a taken status/.test(e)));
  });
});
