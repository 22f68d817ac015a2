/**
 * MedicationAdministration -> MedicationFact (kind `administration`): a dose given, on its effective date or over its
 * effective period. One administration is one dose: `dosage.dose` is read as that day's dose (an inpatient course is
 * one administration per day; several a day are each read alone, which never overstates a daily dose).
 * @see https://hl7.org/fhir/R4/medicationadministration.html
 */
import type { MedicationAdministration, MedicationAdministrationDosage } from '@medplum/fhirtypes';
import type { MedicationFact } from '../record/index.ts';
import type { BundleIndex } from './bundle-index.ts';
import { readConcept, readConcepts, readQuantity } from './datatypes.ts';
import { readMedicationDetails, readMedicationStatus } from './medication.ts';
import { readRequestRefs } from './medication-dispense.ts';
import { statementPeriod } from './medication-period.ts';
import { readObject, readString } from './read.ts';
import type { ReadContext, Untrusted } from './read.ts';

export function readMedicationAdministration(
  ctx: ReadContext,
  resource: Untrusted<MedicationAdministration>,
  index: BundleIndex,
): MedicationFact | undefined {
  const details = readMedicationDetails(ctx, resource, index);
  if (details === undefined) return undefined;
  const { period, periodSource } = statementPeriod(ctx, resource, undefined, true);
  const dosage = readObject<MedicationAdministrationDosage>(ctx, resource.dosage, 'dosage');
  const dose = dosage === undefined ? undefined : readQuantity(ctx, dosage.dose, 'dosage.dose');
  const dosageText = dosage === undefined ? undefined : readString(ctx, dosage.text, 'dosage.text');
  const route = dosage === undefined ? undefined : readConcept(ctx, dosage.route, 'dosage.route');
  const basedOn = readRequestRefs(ctx, resource.request, 'request', index);
  return {
    ref: ctx.ref,
    kind: 'administration',
    status: readMedicationStatus(ctx, resource.status),
    ...details,
    ...(dose !== undefined && { dosePerAdministration: dose, administrationsPerDay: 1, dailyDose: dose }),
    ...(dosageText !== undefined && { dosageText }),
    ...(route !== undefined && { route }),
    ...(periodSource !== undefined && { periodSource }),
    period,
    ...(basedOn.length > 0 && { basedOn }),
    reasonCodes: readConcepts(ctx, resource.reasonCode, 'reasonCode'),
  };
}
