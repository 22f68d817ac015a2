/**
 * IL-6 blocker records recognised only by name (docs/care-pathway.md, "Medications named without a listed code"):
 * a MedicationStatement, MedicationRequest or MedicationAdministration naming Actemra, RoActemra or tocilizumab
 * without a code of the pathway's sets is neither ignored nor used as confirmed, in `trd assess` and `trd match`
 * alike, through the engine's public door; nor is an antidepressant named by its ingredient only.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEngine } from '../engine/index.ts';
import { seed, seedWith } from '../../test/support/seed-bundle.ts';
import type { SeedResource as Resource } from '../../test/support/seed-bundle.ts';

const AS_OF = '2026-11-27';
const engine = createEngine();

const patient = { reference: 'Patient/seed-patient' };

/** An active statement of the medication named only by text, started 2026-10-01 (before the seed's CRP). */
function statementNamed(text: string, id = 'named-statement'): Resource {
  return {
    resourceType: 'MedicationStatement',
    id,
    status: 'active',
    subject: patient,
    medicationCodeableConcept: { text },
    effectivePeriod: { start: '2026-10-01' },
  };
}

describe('an IL-6 blocker named without a listed code', () => {
  test('baseline: the seed vignette is referred on its CRP', () => {
    const a = engine.assess(seedWith(), { asOf: AS_OF });
    assert.equal(a.recommendation.code, 'refer-to-trial');
    assert.equal(a.inflammation.status, 'elevated');
  });

  test('an "Actemra" statement with no code: the CRP in its reach is not used, and both confirmations are asked', () => {
    const a = engine.assess(seedWith(statementNamed('Actemra 162 mg/0.9 mL prefilled syringe')), { asOf: AS_OF });
    assert.equal(a.inflammation.status, 'unknown', 'a CRP that tocilizumab may suppress is never used as valid');
    assert.equal(a.recommendation.code, 'measure-crp');
    const rejected = a.inflammation.rejected.find((r) => r.source === 'Observation/seed-hscrp');
    assert.match(rejected?.reason ?? '', /tocilizumab \(MedicationStatement\/named-statement/);
    assert.match(
      rejected?.reason ?? '',
      /named "Actemra" \(tocilizumab\) without a code the pathway lists: confirm the medicine/,
    );
    assert.match(a.inflammation.reason, /confirm it first/);
    // Not a confident contraindication, and not silence either: the work-up asks to confirm the record.
    assert.deepEqual(
      a.contraindications.map((c) => c.code),
      [],
    );
    assert.ok(
      a.missingWorkup.some((w) => w.code === 'confirm-immunosuppressant'),
      'the work-up asks to confirm the record',
    );
    const issue = a.issues.find((i) => i.code === 'medication.named-only');
    assert.equal(issue?.path, 'MedicationStatement/named-statement');
    assert.match(issue?.message ?? '', /"Actemra".*tocilizumab/);
  });

  test('trd match reads the same facts: the CRP and the label-safety exclusions are unknown, never met or not met', () => {
    const [insight] = engine.match(seedWith(statementNamed('Actemra')), { asOf: AS_OF, trials: ['insight'] });
    assert.ok(insight !== undefined, 'INSIGHT is matched');
    const byId = new Map(insight.criteria.map((c) => [c.id, c]));
    assert.equal(byId.get('insight-in-hscrp')?.status, 'unknown');
    const label = byId.get('insight-ex-label-safety');
    assert.equal(label?.status, 'unknown');
    assert.match(label?.reason ?? '', /Cannot rule out/);
    assert.match(label?.collect ?? '', /without a code the pathway lists/);
    assert.equal(insight.verdict, 'needs-data');
  });

  test('RoActemra as a coding display of a product code no set lists, and a referenced Medication named by text', () => {
    const administration: Resource = {
      resourceType: 'MedicationAdministration',
      id: 'roactemra-infusion',
      status: 'completed',
      subject: patient,
      medicationCodeableConcept: {
        coding: [{ system: 'http://example.org/local-formulary', code: 'RA-400', display: 'RoActemra 400 mg/20 mL' }],
      },
      effectiveDateTime: '2026-09-20',
    };
    const a = engine.assess(seedWith(administration), { asOf: AS_OF });
    assert.equal(a.inflammation.status, 'unknown');
    assert.ok(
      a.issues.some((i) => i.code === 'medication.named-only' && /RoActemra/.test(i.message)),
      'an issue names RoActemra',
    );
    const request: Resource = {
      resourceType: 'MedicationRequest',
      id: 'actemra-order',
      status: 'active',
      intent: 'order',
      subject: patient,
      medicationReference: { reference: 'Medication/actemra' },
      authoredOn: '2026-10-15',
    };
    const medication: Resource = { resourceType: 'Medication', id: 'actemra', code: { text: 'ACTEMRA' } };
    const b = engine.assess(seedWith(request, medication), { asOf: AS_OF });
    assert.equal(b.inflammation.status, 'unknown');
    assert.ok(
      b.missingWorkup.some((w) => w.code === 'confirm-immunosuppressant'),
      'the work-up asks to confirm the record',
    );
  });

  test('the ingredient name alone (no code) is recognised the same way', () => {
    const a = engine.assess(seedWith(statementNamed('tocilizumab 8 mg/kg IV monthly')), { asOf: AS_OF });
    assert.equal(a.inflammation.status, 'unknown');
    assert.ok(
      a.issues.some((i) => i.code === 'medication.named-only' && /"tocilizumab"/.test(i.message)),
      'an issue names tocilizumab',
    );
  });

  test('a brand name the reference does not give is used and flagged [U]', () => {
    const a = engine.assess(seedWith(statementNamed('Kevzara 200 mg')), { asOf: AS_OF });
    assert.ok(
      a.missingWorkup.some((w) => w.code === 'confirm-immunosuppressant'),
      'the work-up asks to confirm the record',
    );
    assert.ok(
      a.unverified.some((u) => /Kevzara/.test(u.item) && /sarilumab/.test(u.item)),
      'the [U] brand name is listed as unverified',
    );
    // Sarilumab is not tocilizumab: the CRP stays valid.
    assert.equal(a.inflammation.status, 'elevated');
  });

  test('a CRP drawn before the named record started stays valid; a coded record is read as before', () => {
    const later = { ...statementNamed('Actemra'), effectivePeriod: { start: '2026-11-20' } };
    const a = engine.assess(seedWith(later), { asOf: AS_OF });
    assert.equal(a.inflammation.status, 'elevated');
    assert.equal(a.recommendation.code, 'refer-to-trial');
    assert.ok(
      a.missingWorkup.some((w) => w.code === 'confirm-immunosuppressant'),
      'the work-up asks to confirm the record',
    );
    const coded = {
      ...statementNamed('Actemra'),
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '612865' }],
        text: 'Actemra',
      },
    };
    const b = engine.assess(seedWith(coded), { asOf: AS_OF });
    assert.deepEqual(
      b.contraindications.map((c) => c.code),
      ['immunosuppressant'],
    );
    assert.ok(!b.issues.some((i) => i.code === 'medication.named-only'), 'no named-only issue');
  });

  test('words that only contain a name are not it, and an entered-in-error record is still ignored', () => {
    const a = engine.assess(seedWith(statementNamed('Notactemrainjection')), { asOf: AS_OF });
    assert.equal(a.recommendation.code, 'refer-to-trial');
    const erroneous = { ...statementNamed('Actemra'), status: 'entered-in-error' };
    const b = engine.assess(seedWith(erroneous), { asOf: AS_OF });
    assert.equal(b.recommendation.code, 'refer-to-trial');
    assert.ok(!b.issues.some((i) => i.code === 'medication.named-only'), 'no named-only issue');
  });
});

