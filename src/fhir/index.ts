/**
 * The FHIR R4 input adapter: a Bundle of one patient's resources -> the normalized PatientRecord.
 * Pure (no I/O); fatal issue codes: fhir.bundle.not-a-bundle, fhir.bundle.no-patient, fhir.bundle.several-patients.
 * Non-fatal codes (in record.issues): fhir.element.malformed, fhir.entry.malformed, fhir.reference.unresolved,
 * fhir.resource.skipped, fhir.dosage.as-needed, fhir.dosage.sequential.
 */
export { bundleToRecord } from './bundle.ts';
export type { CodeRelevance } from './bundle.ts';
