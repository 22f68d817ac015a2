/**
 * MedicationDispense -> MedicationFact (kind `dispense`): a supply handed over. Its start is whenHandedOver, else
 * whenPrepared; its supply is daysSupply, else the engine divides the quantity by the daily dose (docs/care-pathway.md,
 * definition 2). authorizingPrescription links it to the requests whose refills it shows taken.
 * @see https://hl7.org/fhir/R4/medicationdispense.html
 */
import type { MedicationDispense } from '@medplum/fhirtypes';
import type { MedicationFact, Period } from '../record/index.ts';
import type { BundleIndex } from './bundle-index.ts';
import { readQuantity, readReference } from './datatypes.ts';
import { readDosages } from './dosage.ts';
import { factHead, readMedicationDetails, readMedicationStatus } from './medication.ts';
import { durationInDays } from './medication-period.ts';
import { readArray, readDate } from './read.ts';
import type { ReadContext, Untrusted } from './read.ts';

/** References to requests, resolved to "MedicationRequest/id" where the bundle holds them (kept as written otherwise). */
export function readRequestRefs(ctx: ReadContext, value: unknown, path: string, index: BundleIndex): string[] {
  const list = Array.isArray(value) ? readArray(ctx, value, path) : value === undefined ? [] : [value];
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const { reference } = readReference(ctx, list[i], Array.isArray(value) ? `${path}[${i}]` : path);
    if (reference !== undefined) out.push(index.refOf(reference) ?? reference);
  }
  return out;
}

export function readMedicationDispense(
  ctx: ReadContext,
  resource: Untrusted<MedicationDispense>,
  index: BundleIndex,
): MedicationFact | undefined {
  const details = readMedicationDetails(ctx, resource, index);
  if (details === undefined) return undefined;
  const dosage = readDosages(ctx, resource.dosageInstruction, 'dosageInstruction');
  const handedOver = readDate(ctx, resource.whenHandedOver, 'whenHandedOver');
  const prepared = readDate(ctx, resource.whenPrepared, 'whenPrepared');
  const start = handedOver ?? prepared;
  const period: Period = start === undefined ? {} : { start };
  const days = durationInDays(ctx, resource.daysSupply, 'daysSupply');
  const quantity = readQuantity(ctx, resource.quantity, 'quantity');
  const basedOn = readRequestRefs(ctx, resource.authorizingPrescription, 'authorizingPrescription', index);
  const fact = factHead(ctx.ref, 'dispense', readMedicationStatus(ctx, resource.status), undefined, details, dosage);
  if (start !== undefined) fact.periodSource = handedOver !== undefined ? 'whenHandedOver' : 'whenPrepared';
  fact.period = period;
  if (days !== undefined || quantity !== undefined) {
    fact.supply = { ...(days !== undefined && { days }), ...(quantity !== undefined && { quantity }) };
  }
  if (basedOn.length > 0) fact.basedOn = basedOn;
  fact.reasonCodes = [];
  return fact as MedicationFact;
}
