/**
 * A "no contraindication" criterion rules a lab- or screen-based contraindication out only once the work-up item the
 * pathway names for it (`missingWorkup[].rulesOut`) is present; the mapping is the pathway file's, not the code's.
 * Run: node --import tsx --test src/trials/tests/contraindications.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Knowledge } from '../../knowledge/index.ts';
import type { ClinicalFacts } from '../../pathway/facts.ts';
import { trials } from '../fixtures.test-support.ts';
import type { MatchContext } from '../context.ts';
import { noContraindication } from './contraindications.ts';

const missingAnc = {
  code: 'anc',
  title: 'Absolute neutrophil count',
  action: 'Order a full blood count with differential (ANC).',
};

/** The pathway's latest valid ANC in its window (ClinicalFacts.labs), when the work-up is present. */
const anc = { analyte: 'anc', value: 3.8, unit: '10*9/L', date: '2026-11-20', source: 'Observation/anc' };

function context(
  knowledge: Knowledge,
  missingWorkup: readonly unknown[],
  labs = {},
  contraindicationsUnverified = {},
): MatchContext {
  const facts = {
    contraindications: [],
    contraindicationsUnverified,
    missingWorkup,
    labs,
    screens: {},
  } as unknown as ClinicalFacts;
  return { record: {} as MatchContext['record'], knowledge, facts, asOf: '2026-11-27', asOfDay: 0, memo: new Map() };
}

const neutropenia: Parameters<typeof noContraindication>[1] = {
  type: 'no-contraindication',
  codes: ['neutropenia', 'immunodeficiency'],
};

test('missing ANC leaves neutropenia open; once present, neutropenia is ruled out and immunodeficiency by silence', () => {
  const open = noContraindication(context(trials.knowledge, [missingAnc]), neutropenia);
  assert.equal(open.holds, undefined);
  // The pathway's titles, never its code ids ("immunodeficiency", "hepatic"), so the coordinator knows what to ask.
  assert.equal(
    open.reason,
    'Cannot rule out neutropenia (ANC below 2.0 x10^9/L): Absolute neutrophil count missing; none found: immunodeficiency (HIV disease or primary immunodeficiency)',
  );
  const present = noContraindication(context(trials.knowledge, [], { anc }), neutropenia);
  assert.equal(present.holds, true);
  // The work-up that rules neutropenia out is named with its value and date, and cited, so it can be checked.
  assert.equal(
    present.reason,
    'None found: neutropenia (ANC below 2.0 x10^9/L); immunodeficiency (HIV disease or primary immunodeficiency) (work-up: absolute neutrophil count 3.8 x10^9/L on 2026-11-20)',
  );
  assert.deepEqual(present.evidence, ['Observation/anc']);
  assert.equal(present.collect, 'confirm none of: immunodeficiency (HIV disease or primary immunodeficiency)');
});

test('a missing work-up item leaves open only what it rules out; the results on file rule the others out, cited', () => {
  const missingTb = {
    code: 'latent-tb-screen',
    title: 'Latent tuberculosis screen',
    action: 'Order an interferon-gamma release assay (IGRA) for latent tuberculosis.',
  };
  const threshold = { item: 'ANC threshold', note: 'best knowledge', citation: 'label' };
  const unverified = { neutropenia: [threshold], tuberculosis: [{ ...threshold, item: 'IGRA codes' }] };
  const outcome = noContraindication(context(trials.knowledge, [missingTb], { anc }, unverified), {
    type: 'no-contraindication',
    codes: ['tuberculosis', 'neutropenia'],
  });
  assert.equal(outcome.holds, undefined);
  // An ANC of 3.8 on file is never "cannot rule out neutropenia" for want of an IGRA.
  assert.equal(
    outcome.reason,
    'Cannot rule out active tuberculosis or untreated latent tuberculosis: Latent tuberculosis screen missing; none found: neutropenia (ANC below 2.0 x10^9/L) (work-up: absolute neutrophil count 3.8 x10^9/L on 2026-11-20)',
  );
  assert.deepEqual(outcome.evidence, ['Observation/anc']);
  assert.equal(outcome.collect, missingTb.action);
  // "None found: neutropenia" rests on the rule's unverified threshold, listed; tuberculosis is still open.
  assert.deepEqual(outcome.unverifiedNotes, ['ANC threshold: best knowledge [label]']);
});

test('the mapping is read from the pathway file: ANC that rules out something else leaves neutropenia to silence', () => {
  const pathway = structuredClone(trials.knowledge.pathway);
  for (const w of pathway.missingWorkup) if (w.code === 'anc' && 'rulesOut' in w) w.rulesOut = ['thrombocytopenia'];
  const changed = { ...trials.knowledge, pathway };
  const outcome = noContraindication(context(changed, [missingAnc]), neutropenia);
  assert.equal(outcome.holds, true);
  assert.equal(outcome.bySilence, true);
  assert.equal(
    outcome.collect,
    'confirm none of: neutropenia (ANC below 2.0 x10^9/L); immunodeficiency (HIV disease or primary immunodeficiency)',
  );
});

test('the same contraindications checked by several protocols are worked out once per patient, each with its own evidence', () => {
  const ctx = context(trials.knowledge, [], { anc });
  const first = noContraindication(ctx, neutropenia);
  const again = noContraindication(ctx, { ...neutropenia });
  assert.deepEqual(again, first);
  assert.notEqual(again.evidence, first.evidence, 'a criterion result never shares its evidence list with another');
  assert.equal(ctx.memo.size, 1, 'one outcome kept for the two criteria');
  // Another patient (another match call) works it out afresh.
  const other = noContraindication(context(trials.knowledge, [missingAnc]), neutropenia);
  assert.equal(other.holds, undefined);
});
