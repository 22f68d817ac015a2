/**
 * CDS Hooks 2.0 conformance over real HTTP: discovery and every card checked against the spec's rules; the seed
 * vignette as prefetch gives a refer-to-trial card; a tocilizumab draft order for a patient with ANC 1.5 gives a
 * critical card naming neutropenia; PHQ-9 item 9 = 2 gives a critical safety card; feedback is stored durably.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { citationUrl } from './cards.ts';
import type { Card } from './cards.ts';
import {
  countingEngine,
  hookRequest,
  patientIdOf,
  postJson,
  readBundleFile,
  sharedEngine,
  startTestServer,
  TEST_TODAY,
} from '../server.test-support.ts';
import type { FhirResourceJson } from '../server.test-support.ts';

const seed = readBundleFile('examples/seed-vignette.json').entry.map((e) => e.resource);
const neutropenia = readBundleFile('examples/demo/neutropenia.json').entry.map((e) => e.resource);
const suicideRisk = readBundleFile('examples/demo/suicide-risk.json').entry.map((e) => e.resource);

/** The spec's rules for a card (CDS Hooks 2.0 "Card attributes"). */
export function assertConformingCard(card: Card): void {
  assert.equal(typeof card.uuid, 'string');
  assert.equal(typeof card.summary, 'string');
  assert.ok(
    card.summary.length > 0 && card.summary.length < 140,
    `summary under 140 characters: ${card.summary.length}`,
  );
  assert.ok(['info', 'warning', 'critical'].includes(card.indicator));
  assert.equal(typeof card.source?.label, 'string');
  if (card.source.url !== undefined) {
    assert.match(card.source.url, /^https?:\/\/\S+$/);
    assert.ok(URL.canParse(card.source.url), `source.url is a URL: ${card.source.url}`);
  }
  if (card.detail !== undefined) assert.equal(typeof card.detail, 'string');
  if (card.suggestions !== undefined) {
    assert.ok(
      ['at-most-one', 'any'].includes(card.selectionBehavior ?? ''),
      'selectionBehavior required with suggestions',
    );
    for (const s of card.suggestions) {
      assert.equal(typeof s.label, 'string');
      assert.equal(typeof s.uuid, 'string');
      for (const a of s.actions) {
        assert.ok(['create', 'update', 'delete'].includes(a.type));
        assert.equal(typeof a.description, 'string');
        if (a.type === 'create') assert.equal(typeof a.resource?.resourceType, 'string');
      }
    }
  }
  for (const r of card.overrideReasons ?? []) assert.equal(typeof r.code, 'string');
  for (const l of card.links ?? []) {
    assert.equal(typeof l.label, 'string');
    assert.match(l.url, /^https?:\/\//);
    assert.ok(['absolute', 'smart'].includes(l.type));
  }
}

function draftOrder(
  patientId: string,
  id: string,
  coding: { system: string; code: string; display: string },
): FhirResourceJson {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    medicationCodeableConcept: { coding: [coding], text: coding.display },
  };
}

/** Two draft orders of one patient: sertraline (no IL-6 blocker) and tocilizumab. */
const ssriAndTocilizumabDrafts = (patientId: string) => ({
  resourceType: 'Bundle',
  type: 'collection',
  entry: [
    { resource: draftOrder(patientId, 'draft-ssri', SERTRALINE) },
    { resource: draftOrder(patientId, 'draft-toci', TOCILIZUMAB) },
  ],
});

const TOCILIZUMAB = { system: 'http://www.whocc.no/atc', code: 'L04AC07', display: 'tocilizumab' };
const SERTRALINE = { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '36437', display: 'sertraline' };

