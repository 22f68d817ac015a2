/**
 * NSAIDs, systemic corticosteroids, conventional immunosuppressants and antibiotics recognised only by name
 * (docs/care-pathway.md, "Medications named without a listed code"): a text-only "Ibuprofen 400 mg tablet" is a
 * possible current NSAID to confirm, never ignored and never confirmed, in `trd assess` (the caution, marked to
 * confirm) and `trd match` (the trial's exclusion over that list is unknown) alike; a medicine whose text or route says
 * it is not systemic (a cream, eye drops, an inhaler) is not read as systemic (`definitions.currentMedication.nonSystemicRoutes`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEngine } from '../engine/index.ts';
import { seedWith } from '../../test/support/seed-bundle.ts';
import type { SeedResource as Resource } from '../../test/support/seed-bundle.ts';

const AS_OF = '2026-11-27';
const engine = createEngine();

/** An active statement of the medication named only by text, started 2026-10-01, with optional extra fields. */
function statementNamed(text: string, more: Record<string, unknown> = {}, id = 'named'): Resource {
  return {
    resourceType: 'MedicationStatement',
    id,
    status: 'active',
    subject: { reference: 'Patient/seed-patient' },
    medicationCodeableConcept: { text },
    effectivePeriod: { start: '2026-10-01' },
    ...more,
  };
}

function insightCriterion(bundle: unknown, id: string) {
  const [insight] = engine.match(bundle, { asOf: AS_OF, trials: ['insight'] });
  return insight?.criteria.find((c) => c.id === id);
}

describe('a CRP-confounding medicine named without a listed code', () => {
  test('"Ibuprofen 400 mg tablet": the caution is raised to confirm, naming the medicine', () => {
    const a = engine.assess(seedWith(statementNamed('Ibuprofen 400 mg tablet')), { asOf: AS_OF });
    const caution = a.cautions.find((c) => c.code === 'crp-confounding-medication');
    assert.ok(caution !== undefined, 'the caution is not silently absent');
    assert.deepEqual(caution.evidence, ['MedicationStatement/named']);
    assert.deepEqual(caution.toConfirm, ['MedicationStatement/named']);
    assert.match(caution.title, /confirm/i);
    assert.match(caution.detail, /"ibuprofen" without a code the pathway lists/);
    assert.match(caution.detail, /confirm the medicine, that it is taken by mouth or injected and is current/);
    assert.ok(a.issues.some((i) => i.code === 'medication.named-only' && /"ibuprofen"/.test(i.message)));
  });

  test('INSIGHT\'s NSAID exclusion is unknown asking to confirm, never "no current NSAID"', () => {
    const c = insightCriterion(seedWith(statementNamed('Ibuprofen 400 mg tablet')), 'insight-ex-nsaids');
    assert.equal(c?.status, 'unknown');
    assert.deepEqual(c?.evidence, ['MedicationStatement/named']);
    assert.match(c?.reason ?? '', /"ibuprofen" without a code the pathway lists/);
    assert.match(c?.collect ?? '', /^confirm the medicine named "ibuprofen" \(MedicationStatement\/named\)/);
    assert.doesNotMatch(c?.reason ?? '', /^No current/);
  });

  test('"Prednisolone 20 mg tablet": the caution to confirm, and the corticosteroid exclusion unknown', () => {
    const bundle = seedWith(statementNamed('Prednisolone 20 mg tablet'));
    const a = engine.assess(bundle, { asOf: AS_OF });
    assert.deepEqual(a.cautions.find((c) => c.code === 'crp-confounding-medication')?.toConfirm, [
      'MedicationStatement/named',
    ]);
    const c = insightCriterion(bundle, 'insight-ex-corticosteroids');
    assert.equal(c?.status, 'unknown');
    assert.match(c?.reason ?? '', /"prednisolone"/);
  });

  test('a systemic word wins over a route word: "soft gel capsule" is taken by mouth', () => {
    const a = engine.assess(seedWith(statementNamed('Ibuprofen 200 mg soft gel capsule')), { asOf: AS_OF });
    assert.deepEqual(a.cautions.find((c) => c.code === 'crp-confounding-medication')?.toConfirm, [
      'MedicationStatement/named',
    ]);
    const oral = statementNamed('Prednisolone 5 mg', {
      dosage: [{ route: { coding: [{ system: 'http://snomed.info/sct', code: '6064005' }], text: 'oral' } }],
    });
    assert.equal(engine.assess(seedWith(oral), { asOf: AS_OF }).cautions.length, 1, 'conflicting route: confirm');
  });

  test('a coded ibuprofen beside a named one: the caution is raised, only the named one is to confirm', () => {
    const coded: Resource = {
      ...statementNamed('Ibuprofen', {}, 'coded'),
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '5640' }] },
    };
    const bundle = seedWith(coded, statementNamed('Naproxen 250 mg'));
    const caution = engine
      .assess(bundle, { asOf: AS_OF })
      .cautions.find((c) => c.code === 'crp-confounding-medication');
    assert.deepEqual(caution?.evidence, ['MedicationStatement/coded', 'MedicationStatement/named']);
    assert.deepEqual(caution?.toConfirm, ['MedicationStatement/named']);
    assert.doesNotMatch(caution?.title ?? '', /confirm/i, 'a coded current NSAID is a confirmed finding');
    assert.equal(insightCriterion(bundle, 'insight-ex-nsaids')?.status, 'met');
  });

  test('a cream, gel, eye drops or a topical route is not a systemic medicine: nothing is raised', () => {
    for (const named of [
      statementNamed('Hydrocortisone 1% cream'),
      statementNamed('Diclofenac 1% gel'),
      statementNamed('Prednisolone acetate 1% eye drops'),
      statementNamed('Prednisolone 5 mg', { dosage: [{ route: { text: 'Topical' } }] }),
      statementNamed('Hydrocortisone', {
        dosage: [
          { route: { coding: [{ system: 'http://snomed.info/sct', code: '6064005', display: 'Topical route' }] } },
        ],
      }),
      statementNamed('Methylprednisolone', { dosage: [{ text: 'apply as an ointment twice daily' }] }),
      // A route code alone (no display): code set non-systemic-routes, ophthalmic route.
      statementNamed('Prednisolone 1%', {
        dosage: [{ route: { coding: [{ system: 'http://snomed.info/sct', code: '54485002' }] } }],
      }),
    ]) {
      const bundle = seedWith(named);
      const a = engine.assess(bundle, { asOf: AS_OF });
      assert.deepEqual(a.cautions, [], JSON.stringify(named));
      assert.ok(!a.issues.some((i) => i.code === 'medication.named-only'), JSON.stringify(named));
      assert.ok(
        a.unverified.some((u) => /non-systemic route/.test(u.item)),
        'the [U] route words are flagged',
      );
      const id = /Diclofenac/.test(JSON.stringify(named)) ? 'insight-ex-nsaids' : 'insight-ex-corticosteroids';
      const baseline = insightCriterion(seedWith(), id);
      const c = insightCriterion(bundle, id);
      assert.equal(c?.status, baseline?.status);
      assert.deepEqual(c?.evidence, []);
      assert.ok(c?.reason.startsWith(baseline?.reason ?? '-'), c?.reason);
      assert.match(c?.reason ?? '', /\(not systemic: MedicationStatement\/named names "[A-Za-z]+" as [a-z ]+\)$/);
      assert.ok(
        c?.unverifiedNotes.some((n) => /non-systemic route/.test(n)),
        'the [U] route words are flagged',
      );
    }
  });
});

