/**
 * The synthetic population plants the pre-biologic screens a real health system holds (docs/screening.md, "Synthetic
 * populations"): an IGRA and hepatitis B serology (HBsAg, anti-HBc) for most treatment-resistant patients and some
 * others, coded as the pathway's code sets list them, some IGRAs older than the pathway's window; and the ground truth
 * follows what they show (untreated latent TB, HBsAg positive: contraindications; isolated anti-HBc: a caution only),
 * as the engine does on each patient's own Bundle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { populationOptions } from '../cli/commands/synth.ts';
import { createEngine } from '../engine/index.ts';
import { inCodeSet } from '../knowledge/index.ts';
import { toDayNumber } from '../record/index.ts';
import { patientBundle } from './fhir.ts';
import { patientRows, vocabularyRows } from './omop.ts';
import { generatePopulation, SCREEN_CODES, type SynthPatient } from './population.ts';
import { thresholdsFrom, truthOf } from './truth.ts';

const asOf = '2026-11-30';
const engine = createEngine();
const k = engine.knowledge;
const patients = [...generatePopulation(populationOptions(5, asOf), 0, 20_000)];
const t = thresholdsFrom(k);
const days = (c: SynthPatient['courses'][number]): number =>
  (toDayNumber(c.end) as number) - (toDayNumber(c.start) as number) + 1;
/** Treatment-resistant by the planted courses (the truth's count), in scope. */
const trd = patients.filter(
  (p) =>
    truthOf(p, asOf, t).scope === 'in-scope' &&
    p.courses.filter((c) => c.unitsPerDay !== undefined && days(c) >= t.minDurationDays).length >= t.requiredTrials,
);

test('the screen codes are those of the pathway code sets (definitions.screens, tuberculosis-treatment)', () => {
  const s = k.pathway.definitions.screens;
  const inAny = (sets: readonly string[], c: { system: string; code: string }): boolean =>
    sets.some((id) => inCodeSet(k, id, c));
  assert.ok(inAny(s.latentTbCodeSets, SCREEN_CODES.igra));
  assert.ok(inAny(s.hepatitisBSurfaceAntigenCodeSets, SCREEN_CODES.hbsag));
  assert.ok(inAny(s.hepatitisBCoreAntibodyCodeSets, SCREEN_CODES.antiHbc));
  assert.ok(inAny(s.positiveCodeSets, SCREEN_CODES.answers.positive));
  assert.ok(inAny(s.negativeCodeSets, SCREEN_CODES.answers.negative));
  const indeterminate = SCREEN_CODES.answers.indeterminate;
  assert.ok(!inAny(s.positiveCodeSets, indeterminate) && !inAny(s.negativeCodeSets, indeterminate));
  // An IGRA that cannot be read is reported "Indeterminate" (QuantiFERON), not "Equivocal".
  assert.equal(indeterminate.display, 'Indeterminate');
  assert.ok(inCodeSet(k, 'result-indeterminate', indeterminate));
  assert.ok(inCodeSet(k, 'tuberculosis-treatment', SCREEN_CODES.tbTreatment));
});