describe('an antidepressant named without a listed code', () => {
  /** The seed vignette with its sertraline statement given as text only ("Sertraline 100 mg tablet"). */
  function seedWithSertralineAsText(medication: unknown = { text: 'Sertraline 100 mg tablet' }): unknown {
    const entry = seed.entry.map((e) =>
      e.resource.id === 'seed-sertraline'
        ? { ...e, resource: { ...e.resource, medicationCodeableConcept: medication } }
        : e,
    );
    return { ...seed, entry };
  }

  test('a brand name ("Zoloft 100 mg oral tablet", a branded-drug code no set lists) is a trial to confirm too', () => {
    // A branded drug (RxNorm SBD) code the antidepressant table does not list, named by its brand only.
    const zoloft = {
      coding: [
        { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '208149', display: 'Zoloft 100 MG Oral Tablet' },
      ],
      text: 'Zoloft 100 mg oral tablet',
    };
    const a = engine.assess(seedWithSertralineAsText(zoloft), { asOf: AS_OF });
    // Before: the record was ignored without a word and the patient read as not treatment-resistant.
    assert.equal(a.recommendation.code, 'confirm-history');
    const trial = a.treatmentResistance.unverifiedTrials.find((t) => t.ingredient === 'sertraline');
    assert.match(trial?.reason ?? '', /named "Zoloft" \(sertraline\) without a code the pathway lists/);
    assert.ok(a.issues.some((i) => i.code === 'medication.named-only' && /Zoloft/.test(i.message)));
    assert.ok(
      a.unverified.some((u) => /Zoloft/.test(u.item)),
      'the [U] brand name is listed as relied upon',
    );
  });

  test('it is a trial to confirm, never silently dropped nor counted as adequate', () => {
    const a = engine.assess(seedWithSertralineAsText(), { asOf: AS_OF });
    // Before: the record was ignored without a word and the patient read as not treatment-resistant.
    assert.equal(a.recommendation.code, 'confirm-history');
    assert.equal(a.treatmentResistance.count, 1);
    const trial = a.treatmentResistance.unverifiedTrials.find((t) => t.ingredient === 'sertraline');
    assert.match(trial?.reason ?? '', /named "sertraline" without a code the pathway lists: confirm the medicine/);
    assert.deepEqual(trial?.sources, ['MedicationStatement/seed-sertraline']);
    assert.ok(a.issues.some((i) => i.code === 'medication.named-only' && /seed-sertraline/.test(i.message)));
  });

  test('trd match leaves the adequate-trials criterion unknown, as trd assess asks to confirm', () => {
    const criteria = engine
      .match(seedWithSertralineAsText(), { asOf: AS_OF })
      .flatMap((m) => m.criteria.filter((c) => c.test === 'adequate-trials-at-least'));
    assert.ok(criteria.length > 0, 'a bundled protocol counts adequate trials (NCT07052058)');
    for (const c of criteria) {
      assert.equal(c.status, 'unknown');
      assert.match(c.reason, /1 adequate trial .* and 1 unverified/);
    }
  });
});

