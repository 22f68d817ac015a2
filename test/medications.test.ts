/**
 * Care pathway 1.1, one definition of a current medication (definition 3a) and of an exposure (definition 2), seen
 * from both doors of the engine:
 * - over EVERY vignette, `assess` and `match` agree on each medication-based finding: current NSAIDs and systemic
 *   corticosteroids (the crp-confounding-medication caution against INSIGHT's exclusions), the immunosuppressant
 *   contraindication (against each trial's label-safety exclusion), and antidepressants (adequate trials against the
 *   TRD criterion; every antidepressant record a trial criterion cites is an exposure the assessment lists); a record
 *   naming its medicine without a listed code is to confirm for both (the caution's `toConfirm`, an unknown criterion);
 * - property (fast-check, fixed seed): adding a stale open-ended order (active or on-hold, started more than 180
 *   days before the as-of date, no end) never adds a caution, a contraindication or a trial exclusion, and is
 *   reported as a data issue;
 * - the IL-6 blocker message and the stale-order issue say what the pathway file says.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Coding, MedicationRequest, MedicationStatement, Resource } from '@medplum/fhirtypes';
import { createEngine } from '../src/engine/index.ts';
import type { Assessment, TrialMatchResult } from '../src/engine/index.ts';
import { bundleToRecord } from '../src/fhir/index.ts';
import { deriveFacts, onlyToConfirm } from '../src/pathway/index.ts';
import { fromDayNumber, toDayNumber } from '../src/record/index.ts';
import { medicationInSet } from '../src/trials/medications.ts';
import { code, concept } from './support/bundle-builder.ts';
import { loadVignettes, withResources } from './support/vignette-bundles.ts';
import type { LoadedVignette } from './support/vignette-bundles.ts';

const engine = createEngine();
const VIGNETTES = loadVignettes();
const SUBJECT = { reference: 'Patient/patient' };

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

/** Criterion ids of every protocol whose test is of the given type (and, for medication tests, the given set). */
function criteriaWith(type: string, codeSet?: string): Set<string> {
  const ids = new Set<string>();
  for (const p of engine.protocols) {
    for (const c of p.criteria) {
      if (c.test.type !== type) continue;
      if (codeSet !== undefined && !('codeSet' in c.test && c.test.codeSet === codeSet)) continue;
      ids.add(c.id);
    }
  }
  return ids;
}

function criterionResults(results: readonly TrialMatchResult[], ids: ReadonlySet<string>) {
  return results.flatMap((r) => r.criteria.filter((c) => ids.has(c.id)));
}

function bothDoors(v: LoadedVignette): { a: Assessment; m: TrialMatchResult[] } {
  return { a: engine.assess(v.bundle, { asOf: v.asOf }), m: engine.match(v.bundle, { asOf: v.asOf }) };
}