describe("the clinic's abbreviations for a systemic route keep a named medicine systemic", () => {
  test('"PO", "IV", "IM", "SC", "tab", "cap", "Liqui-Gel" beside a route word: the caution to confirm, never set aside', () => {
    for (const [text, dosageText] of [
      ['Prednisolone 40 mg', '40 mg PO once daily for 5 days; continue usual inhaler'],
      ['Methylprednisolone 125 mg', '125 mg IV once; nebulised salbutamol'],
      ['Methotrexate 15 mg', '15 mg SC weekly; emollient cream for dry skin'],
      ['Dexamethasone 8 mg', '8 mg IM stat; topical anaesthetic before'],
      ['Ibuprofen 200 mg Liqui-Gel', '1 every 6 hours'],
      ['Naproxen 220 mg', '1 gel cap twice daily'],
      ['Prednisolone 5 mg', '1 tab daily; continue inhaler'],
    ] as const) {
      const bundle = seedWith(statementNamed(text, { dosage: [{ text: dosageText }] }));
      const a = engine.assess(bundle, { asOf: AS_OF });
      assert.deepEqual(
        a.cautions.flatMap((c) => c.toConfirm ?? []),
        ['MedicationStatement/named'],
        `${text}: ${dosageText}`,
      );
    }
  });
});

describe('"nasal" names a part of the body as often as a route', () => {
  test('an oral course "for nasal polyps" is a possible use to confirm; a nasal spray is set aside', () => {
    const course = statementNamed('Prednisolone 25 mg', {
      dosage: [{ text: '25 mg daily for 5 days for nasal polyps' }],
    });
    const a = engine.assess(seedWith(course), { asOf: AS_OF });
    assert.deepEqual(
      a.cautions.flatMap((c) => c.toConfirm ?? []),
      ['MedicationStatement/named'],
    );
    for (const spray of [
      statementNamed('Dexamethasone nasal spray'),
      statementNamed('Dexamethasone', { dosage: [{ route: { text: 'Nasal route' } }] }),
      statementNamed('Dexamethasone 0.1% nasal drops'),
    ]) {
      assert.deepEqual(engine.assess(seedWith(spray), { asOf: AS_OF }).cautions, [], JSON.stringify(spray));
    }
  });
});