describe('another immunosuppressant named without a listed code', () => {
  test('a current "Adalimumab 40 mg pen" with no code: the work-up asks to confirm it, never a silent referral', () => {
    const before = engine.assess(seedWith(), { asOf: AS_OF });
    assert.ok(!before.missingWorkup.some((w) => w.code === 'confirm-immunosuppressant'));
    const a = engine.assess(seedWith(statementNamed('Adalimumab 40 mg pen')), { asOf: AS_OF });
    assert.ok(!a.contraindications.some((c) => c.code === 'immunosuppressant'), 'not a confirmed use');
    const confirm = a.missingWorkup.find((w) => w.code === 'confirm-immunosuppressant');
    assert.ok(confirm !== undefined, 'the work-up asks which medicine it is');
    assert.ok(a.issues.some((i) => i.code === 'medication.named-only' && /adalimumab/.test(i.message)));
    // A class name in a code set ("Interleukin inhibitors") is not a medicine's name.
    const b = engine.assess(seedWith(statementNamed('Tumor necrosis factor study drug')), { asOf: AS_OF });
    assert.equal(b.recommendation.code, 'refer-to-trial');
  });
});

describe('a route word beside a name of the immunosuppressant contraindication', () => {
  // Every IL-6 blocker, biologic and JAK inhibitor the contraindication lists is read by name whatever the route
  // words say: a possible use is asked about, never set aside (definitions.currentMedication.nonSystemicRoutes reads
  // only the cautions' and trial lists' medicines).
  const withDosage = (text: string, dosageText: string): Resource => ({
    ...statementNamed(text),
    dosage: [{ text: dosageText }],
  });

  test('"Actemra" whose dosage text mentions a gel pack: the CRP in its reach is still not used', () => {
    const a = engine.assess(seedWith(withDosage('Actemra 162 mg', '162 mg weekly; cold gel pack to the site after')), {
      asOf: AS_OF,
    });
    assert.equal(a.inflammation.status, 'unknown', 'a CRP that tocilizumab may suppress is never used as valid');
    assert.notEqual(a.recommendation.code, 'refer-to-trial');
    assert.ok(a.missingWorkup.some((w) => w.code === 'confirm-immunosuppressant'));
  });

  test('"Adalimumab" beside topical treatment: the work-up still asks to confirm it, in assess and match alike', () => {
    const bundle = seedWith(withDosage('Adalimumab 40 mg', '40 mg every other week with topical treatment'));
    const a = engine.assess(bundle, { asOf: AS_OF });
    assert.ok(
      a.missingWorkup.some((w) => w.code === 'confirm-immunosuppressant'),
      'never a silent referral',
    );
    assert.ok(a.issues.some((i) => i.code === 'medication.named-only' && /adalimumab/.test(i.message)));
    const [insight] = engine.match(bundle, { asOf: AS_OF, trials: ['insight'] });
    assert.notEqual(insight?.verdict, 'eligible');
  });
});