describe('assess and match agree on every medication-based finding (docs/care-pathway.md, definition 3a), over every vignette', () => {
  const nsaidCriteria = criteriaWith('no-medication-in', 'nsaids');
  const steroidCriteria = criteriaWith('no-medication-in', 'systemic-corticosteroids');
  const safetyCriteria = criteriaWith('no-contraindication');
  const trdCriteria = criteriaWith('adequate-trials-at-least');
  // Every criterion type that reads current antidepressants (the conditional "stable if taking" one included).
  const antidepressantCriteria = new Set([
    ...criteriaWith('current-adequate-antidepressant'),
    ...criteriaWith('current-antidepressant'),
    ...criteriaWith('antidepressant-stable-if-taking'),
  ]);

  test('the trial protocols hold the criteria compared here', () => {
    for (const ids of [nsaidCriteria, steroidCriteria, safetyCriteria, trdCriteria, antidepressantCriteria]) {
      assert.ok(ids.size > 0);
    }
  });

  test('every vignette', () => {
    let withMedicationFinding = 0;
    let withNamedOnly = 0;
    for (const v of VIGNETTES) {
      const { a, m } = bothDoors(v);
      const read = bundleToRecord(v.bundle);
      assert.ok(read.ok, v.id);
      const record = read.value;
      const caution = a.cautions.find((c) => c.code === 'crp-confounding-medication');
      for (const [set, ids] of [
        ['nsaids', nsaidCriteria],
        ['systemic-corticosteroids', steroidCriteria],
      ] as const) {
        const inSet = new Set(
          record.medications.filter((x) => medicationInSet(engine.knowledge, set, x) !== undefined).map((x) => x.ref),
        );
        // A coded record the caution lists to confirm (recorded as a cream) is no confirmed exclusion either.
        const confirmed = (caution?.evidence ?? []).filter((ref) => !(caution?.toConfirm ?? []).includes(ref));
        const byAssess = sorted(confirmed.filter((ref) => inSet.has(ref)));
        for (const c of criterionResults(m, ids)) {
          const byMatch = c.status === 'met' ? sorted(c.evidence) : [];
          assert.deepEqual(byMatch, byAssess, `${v.id}: ${set}: match ${c.id} vs assess caution`);
        }
        if (byAssess.length > 0) withMedicationFinding += 1;
      }
      // A record the caution lists to confirm (named without a listed code) is what an unknown NSAID or corticosteroid
      // criterion cites, and such a criterion cites nothing else but records not current that its reason names as
      // last recorded or with no end recorded (the pathway's medications.ended and endUnknown); none is confirmed by
      // either door.
      const toConfirm = sorted(caution?.toConfirm ?? []);
      const { ended, endUnknown } = deriveFacts(record, engine.knowledge, v.asOf).medications;
      const notCurrent = new Set([...ended.map((e) => e.source), ...endUnknown]);
      const unknownCites = new Set<string>();
      for (const c of criterionResults(m, new Set([...nsaidCriteria, ...steroidCriteria]))) {
        if (c.status !== 'unknown') continue;
        for (const ref of c.evidence) {
          if (notCurrent.has(ref) && !toConfirm.includes(ref)) continue;
          assert.ok(toConfirm.includes(ref), `${v.id}: ${c.id} asks to confirm ${ref}, which assess does not`);
          unknownCites.add(ref);
        }
      }
      for (const ref of toConfirm) {
        assert.ok(
          unknownCites.has(ref),
          `${v.id}: assess asks to confirm ${ref}; no INSIGHT medication criterion does`,
        );
      }
      if (toConfirm.length > 0) withNamedOnly += 1;
      const immuno = a.contraindications.find((c) => c.code === 'immunosuppressant');
      const found = new Set<string>(a.contraindications.map((c) => c.code));
      for (const c of criterionResults(m, safetyCriteria)) {
        const protocol = engine.protocols.flatMap((p) => p.criteria).find((x) => x.id === c.id);
        const codes: readonly string[] = protocol?.test.type === 'no-contraindication' ? protocol.test.codes : [];
        if (immuno !== undefined && codes.includes('immunosuppressant')) {
          assert.equal(c.status, 'met', `${v.id}: ${c.id} must exclude a current immunosuppressant`);
          for (const ref of immuno.evidence) assert.ok(c.evidence.includes(ref), `${v.id}: ${c.id} cites ${ref}`);
        }
        if (!codes.some((code) => found.has(code))) assert.notEqual(c.status, 'met', `${v.id}: ${c.id}`);
      }
      if (immuno !== undefined) withMedicationFinding += 1;
      const tr = a.treatmentResistance;
      for (const c of criterionResults(m, trdCriteria)) {
        if (tr.count >= tr.required) assert.equal(c.status, 'met', `${v.id}: ${c.id}`);
        else if (tr.count + tr.unverifiedTrials.length >= tr.required) assert.equal(c.status, 'unknown', v.id);
        else assert.equal(c.status, 'not-met', `${v.id}: ${c.id}`);
      }
      const exposureSources = new Set(tr.exposures.flatMap((e) => e.sources));
      for (const c of criterionResults(m, antidepressantCriteria)) {
        for (const ref of c.evidence) {
          assert.ok(exposureSources.has(ref), `${v.id}: ${c.id} cites ${ref}, which assess lists as no exposure`);
        }
      }
    }
    assert.ok(
      withMedicationFinding >= 5,
      `${withMedicationFinding} vignettes with a current NSAID, steroid or immunosuppressant`,
    );
    assert.ok(withNamedOnly >= 3, `${withNamedOnly} vignettes with an NSAID or corticosteroid to confirm`);
  });

  test('every vignette: a criterion that reads a pathway caution is met exactly when assess raises it (unknown when it is to confirm)', () => {
    const cautionCriteria = criteriaWith('no-pathway-caution');
    assert.ok(cautionCriteria.size > 0);
    const codeOf = new Map(
      engine.protocols.flatMap((p) =>
        p.criteria.flatMap((c) => (c.test.type === 'no-pathway-caution' ? [[c.id, c.test.code] as const] : [])),
      ),
    );
    for (const v of VIGNETTES) {
      const { a, m } = bothDoors(v);
      for (const c of criterionResults(m, cautionCriteria)) {
        const raised = a.cautions.find((x) => x.code === codeOf.get(c.id));
        // A caution resting only on records that name the medicine without a listed code is to confirm: unknown.
        const toConfirm = raised !== undefined && onlyToConfirm(raised);
        assert.equal(c.status, raised === undefined || toConfirm ? 'unknown' : 'met', `${v.id}: ${c.id}`);
        if (raised !== undefined) assert.deepEqual(sorted(c.evidence), sorted(raised.evidence), `${v.id}: ${c.id}`);
      }
    }
  });

  test('an on-hold NSAID is current for both: the caution in assess, the INSIGHT exclusion in match', () => {
    const v = VIGNETTES.find((x) => x.id === 'med-nsaid-on-hold');
    assert.ok(v !== undefined);
    const { a, m } = bothDoors(v);
    assert.deepEqual(a.cautions.find((c) => c.code === 'crp-confounding-medication')?.evidence, [
      'MedicationStatement/naproxen',
    ]);
    const insight = m.find((r) => r.trial.id === 'insight');
    assert.equal(insight?.criteria.find((c) => c.id === 'insight-ex-nsaids')?.status, 'met');
  });

  test('a text-only ibuprofen, prednisolone tablet or methotrexate, or a coded cream, is to confirm for both doors; a text-only cream is nothing', () => {
    const cases = [
      ['med-named-ibuprofen', 'crp-confounding-medication', 'insight-ex-nsaids'],
      ['med-named-prednisolone-tablet', 'crp-confounding-medication', 'insight-ex-corticosteroids'],
      ['med-named-methotrexate', 'conventional-immunosuppressant', 'insight-ex-conventional-immunosuppressant'],
      ['med-coded-hydrocortisone-cream', 'crp-confounding-medication', 'insight-ex-corticosteroids'],
    ] as const;
    for (const [id, caution, criterion] of cases) {
      const v = VIGNETTES.find((x) => x.id === id);
      assert.ok(v !== undefined, id);
      const { a, m } = bothDoors(v);
      const raised = a.cautions.find((c) => c.code === caution);
      assert.equal(raised?.toConfirm?.length, 1, id);
      assert.match(
        raised?.detail ?? '',
        /(without a code the pathway lists|recorded as "cream"): confirm the medicine/,
        id,
      );
      const c = m.find((r) => r.trial.id === 'insight')?.criteria.find((x) => x.id === criterion);
      assert.equal(c?.status, 'unknown', `${id}: ${criterion}`);
      assert.deepEqual(c?.evidence, raised?.toConfirm, id);
    }
    const cream = VIGNETTES.find((x) => x.id === 'med-named-hydrocortisone-cream');
    assert.ok(cream !== undefined);
    const { a, m } = bothDoors(cream);
    assert.deepEqual(a.cautions, []);
    const steroids = m
      .find((r) => r.trial.id === 'insight')
      ?.criteria.find((x) => x.id === 'insight-ex-corticosteroids');
    assert.deepEqual(steroids?.evidence, []);
    assert.match(steroids?.reason ?? '', /^No current/);
  });

  test('a 2010 active naproxen order excludes from nothing and is reported with its date', () => {
    const v = VIGNETTES.find((x) => x.id === 'med-naproxen-2010-active');
    assert.ok(v !== undefined);
    const { a, m } = bothDoors(v);
    assert.deepEqual(a.cautions, []);
    const insight = m.find((r) => r.trial.id === 'insight');
    assert.notEqual(insight?.criteria.find((c) => c.id === 'insight-ex-nsaids')?.status, 'met');
    const stale = a.issues.find((i) => i.code === 'medication.stale');
    assert.match(stale?.message ?? '', /from 2010-04-12 is older than 180 days/);
    assert.equal(stale?.path, 'MedicationRequest/naproxen');
    assert.ok(
      a.unverified.some((u) => u.item === 'open-ended medication window (days)'),
      'the 180 days are [U]',
    );
  });

  test("a patient on an IL-6 blocker is told not to stop it, in the pathway file's words", () => {
    const v = VIGNETTES.find((x) => x.id === 'med-il6-blocker-patient');
    assert.ok(v !== undefined);
    const { a } = bothDoors(v);
    const rule = engine.knowledge.pathway.contraindications.find((c) => c.code === 'immunosuppressant');
    assert.ok(rule?.predicate === 'current-medication');
    const detail = a.contraindications.find((c) => c.code === 'immunosuppressant')?.detail;
    assert.equal(detail, rule.il6BlockerDetail.replaceAll('{drugs}', 'tocilizumab'));
    assert.match(detail ?? '', /do not stop it/);
    assert.match(detail ?? '', /only within a trial/);
  });
});