describe('CDS Hooks 2.0 services', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'trd-cds-'));
    server = await startTestServer({ allowUnauthenticated: true, dataDir });
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('discovery lists each service with hook, id, description and prefetch templates from the code sets', async () => {
    const response = await fetch(`${server.base}/cds-services`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const preflight = await fetch(`${server.base}/cds-services/trd-il6-candidacy`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://ehr.example.org',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const apiPreflight = await fetch(`${server.base}/api/assess`, {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(apiPreflight.headers.get('access-control-allow-origin'), null, 'CORS only for the CDS routes');
    const body = (await response.json()) as {
      services: {
        hook: string;
        id: string;
        description: string;
        prefetch: Record<string, string>;
        usageRequirements?: string;
      }[];
    };
    assert.deepEqual(body.services.map((s) => s.hook).sort(), ['order-select', 'order-sign', 'patient-view']);
    for (const s of body.services) {
      assert.match(s.id, /^[a-z0-9-]+$/);
      assert.ok(s.description.length > 0);
      for (const template of Object.values(s.prefetch)) assert.match(template, /\{\{context\.patientId\}\}/);
      assert.match(s.prefetch.observations ?? '', /http:\/\/loinc\.org\|30522-7/, 'hs-CRP from the crp code set');
      assert.match(s.prefetch.observations ?? '', /http:\/\/loinc\.org\|751-8/, 'ANC from the anc code set');
      // LOINC answer codes (PHQ-9 "Not at all" LA6568-5, a result's "Negative") are values, never an Observation code.
      assert.doesNotMatch(s.prefetch.observations ?? '', /\|LA\d/);
      for (const key of [
        'medicationDispenses',
        'medicationAdministrations',
        'questionnaireResponses',
        'allergies',
        'immunizations',
        'procedures',
      ]) {
        assert.ok(key in s.prefetch, key);
      }
      // What the integrator must give, or meet a 412: every key, or the FHIR server's read access to each type.
      assert.match(s.usageRequirements ?? '', /Each prefetch key is needed/);
      assert.match(
        s.usageRequirements ?? '',
        /read access to [^;]*\bCondition\b[^;]*\bMedication\b[^;]*\bObservation\b/,
      );
      assert.equal(/draft order's Medication/.test(s.usageRequirements ?? ''), s.hook !== 'patient-view');
    }
  });

  test('the seed vignette as prefetch gives a refer-to-trial card with work-up suggestions and trial links', async () => {
    const { status, body } = await postJson(
      `${server.base}/cds-services/trd-il6-candidacy`,
      hookRequest('patient-view', seed),
    );
    assert.equal(status, 200);
    const cards = (body as { cards: Card[] }).cards;
    cards.forEach(assertConformingCard);
    const expected = sharedEngine.assess(
      { resourceType: 'Bundle', type: 'collection', entry: seed.map((resource) => ({ resource })) },
      { asOf: TEST_TODAY.toISOString().slice(0, 10) },
    );
    assert.equal(expected.recommendation.code, 'refer-to-trial');
    const card = cards.find((c) => c.summary === expected.recommendation.title);
    assert.ok(card, 'a card whose summary is the recommendation');
    assert.equal(card.indicator, 'info');
    assert.match(card.detail, /refer-to-trial/);
    assert.match(card.detail, /`Observation\/seed-hscrp` 2026-11-06\)/, 'evidence in the detail, with its date');
    assert.match(card.detail, /\| rule \| matched \| outcome \|/, 'the trace in the detail');
    const orders = (card.suggestions ?? []).map(
      (s) => (s.actions[0]?.resource as { code: { coding: { code: string }[] } }).code.coding[0]?.code,
    );
    assert.equal(orders.length, expected.missingWorkup.length, 'one ServiceRequest per missing work-up item');
    assert.ok(orders.every((c) => typeof c === 'string'));
    assert.ok(
      (card.links ?? []).some((l) => /clinicaltrials\.gov|isrctn\.com/.test(l.url)),
      'trial registry links',
    );
    // The recommendation's citation (the INSIGHT protocol) gives its DOI as the source's address.
    assert.equal(expected.recommendation.citation, 'insight-protocol-2018');
    assert.equal(card.source.url, 'https://doi.org/10.1136/bmjopen-2018-025333');
  });

  test("a card source's url is the citation's DOI or first web address, a whole URL, never the source text", () => {
    assert.equal(
      citationUrl('doi:10.1002/da.23135; https://pmc.ncbi.nlm.nih.gov/x'),
      'https://doi.org/10.1002/da.23135',
    );
    assert.equal(citationUrl('https://a.example/p.html ; http://b.example/q'), 'https://a.example/p.html');
    assert.equal(
      citationUrl('http://precision-trd.org/fhir/CodeSystem/scales (project-defined)'),
      'http://precision-trd.org/fhir/CodeSystem/scales',
    );
    assert.equal(citationUrl('lab text https://one.example/show/7264834'), 'https://one.example/show/7264834');
    assert.equal(citationUrl('docs/care-pathway.md'), undefined);
    assert.equal(citationUrl('actemrahcp.com; drugs.com'), undefined);
    for (const [key, citation] of sharedEngine.knowledge.citations) {
      const url = citationUrl(citation.source);
      if (url !== undefined) assert.ok(URL.canParse(url) && !/\s/.test(url), `${key}: ${url}`);
    }
  });

  test('measure-crp suggests a ServiceRequest for hs-CRP (LOINC 30522-7)', async () => {
    const patient = readBundleFile('examples/demo/measure-crp.json').entry.map((e) => e.resource);
    const { status, body } = await postJson(
      `${server.base}/cds-services/trd-il6-candidacy`,
      hookRequest('patient-view', patient),
    );
    assert.equal(status, 200);
    const cards = (body as { cards: Card[] }).cards;
    cards.forEach(assertConformingCard);
    const resource = cards[0]?.suggestions?.[0]?.actions[0]?.resource as {
      resourceType: string;
      code: { coding: { system: string; code: string }[] };
    };
    assert.equal(resource.resourceType, 'ServiceRequest');
    assert.deepEqual(resource.code.coding[0], {
      system: 'http://loinc.org',
      code: '30522-7',
      display: resource.code.coding[0]?.['display' as 'code'],
    });
  });

  test('order-sign: a tocilizumab draft order with ANC 1.5 gives a critical card naming neutropenia', async () => {
    const patientId = neutropenia.find((r) => r.resourceType === 'Patient')?.id as string;
    const draft = draftOrder(patientId, 'draft-toci', TOCILIZUMAB);
    const request = hookRequest('order-sign', neutropenia, {
      context: { draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] } },
    });
    const { status, body } = await postJson(`${server.base}/cds-services/trd-il6-blocker-order-sign`, request);
    assert.equal(status, 200);
    const cards = (body as { cards: Card[] }).cards;
    cards.forEach(assertConformingCard);
    const critical = cards.find((c) => c.indicator === 'critical' && /neutropenia/i.test(c.summary));
    assert.ok(critical, `a critical card naming neutropenia: ${cards.map((c) => c.summary).join(' | ')}`);
    assert.match(critical.detail, /`neutropenia`/);
    assert.match(critical.detail, /MedicationRequest\/draft-toci/);
  });

  test('order-sign: a tocilizumab draft for a patient with no safety labs at all, off the referral track, gives a critical card naming each missing item', async () => {
    // Patient and depression only: the pathway asks to confirm the history (not the referral track), so the
    // assessment lists no work-up; the order still needs every safety lab and screen.
    const bare = neutropenia.filter((r) => r.resourceType === 'Patient' || r.resourceType === 'Condition');
    const patientId = patientIdOf(bare);
    const assessment = sharedEngine.assess(
      { resourceType: 'Bundle', type: 'collection', entry: bare.map((resource) => ({ resource })) },
      { asOf: '2026-11-27' },
    );
    assert.deepEqual(assessment.missingWorkup, [], 'off the referral track the assessment lists no work-up');
    const request = hookRequest('order-sign', bare, {
      context: {
        draftOrders: {
          resourceType: 'Bundle',
          type: 'collection',
          entry: [{ resource: draftOrder(patientId, 'draft-toci', TOCILIZUMAB) }],
        },
      },
    });
    const { status, body } = await postJson(`${server.base}/cds-services/trd-il6-blocker-order-sign`, request);
    assert.equal(status, 200);
    const cards = (body as { cards: Card[] }).cards;
    cards.forEach(assertConformingCard);
    assert.equal(cards.length, 1);
    const card = cards[0] as Card;
    assert.equal(card.indicator, 'critical');
    // Each item in words within the line, never capitalised mid-sentence ("no Latent tuberculosis screen").
    assert.equal(
      card.summary,
      'tocilizumab: work-up missing: no absolute neutrophil count, no platelet count, no ALT, no AST, no latent tuberculosis screen, no hepatitis…',
    );
    for (const code of ['anc', 'platelets', 'alt', 'ast', 'latent-tb-screen', 'hepatitis-b-serology']) {
      assert.match(card.detail, new RegExp(`\\(\`${code}\`\\)`), `the detail names ${code}`);
    }
    const ordered = (card.suggestions ?? []).map(
      (s) => (s.actions[0]?.resource as { code: { coding: { code: string }[] } }).code.coding[0]?.code,
    );
    assert.ok(ordered.includes('751-8') || ordered.includes('26499-4'), `an ANC order: ${ordered.join(', ')}`);
    // Hepatitis B serology is two tests (the item's orderCodeSets): HBsAg and anti-HBc, one order each.
    assert.ok(ordered.includes('5196-1') && ordered.includes('16933-4'), `HBsAg and anti-HBc: ${ordered.join(', ')}`);
    assert.equal(card.selectionBehavior, 'any');
  });

  /** order-sign for the neutropenic patient's draft orders: the conforming critical card that names neutropenia. */
  async function neutropeniaOrderCard(entry: { resource: unknown }[]): Promise<Card> {
    const { status, body } = await postJson(
      `${server.base}/cds-services/trd-il6-blocker-order-sign`,
      hookRequest('order-sign', neutropenia, { context: { draftOrders: { resourceType: 'Bundle', entry } } }),
    );
    assert.equal(status, 200);
    const cards = (body as { cards: Card[] }).cards;
    cards.forEach(assertConformingCard);
    const card = cards.find((c) => c.indicator === 'critical' && /neutropenia/i.test(c.summary));
    assert.ok(card, cards.map((c) => c.summary).join(' | '));
    return card;
  }

  test('order-sign: an IL-6 blocker coded outside the code set (a product code, text only) is still checked, by name', async () => {
    const patientId = patientIdOf(neutropenia);
    const product = {
      ...draftOrder(patientId, 'draft-product', TOCILIZUMAB),
      // A product code outside the il6-blockers code set (which holds ingredients); only its display names the drug.
      medicationCodeableConcept: {
        coding: [
          {
            system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
            code: '1441526',
            display: 'tocilizumab 162 MG in 0.9 ML Prefilled Syringe',
          },
        ],
      },
    };
    const textOnly = {
      ...draftOrder(patientId, 'draft-text', TOCILIZUMAB),
      medicationCodeableConcept: undefined,
      medicationReference: { reference: '#med' },
      contained: [{ resourceType: 'Medication', id: 'med', code: { text: 'Sarilumab 200 mg/1.14 mL pen' } }],
    };
    const snomed = draftOrder(patientId, 'draft-snomed', {
      system: 'http://snomed.info/sct',
      code: '444648007',
      display: 'Tocilizumab (substance)',
    });
    const entry = [product, textOnly, snomed].map((resource) => ({ resource }));
    const card = await neutropeniaOrderCard(entry);
    assert.match(card.summary, /^tocilizumab, sarilumab: contraindicated/, 'ingredient names, each once');
    assert.match(
      card.detail,
      /`MedicationRequest\/draft-product` \(tocilizumab, named in its text .*confirm the medicine\)/,
    );
    assert.match(card.detail, /`MedicationRequest\/draft-text` \(sarilumab, named in its text/);
    assert.match(card.detail, /`MedicationRequest\/draft-snomed` \(tocilizumab\)/);
    // Another medicine named in text gives no card; nor does an immunosuppressant the knowledge names that is not an
    // IL-6 blocker (adalimumab): not these hooks' order.
    for (const text of ['sertraline 50 mg', 'Adalimumab 40 mg pen']) {
      const { body } = await postJson(
        `${server.base}/cds-services/trd-il6-blocker-order-sign`,
        hookRequest('order-sign', neutropenia, {
          context: {
            draftOrders: {
              resourceType: 'Bundle',
              entry: [{ resource: { ...textOnly, contained: [{ ...textOnly.contained[0], code: { text } }] } }],
            },
          },
        }),
      );
      assert.deepEqual((body as { cards: Card[] }).cards, [], `${text} named in text: no card`);
    }
  });

  test('order-sign: a brand-only draft (Actemra as text, RoActemra under a product code no set lists) is checked, by brand', async () => {
    const patientId = patientIdOf(neutropenia);
    const actemra = {
      ...draftOrder(patientId, 'draft-actemra', TOCILIZUMAB),
      medicationCodeableConcept: { text: 'Actemra 20 mg/mL concentrate for infusion' },
    };
    const roactemra = {
      ...draftOrder(patientId, 'draft-roactemra', TOCILIZUMAB),
      medicationCodeableConcept: {
        coding: [{ system: 'http://example.org/formulary', code: 'RA-162', display: 'RoActemra 162 mg pen' }],
      },
    };
    const kevzara = {
      ...draftOrder(patientId, 'draft-kevzara', TOCILIZUMAB),
      medicationCodeableConcept: { text: 'KEVZARA 200 mg pen' },
    };
    const entry = [actemra, roactemra, kevzara].map((resource) => ({ resource }));
    const card = await neutropeniaOrderCard(entry);
    assert.match(card.summary, /^tocilizumab, sarilumab: contraindicated/);
    assert.match(
      card.detail,
      /`MedicationRequest\/draft-actemra` \(tocilizumab, named in its text \("Actemra", a brand name of tocilizumab\) but not coded .*confirm the medicine\)/,
    );
    assert.match(card.detail, /`MedicationRequest\/draft-roactemra` \(tocilizumab, named in its text \("RoActemra"/);
    assert.match(
      card.detail,
      /`MedicationRequest\/draft-kevzara` \(sarilumab, named in its text \("Kevzara", a brand name of sarilumab, unverified \\\[U\]/,
    );
  });

  test('order-sign: an IL-6 blocker identified by an unverified [U] code says so on its card', async () => {
    const patientId = patientIdOf(neutropenia);
    const siltuximab = { system: 'http://www.whocc.no/atc', code: 'L04AC11', display: 'siltuximab' };
    const entry = sharedEngine.knowledge.codeSets.get('il6-blockers')?.codes.find((c) => c.code === 'L04AC11');
    assert.equal(entry?.verified, false, 'the ATC code of siltuximab is [U] in the knowledge');
    const { body } = await postJson(
      `${server.base}/cds-services/trd-il6-blocker-order-sign`,
      hookRequest('order-sign', neutropenia, {
        context: {
          draftOrders: {
            resourceType: 'Bundle',
            entry: [
              { resource: draftOrder(patientId, 'draft-silt', siltuximab) },
              { resource: draftOrder(patientId, 'draft-toci', TOCILIZUMAB) },
            ],
          },
        },
      }),
    );
    const card = (body as { cards: Card[] }).cards.find((c) => c.indicator === 'critical');
    assert.ok(card);
    assert.match(
      card.detail,
      /`MedicationRequest\/draft-silt` \(siltuximab, by an unverified code: code set il6-blockers: [^)]*L04AC11/,
    );
    assert.match(card.detail, /`MedicationRequest\/draft-toci` \(tocilizumab\)/, 'a verified code is not flagged');
  });

  test('order-sign: with the whole work-up done, an order gets the recommendation card, and none outside the pathway', async () => {
    const referral = readBundleFile('examples/demo/refer-to-trial.json').entry.map((e) => e.resource);
    const patientId = patientIdOf(referral);
    // A negative IGRA completes the demo patient's work-up.
    const igra: FhirResourceJson = {
      resourceType: 'Observation',
      id: 'igra',
      status: 'final',
      subject: { reference: `Patient/${patientId}` },
      effectiveDateTime: '2026-10-01',
      code: { coding: [{ system: 'http://loinc.org', code: '71773-6' }] },
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '260385009' }] },
    };
    const draftOrders = {
      resourceType: 'Bundle',
      entry: [{ resource: draftOrder(patientId, 'draft-toci', TOCILIZUMAB) }],
    };
    const call = async (resources: FhirResourceJson[]) =>
      (
        (
          await postJson(
            `${server.base}/cds-services/trd-il6-blocker-order-sign`,
            hookRequest('order-sign', resources, { context: { draftOrders } }),
          )
        ).body as { cards: Card[] }
      ).cards;
    const inScope = await call([...referral, igra]);
    assert.equal(inScope.length, 1);
    assert.equal(inScope[0]?.summary, 'tocilizumab: Refer to a clinical trial of IL-6 blockade');
    assert.match(inScope[0]?.detail ?? '', /offered only within a trial/);
    // No depression recorded (tocilizumab for rheumatoid arthritis, say): no warning that the pathway does not apply.
    const outOfScope = await call([...referral, igra].filter((r) => r.resourceType !== 'Condition'));
    assert.deepEqual(outOfScope, []);
  });

  test('order-sign: a draft order for another medicine gives no card; order-select checks only the selections', async () => {
    const patientId = neutropenia.find((r) => r.resourceType === 'Patient')?.id as string;
    const draftOrders = ssriAndTocilizumabDrafts(patientId);
    const sign = await postJson(
      `${server.base}/cds-services/trd-il6-blocker-order-sign`,
      hookRequest('order-sign', neutropenia, {
        context: { draftOrders: { ...draftOrders, entry: draftOrders.entry.slice(0, 1) } },
      }),
    );
    assert.deepEqual((sign.body as { cards: Card[] }).cards, []);
    const selectOther = await postJson(
      `${server.base}/cds-services/trd-il6-blocker-order-select`,
      hookRequest('order-select', neutropenia, {
        context: { draftOrders, selections: ['MedicationRequest/draft-ssri'] },
      }),
    );
    assert.deepEqual((selectOther.body as { cards: Card[] }).cards, []);
    const selectToci = await postJson(
      `${server.base}/cds-services/trd-il6-blocker-order-select`,
      hookRequest('order-select', neutropenia, {
        context: { draftOrders, selections: ['MedicationRequest/draft-toci'] },
      }),
    );
    assert.ok((selectToci.body as { cards: Card[] }).cards.some((c) => c.indicator === 'critical'));
    const serviceOrder = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: { resourceType: 'ServiceRequest', id: 'draft-xray', status: 'draft', intent: 'order' } }],
    };
    const noMedication = await postJson(
      `${server.base}/cds-services/trd-il6-blocker-order-sign`,
      hookRequest('order-sign', neutropenia, { prefetch: null, context: { draftOrders: serviceOrder } }),
    );
    assert.equal(noMedication.status, 200, 'no medication order: no record needed, so no 412 without prefetch');
    assert.deepEqual((noMedication.body as { cards: Card[] }).cards, []);
  });

  test('order-select: a selection naming no draft order is a 400, never an empty answer read as "checked"', async () => {
    const patientId = patientIdOf(neutropenia);
    const draftOrders = ssriAndTocilizumabDrafts(patientId);
    // A typo, or an id the client rewrote: the tocilizumab order would otherwise go unchecked in silence.
    const response = await postJson(
      `${server.base}/cds-services/trd-il6-blocker-order-select`,
      hookRequest('order-select', neutropenia, {
        context: { draftOrders, selections: ['MedicationRequest/draft-ssri', 'MedicationRequest/draft-tocí'] },
      }),
    );
    assert.equal(response.status, 400);
    const outcome = response.body as { issue: { diagnostics: string; details: { coding: { code: string }[] } }[] };
    assert.equal(outcome.issue[0]?.diagnostics, 'context.selections[1] names no order in context.draftOrders');
    assert.equal(outcome.issue[0]?.details.coding[0]?.code, 'cds.selections.unknown');
  });

  test('PHQ-9 item 9 = 2 gives a critical safety card', async () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: suicideRisk.map((resource) => ({ resource })) };
    assert.equal(sharedEngine.assess(bundle, { asOf: '2026-11-27' }).safetyAlerts[0]?.code, 'suicide-risk');
    const { status, body } = await postJson(
      `${server.base}/cds-services/trd-il6-candidacy`,
      hookRequest('patient-view', suicideRisk),
    );
    assert.equal(status, 200);
    const cards = (body as { cards: Card[] }).cards;
    cards.forEach(assertConformingCard);
    assert.equal(cards[0]?.indicator, 'critical', 'the safety card comes first');
    assert.match(cards[0]?.summary ?? '', /safety alert/i);
    assert.match(cards[0]?.detail ?? '', /\(evidence: `QuestionnaireResponse\/[^`]+` \d{4}-\d{2}-\d{2}\)/);
  });

  test('a patient outside the pathway (no depression recorded) gets no card, and no trial matching is run', async () => {
    const engine = countingEngine();
    const other = await startTestServer({ allowUnauthenticated: true, engine });
    try {
      const noDepression = seed.filter((r) => r.resourceType !== 'Condition');
      const { status, body } = await postJson(
        `${other.base}/cds-services/trd-il6-candidacy`,
        hookRequest('patient-view', noDepression),
      );
      assert.equal(status, 200);
      assert.deepEqual(body, { cards: [], systemActions: [] });
      assert.equal(engine.calls.assess, 1);
      assert.equal(engine.calls.match, 0);
    } finally {
      await other.close();
    }
  });

  test('bad requests: unknown service 404, wrong hook 400, an order hook without draftOrders (order-select: selections) 400, a prefetched Patient that is not context.patientId 400', async () => {
    assert.equal((await postJson(`${server.base}/cds-services/nope`, hookRequest('patient-view', seed))).status, 404);
    assert.equal(
      (await postJson(`${server.base}/cds-services/trd-il6-candidacy`, hookRequest('order-sign', seed))).status,
      400,
    );
    for (const [id, hook, context] of [
      ['trd-il6-blocker-order-sign', 'order-sign', {}],
      ['trd-il6-blocker-order-select', 'order-select', { selections: ['MedicationRequest/x'] }],
      ['trd-il6-blocker-order-sign', 'order-sign', { draftOrders: { resourceType: 'MedicationRequest' } }],
      ['trd-il6-blocker-order-select', 'order-select', { draftOrders: { resourceType: 'Bundle', entry: [] } }],
      // draftOrders whose entries are not a list of entries holding a resource: orders the service cannot read.
      [
        'trd-il6-blocker-order-sign',
        'order-sign',
        { draftOrders: { resourceType: 'Bundle', entry: { resource: {} } } },
      ],
      [
        'trd-il6-blocker-order-sign',
        'order-sign',
        { draftOrders: { resourceType: 'Bundle', entry: [{ resource: null }] } },
      ],
      [
        'trd-il6-blocker-order-sign',
        'order-sign',
        { draftOrders: { resourceType: 'Bundle', entry: [{ fullUrl: 'x' }] } },
      ],
    ] as const) {
      const noOrders = await postJson(`${server.base}/cds-services/${id}`, hookRequest(hook, seed, { context }));
      assert.equal(noOrders.status, 400, `${hook} with context ${JSON.stringify(context)}`);
      assert.match(
        (noOrders.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics ?? '',
        /^context\.(draftOrders|selections)/,
      );
    }
    const mismatch = hookRequest('patient-view', seed, { context: { patientId: 'someone-else' } });
    const response = await postJson(`${server.base}/cds-services/trd-il6-candidacy`, mismatch);
    assert.equal(response.status, 400);
    assert.equal((response.body as { resourceType: string }).resourceType, 'OperationOutcome');
  });

  test('a patient-facing call (context.userId a Patient or RelatedPerson) is a 400: the cards are for clinicians', async () => {
    const patientId = patientIdOf(suicideRisk);
    for (const userId of [`Patient/${patientId}`, 'RelatedPerson/mother']) {
      const response = await postJson(
        `${server.base}/cds-services/trd-il6-candidacy`,
        hookRequest('patient-view', suicideRisk, { context: { userId } }),
      );
      assert.equal(response.status, 400, userId);
      const outcome = response.body as { issue: { diagnostics: string; details: { coding: { code: string }[] } }[] };
      assert.match(outcome.issue[0]?.diagnostics ?? '', /^context\.userId: these services answer clinicians/);
      assert.equal(outcome.issue[0]?.details.coding[0]?.code, 'cds.request.user');
    }
    for (const userId of ['Practitioner/123', 'PractitionerRole/abc']) {
      const response = await postJson(
        `${server.base}/cds-services/trd-il6-candidacy`,
        hookRequest('patient-view', suicideRisk, { context: { userId } }),
      );
      assert.equal(response.status, 200, userId);
    }
  });

  test('an order hook whose (selected) draft order is for another patient is a 400, never judged on this record', async () => {
    const patientId = patientIdOf(neutropenia);
    const draftOrders = (...orders: FhirResourceJson[]) => ({
      resourceType: 'Bundle',
      type: 'collection',
      entry: orders.map((resource) => ({ resource })),
    });
    for (const subject of ['Patient/someone-else', 'https://ehr.example.org/fhir/Patient/someone-else', 'Group/1']) {
      const other = { ...draftOrder(patientId, 'draft-toci', TOCILIZUMAB), subject: { reference: subject } };
      const response = await postJson(
        `${server.base}/cds-services/trd-il6-blocker-order-sign`,
        hookRequest('order-sign', neutropenia, { context: { draftOrders: draftOrders(other) } }),
      );
      assert.equal(response.status, 400, subject);
      const outcome = response.body as { issue: { details?: { coding: { code: string }[] } }[] };
      assert.equal(outcome.issue[0]?.details?.coding[0]?.code, 'cds.draft-orders.patient-mismatch');
    }
    // The same patient by an absolute or versioned reference is that patient; an unselected order is not looked at.
    const own = {
      ...draftOrder(patientId, 'draft-toci', TOCILIZUMAB),
      subject: { reference: `https://ehr.example.org/fhir/Patient/${patientId}/_history/3` },
    };
    const unselected = { ...draftOrder('someone-else', 'draft-other', SERTRALINE) };
    const select = await postJson(
      `${server.base}/cds-services/trd-il6-blocker-order-select`,
      hookRequest('order-select', neutropenia, {
        context: { draftOrders: draftOrders(own, unselected), selections: ['MedicationRequest/draft-toci'] },
      }),
    );
    assert.equal(select.status, 200);
    assert.ok((select.body as { cards: Card[] }).cards.some((c) => /neutropenia/i.test(c.summary)));
  });

  test('feedback is stored in SQLite, listed per service, and kept across a restart', async () => {
    const feedback = {
      feedback: [
        {
          card: '9368d37b-283f-44a0-93ea-547cebab93ed',
          outcome: 'overridden',
          overrideReason: {
            reason: { system: 'urn:precision-trd:cds-override-reason', code: 'patient-declined' },
            userComment: 'Prefers to wait',
          },
          outcomeTimestamp: '2026-11-27T10:00:00Z',
        },
        {
          card: '1cd3b4a8-5d7c-4b16-bd3c-0b3f2ef0a7c2',
          outcome: 'accepted',
          acceptedSuggestions: [{ id: 'e56e1945-20b3-4393-8503-a1a20fd73152' }],
          outcomeTimestamp: '2026-11-27T10:01:00Z',
        },
      ],
    };
    const stored = await postJson(`${server.base}/cds-services/trd-il6-candidacy/feedback`, feedback);
    assert.equal(stored.status, 200);
    assert.deepEqual(stored.body, { stored: 2 });
    const bad = await postJson(`${server.base}/cds-services/trd-il6-candidacy/feedback`, {
      feedback: [{ card: 'x', outcome: 'maybe' }],
    });
    assert.equal(bad.status, 400);
    const neverOffered = await postJson(`${server.base}/cds-services/trd-il6-candidacy/feedback`, {
      feedback: [
        {
          ...feedback.feedback[0],
          overrideReason: { reason: { system: 'urn:precision-trd:cds-override-reason', code: 'too-busy' } },
        },
      ],
    });
    assert.equal(neverOffered.status, 400, 'an override reason the cards never offered');
    assert.match(
      (neverOffered.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics ?? '',
      /overrideReason\.reason: not an override reason this service offers/,
    );
    const noSystem = await postJson(`${server.base}/cds-services/trd-il6-candidacy/feedback`, {
      feedback: [{ ...feedback.feedback[0], overrideReason: { reason: { code: 'patient-declined' } } }],
    });
    assert.equal(noSystem.status, 400, 'a reason of no system names no list');
    // CDS Hooks 2.0: the client may offer override reasons of its own; the clinician's choice and comment are kept.
    const clientsOwn = {
      card: 'b2a1f0e4-7c55-4c1e-9d53-3f4c1b0e9a11',
      outcome: 'overridden',
      overrideReason: {
        reason: {
          system: 'https://ehr.example.org/override-reason',
          code: 'd7ecf885',
          display: 'Benefit outweighs risk',
        },
        userComment: 'Rheumatology started it',
      },
      outcomeTimestamp: '2026-11-27T10:02:00Z',
    };
    const kept = await postJson(`${server.base}/cds-services/trd-il6-candidacy/feedback`, { feedback: [clientsOwn] });
    assert.equal(kept.status, 200, "the client's own override reason");
    assert.deepEqual(kept.body, { stored: 1 });
    // A client retrying a request whose answer it lost: nothing is stored twice, and the answer says so.
    const retried = await postJson(`${server.base}/cds-services/trd-il6-candidacy/feedback`, {
      feedback: [clientsOwn, { ...clientsOwn, outcomeTimestamp: '2026-11-27T10:03:00Z' }],
    });
    assert.deepEqual(retried.body, { stored: 1, alreadyStored: 1 });
    // A card is acted on before its feedback arrives: a timestamp after that (beyond the clock skew) is refused whole.
    const ahead = await postJson(`${server.base}/cds-services/trd-il6-candidacy/feedback`, {
      feedback: [
        { ...clientsOwn, card: 'a', outcomeTimestamp: '2026-11-27T12:00:30Z' },
        { ...clientsOwn, card: 'b', outcomeTimestamp: '2030-01-01T00:00:00Z' },
      ],
    });
    assert.equal(ahead.status, 400);
    assert.match(
      (ahead.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics ?? '',
      /^feedback\.1\.outcomeTimestamp: after the feedback was received \(2026-11-27T12:00:00\.000Z\)/,
    );
    for (const [entry, field] of [
      [{ card: 'c', outcome: 'overridden', acceptedSuggestions: [{ id: 's' }] }, 'acceptedSuggestions'],
      [
        { card: 'c', outcome: 'accepted', acceptedSuggestions: [{ id: 's' }], overrideReason: { userComment: 'no' } },
        'overrideReason',
      ],
    ] as const) {
      const contradictory = await postJson(`${server.base}/cds-services/trd-il6-candidacy/feedback`, {
        feedback: [{ ...entry, outcomeTimestamp: '2026-11-27T10:00:00Z' }],
      });
      assert.equal(contradictory.status, 400, field);
      assert.match(
        (contradictory.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics ?? '',
        new RegExp(`^feedback\\.0\\.${field}: only with outcome`),
      );
    }
    // CDS Hooks 2.0: acceptedSuggestions is required for an accepted outcome.
    for (const acceptedSuggestions of [undefined, []]) {
      const acceptedOfNothing = await postJson(`${server.base}/cds-services/trd-il6-candidacy/feedback`, {
        feedback: [{ card: 'c', outcome: 'accepted', acceptedSuggestions, outcomeTimestamp: '2026-11-27T10:00:00Z' }],
      });
      assert.equal(acceptedOfNothing.status, 400);
      assert.equal(
        (acceptedOfNothing.body as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics,
        'feedback.0.acceptedSuggestions: required with outcome accepted',
      );
    }
    await server.close();
    server = await startTestServer({ allowUnauthenticated: true, dataDir });
    const listed = (await (await fetch(`${server.base}/cds-services/trd-il6-candidacy/feedback`)).json()) as {
      feedback: { outcome: string; overrideReason?: { userComment?: string } }[];
    };
    assert.equal(listed.feedback.length, 4, 'the refused entries and the retried one were not stored');
    assert.equal(listed.feedback[3]?.overrideReason?.userComment, 'Prefers to wait');
    assert.deepEqual(listed.feedback[0]?.overrideReason, clientsOwn.overrideReason);
    const other = (await (await fetch(`${server.base}/cds-services/trd-il6-blocker-order-sign/feedback`)).json()) as {
      feedback: unknown[];
    };
    assert.equal(other.feedback.length, 0);
  });
});
