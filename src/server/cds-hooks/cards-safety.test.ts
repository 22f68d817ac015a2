/**
 * A safety alert's card says what was found, on every hook: the order hooks' card showed only the alert's title, so
 * the prescriber signing an IL-6 blocker did not see which answer, of which date, raised it, nor that it was read
 * by its question text [U] (docs/service.md, Cards).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBundleFile, sharedEngine } from '../server.test-support.ts';
import { orderCheckCards, patientViewCards } from './cards.ts';

test('the safety alert card of an order hook carries the alert detail, as patient-view does', () => {
  const bundle = readBundleFile('examples/demo/suicide-risk.json');
  const patientId = bundle.entry.find((e) => e.resource.resourceType === 'Patient')?.resource.id as string;
  const { assessment, missingWorkup } = sharedEngine.assessForOrder(sharedEngine.read(bundle), { asOf: '2026-11-27' });
  const alert = assessment.safetyAlerts[0];
  assert.ok(alert?.detail !== undefined && alert.detail.length > 0, 'the demo patient raises an alert with detail');
  const orders = [{ reference: 'MedicationRequest/o1', medication: 'tocilizumab', identifiedBy: 'code' as const }];
  const orderCard = orderCheckCards(sharedEngine.knowledge, assessment, missingWorkup, orders, patientId)[0];
  const viewCard = patientViewCards(sharedEngine.knowledge, assessment, () => [], patientId)[0];
  assert.equal(orderCard?.indicator, 'critical');
  assert.ok(orderCard?.detail.includes(alert.detail), 'what was found, on the order card');
  assert.equal(orderCard?.detail, viewCard?.detail, 'the same card on every hook');
});