/** Codes of medications a stale order could name: each set the cautions, contraindications and trials test. */
const MEDICATIONS: readonly Coding[] = [
  code('rxnorm', '7258', 'naproxen'),
  code('rxnorm', '8640', 'prednisone'),
  code('rxnorm', '327361', 'adalimumab'),
  code('rxnorm', '1357536', 'tofacitinib'),
  code('rxnorm', '612865', 'tocilizumab'),
  code('rxnorm', '121191', 'rituximab'),
  code('rxnorm', '6851', 'methotrexate'),
  code('atc', 'J01CA04', 'amoxicillin'),
  code('rxnorm', '36437', 'sertraline'),
  code('rxnorm', '6038', 'isoniazid'),
];

function staleOrder(kind: 'statement' | 'request', status: 'active' | 'on-hold', coding: Coding, start: string) {
  const common = { id: 'stale-order', subject: SUBJECT, medicationCodeableConcept: concept(coding) };
  if (kind === 'statement') {
    const s: MedicationStatement = {
      resourceType: 'MedicationStatement',
      status,
      effectivePeriod: { start },
      ...common,
    };
    return s;
  }
  const r: MedicationRequest = {
    resourceType: 'MedicationRequest',
    status,
    intent: 'order',
    authoredOn: start,
    ...common,
  };
  return r;
}