test('most treatment-resistant patients have an IGRA and hepatitis B serology, with every kind of result', () => {
  const share = (f: (p: SynthPatient) => boolean): number => trd.filter(f).length / trd.length;
  assert.ok(trd.length > 200, `treatment-resistant patients: ${trd.length}`);
  const igra = share((p) => p.igra !== undefined);
  const hbv = share((p) => p.hbsag !== undefined && p.antiHbc !== undefined);
  assert.ok(igra > 0.45 && igra < 0.75, `IGRA in ${igra}`);
  assert.ok(hbv > 0.45 && hbv < 0.75, `HBV serology in ${hbv}`);
  // Some other patients too, but fewer.
  const others = patients.filter((p) => p.depression === undefined);
  const otherShare = others.filter((p) => p.igra !== undefined).length / others.length;
  assert.ok(otherShare > 0.01 && otherShare < 0.06, `IGRA among patients without depression: ${otherShare}`);
  const igras = patients.flatMap((p) => (p.igra === undefined ? [] : [p.igra]));
  const answers = new Set(igras.map((r) => r.answer));
  assert.deepEqual([...answers].sort(), ['indeterminate', 'negative', 'positive']);
  const negative = igras.filter((r) => r.answer === 'negative').length / igras.length;
  assert.ok(negative > 0.85, `negative IGRAs: ${negative}`);
  const window = k.pathway.missingWorkup.find((w) => w.code === 'latent-tb-screen');
  const windowDays = window !== undefined && 'windowDays' in window ? (window.windowDays?.value ?? 0) : 0;
  const age = (d: string): number => (toDayNumber(asOf) as number) - (toDayNumber(d) as number);
  const outOfDate = igras.filter((r) => age(r.date) > windowDays).length / igras.length;
  assert.ok(windowDays > 0 && outOfDate > 0.1 && outOfDate < 0.4, `IGRAs older than ${windowDays} days: ${outOfDate}`);
  const serology = patients.filter((p) => p.hbsag !== undefined);
  assert.ok(
    serology.some((p) => p.hbsag?.answer === 'positive'),
    'an HBsAg positive',
  );
  assert.ok(
    serology.some((p) => p.hbsag?.answer === 'negative' && p.antiHbc?.answer === 'positive'),
    'an isolated anti-HBc',
  );
  assert.ok(
    patients.some((p) => p.tbTreatment !== undefined),
    'a treated latent TB',
  );
});

test('the ground truth follows the planted screens, and the engine on each Bundle agrees', () => {
  const planted = patients.filter(
    (p) => p.igra?.answer === 'positive' || p.hbsag?.answer === 'positive' || p.antiHbc?.answer === 'positive',
  );
  const seen = new Set<string>();
  for (const p of planted) {
    const truth = truthOf(p, asOf, t);
    const a = engine.assess(patientBundle(p, asOf), { asOf });
    assert.equal(a.recommendation.code, truth.code, p.id);
    if (truth.code === 'contraindicated') {
      assert.deepEqual(
        a.contraindications.map((c) => c.code),
        truth.contraindications,
        p.id,
      );
    }
    if (!trd.includes(p)) continue;
    if (p.igra?.answer === 'positive' && p.tbTreatment === undefined) {
      assert.ok(truth.contraindications.includes('tuberculosis'), `${p.id}: untreated latent TB`);
      seen.add('untreated');
    }
    if (p.igra?.answer === 'positive' && p.tbTreatment !== undefined && p.contraindication === undefined) {
      assert.ok(!truth.contraindications.includes('tuberculosis'), `${p.id}: treated latent TB`);
      seen.add('treated');
    }
    if (p.hbsag?.answer === 'positive') {
      assert.ok(truth.contraindications.includes('hepatitis'), `${p.id}: HBsAg positive`);
      seen.add('hbsag');
    }
    if (p.hbsag?.answer === 'negative' && p.antiHbc?.answer === 'positive') {
      assert.ok(!truth.contraindications.includes('hepatitis'), `${p.id}: isolated anti-HBc`);
      assert.ok(
        a.cautions.some((c) => c.code === 'hbv-exposure'),
        `${p.id}: isolated anti-HBc is the caution hbv-exposure`,
      );
      seen.add('isolated-anti-hbc');
    }
  }
  assert.deepEqual([...seen].sort(), ['hbsag', 'isolated-anti-hbc', 'treated', 'untreated']);
});

test('OMOP: a screen is a measurement whose value_as_concept_id is the answer concept of the vocabulary', () => {
  const concepts = new Map(vocabularyRows(k).concept.map((c) => [c[0], c]));
  const p = patients.find((x) => x.igra?.answer === 'positive' && x.antiHbc !== undefined) as SynthPatient;
  assert.ok(p !== undefined);
  const rows = patientRows(p, asOf).measurement;
  for (const [test, result] of [
    [SCREEN_CODES.igra, p.igra],
    [SCREEN_CODES.antiHbc, p.antiHbc],
  ] as const) {
    const row = rows.find((r) => concepts.get(r[2] ?? null)?.[6] === test.code);
    assert.ok(row !== undefined && result !== undefined, test.code);
    assert.equal(row[3], result.date);
    assert.equal(row[5], null, 'no number');
    const answer = concepts.get(row[6] ?? null);
    assert.equal(answer?.[6], SCREEN_CODES.answers[result.answer].code);
    assert.equal(answer?.[3], 'LOINC');
  }
});