describe('a systemic route code keeps a named medicine systemic, as a non-systemic one sets it aside', () => {
  test('route coded oral or subcutaneous (SNOMED CT, no display) beside "gel": the caution to confirm', () => {
    for (const [text, code] of [
      ['Ibuprofen 200 mg liquid gel', '26643006'],
      ['Methotrexate 25 mg/mL pen, with emollient cream', '34206005'],
    ] as const) {
      const named = statementNamed(text, {
        dosage: [{ route: { coding: [{ system: 'http://snomed.info/sct', code }] } }],
      });
      const a = engine.assess(seedWith(named), { asOf: AS_OF });
      assert.deepEqual(
        a.cautions.flatMap((c) => c.toConfirm ?? []),
        ['MedicationStatement/named'],
        text,
      );
    }
  });
});

describe('a coded medicine of the list whose record says it is applied', () => {
  test('coded hydrocortisone (RxNorm ingredient 5492) recorded as "Hydrocortisone 1% cream": to confirm, never a confirmed exclusion', () => {
    const cream = statementNamed('Hydrocortisone 1% cream', {
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '5492', display: 'hydrocortisone' }],
        text: 'Hydrocortisone 1% cream',
      },
    });
    const bundle = seedWith(cream);
    const a = engine.assess(bundle, { asOf: AS_OF });
    const caution = a.cautions.find((c) => c.code === 'crp-confounding-medication');
    assert.deepEqual(caution?.toConfirm, ['MedicationStatement/named']);
    assert.match(caution?.title ?? '', /: confirm the medicine$/);
    assert.match(caution?.detail ?? '', /MedicationStatement\/named is coded as one but recorded as "cream"/);
    assert.ok(
      a.unverified.some((u) => /non-systemic route/.test(u.item)),
      'the [U] route words are flagged',
    );
    const c = insightCriterion(bundle, 'insight-ex-corticosteroids');
    assert.equal(c?.status, 'unknown', 'before: met (excluded) on a skin cream');
    assert.match(c?.reason ?? '', /recorded as "cream"/);
    assert.match(
      c?.collect ?? '',
      /^confirm the medicine of MedicationStatement\/named: that it is taken by mouth or injected/,
    );
    // Coded and oral: a confirmed current corticosteroid, as before.
    const oral = statementNamed('Prednisone 20 mg oral tablet', {
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '8640' }],
        text: 'Prednisone 20 mg oral tablet',
      },
    });
    const b = engine.assess(seedWith(oral), { asOf: AS_OF });
    assert.equal(b.cautions[0]?.toConfirm, undefined);
    assert.equal(insightCriterion(seedWith(oral), 'insight-ex-corticosteroids')?.status, 'met');
  });
});

describe('a conventional immunosuppressant or an antibiotic named without a listed code', () => {
  test('"Methotrexate 15 mg weekly": the caution to confirm, and INSIGHT\'s exclusion unknown', () => {
    const bundle = seedWith(statementNamed('Methotrexate 15 mg weekly'));
    const a = engine.assess(bundle, { asOf: AS_OF });
    const caution = a.cautions.find((c) => c.code === 'conventional-immunosuppressant');
    assert.deepEqual(caution?.toConfirm, ['MedicationStatement/named']);
    assert.match(caution?.detail ?? '', /"methotrexate"/);
    const c = insightCriterion(bundle, 'insight-ex-conventional-immunosuppressant');
    assert.equal(c?.status, 'unknown');
    assert.match(c?.reason ?? '', /confirm/);
    // Tacrolimus ointment is not systemic immunosuppression.
    assert.deepEqual(engine.assess(seedWith(statementNamed('Tacrolimus 0.1% ointment')), { asOf: AS_OF }).cautions, []);
  });

  test('"Amoxicillin 500 mg capsules": INSIGHT\'s antibiotic exclusion is unknown asking to confirm', () => {
    const c = insightCriterion(seedWith(statementNamed('Amoxicillin 500 mg capsules')), 'insight-ex-antibiotics');
    assert.equal(c?.status, 'unknown');
    assert.match(c?.reason ?? '', /"amoxicillin" without a code/);
  });

  test('an allergy naming an NSAID before tocilizumab is still a tocilizumab allergy', () => {
    const allergy: Resource = {
      resourceType: 'AllergyIntolerance',
      id: 'allergy',
      patient: { reference: 'Patient/seed-patient' },
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
      },
      code: { text: 'ibuprofen, tocilizumab' },
    };
    const a = engine.assess(seedWith(allergy), { asOf: AS_OF });
    assert.ok(a.issues.some((i) => i.code === 'allergy.named-only'));
  });
});