const failedOf = (m: readonly TrialMatchResult[]): string[] => sorted(m.flatMap((r) => r.failed));
const codesOf = (xs: readonly { code: string }[]): string[] => sorted(xs.map((x) => x.code));
const subset = (small: readonly string[], big: readonly string[]): boolean => small.every((x) => big.includes(x));

describe('property: a stale open-ended order never adds a caution, a contraindication or a trial exclusion', () => {
  test('181 to 6000 days old, statement or request, active or on-hold, any of the tested medication classes', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: VIGNETTES.length - 1 }),
        fc.constantFrom<'statement' | 'request'>('statement', 'request'),
        fc.constantFrom<'active' | 'on-hold'>('active', 'on-hold'),
        fc.nat({ max: MEDICATIONS.length - 1 }),
        fc.integer({ min: 181, max: 6000 }),
        (i, kind, status, med, daysOld) => {
          const v = VIGNETTES[i] as LoadedVignette;
          const start = fromDayNumber((toDayNumber(v.asOf) as number) - daysOld);
          const order: Resource = staleOrder(kind, status, MEDICATIONS[med] as Coding, start);
          const before = bothDoors(v);
          const bundle = withResources(v.bundle, [order]);
          const a = engine.assess(bundle, { asOf: v.asOf });
          const m = engine.match(bundle, { asOf: v.asOf });
          assert.ok(subset(codesOf(a.cautions), codesOf(before.a.cautions)), `${v.id}: cautions`);
          assert.ok(subset(codesOf(a.contraindications), codesOf(before.a.contraindications)), `${v.id}: CI`);
          assert.ok(subset(failedOf(m), failedOf(before.m)), `${v.id}: trial exclusions`);
          const ref = `${order.resourceType}/stale-order`;
          assert.ok(
            a.issues.some((x) => x.code === 'medication.stale' && x.path === ref),
            `${v.id}: the stale order is reported`,
          );
        },
      ),
      { seed: 20261129, numRuns: 60 },
    );
  });
});
