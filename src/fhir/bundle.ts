/**
 * FHIR R4 Bundle of one patient -> PatientRecord. Two linear passes over the entries: the first indexes fullUrls and
 * ids (so references resolve whatever the entry order) and finds the Patient; the second reads each resource the
 * pathway uses. Other resource types (Encounter, Claim, ExplanationOfBenefit, Provenance, ...) are skipped and counted
 * in one information issue. A bundle that is not one, or that holds no Patient or several, fails; any other problem
 * is a warning in `record.issues` and never stops the read.
 * @see https://hl7.org/fhir/R4/bundle.html
 */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { fail, issue, ok } from '../record/index.ts';
import type {
  AllergyFact,
  ConditionFact,
  ImmunizationFact,
  Issue,
  MedicationFact,
  ObservationFact,
  PatientRecord,
  ProcedureFact,
  QuestionnaireResponseFact,
  Result,
} from '../record/index.ts';
import { readAllergy } from './allergy.ts';
import { BundleIndex } from './bundle-index.ts';
import { readCondition } from './condition.ts';
import { readImmunization } from './immunization.ts';
import { readMedicationRequest, readMedicationStatement } from './medication.ts';
import { readObservation } from './observation.ts';
import { readPatient } from './patient.ts';
import { readProcedure } from './procedure.ts';
import { readQuestionnaireResponse } from './questionnaire-response.ts';
import { isObject } from './read.ts';
import type { ReadContext, Untrusted } from './read.ts';

interface IndexedEntry {
  readonly ref: string;
  readonly type: string;
  readonly resource: Record<string, unknown>;
}

/** Read by reference from the resources that use them, not on their own. */
const REFERENCED_ONLY: ReadonlySet<string> = new Set(['Medication']);

function refFor(type: string, id: unknown, fullUrl: unknown, position: number): string {
  if (typeof id === 'string' && id.length > 0) return `${type}/${id}`;
  if (typeof fullUrl === 'string' && fullUrl.length > 0) return fullUrl;
  return `Bundle.entry[${position}]`;
}

export function bundleToRecord(input: unknown): Result<PatientRecord> {
  if (!isObject(input) || input['resourceType'] !== 'Bundle') {
    const what =
      isObject(input) && typeof input['resourceType'] === 'string'
        ? `a ${input['resourceType']}`
        : 'not a FHIR resource';
    return fail([issue('fhir.bundle.not-a-bundle', `expected a FHIR Bundle, got ${what}`)]);
  }
  const bundle = input as Untrusted<Bundle>;
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) {
    return fail([issue('fhir.bundle.not-a-bundle', 'Bundle.entry is not an array', 'Bundle.entry')]);
  }
  const rawEntries: readonly unknown[] = bundle.entry ?? [];
  const issues: Issue[] = [];
  const index = new BundleIndex();
  const entries: IndexedEntry[] = [];
  const patients: IndexedEntry[] = [];

  for (let i = 0; i < rawEntries.length; i++) {
    const entry = rawEntries[i] as Untrusted<BundleEntry> | undefined;
    const resource = isObject(entry) ? entry.resource : undefined;
    const fullUrl = isObject(entry) && typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
    if (!isObject(resource) || typeof resource['resourceType'] !== 'string') {
      issues.push(
        issue(
          'fhir.entry.malformed',
          'entry has no resource with a resourceType; skipped',
          `Bundle.entry[${i}]`,
          'warning',
        ),
      );
      continue;
    }
    const type = resource['resourceType'];
    const id = resource['id'];
    const ref = refFor(type, id, fullUrl, i);
    const indexed: IndexedEntry = { ref, type, resource };
    index.add(indexed, fullUrl, typeof id === 'string' ? `${type}/${id}` : undefined);
    if (type === 'Patient') {
      if (!patients.some((p) => p.ref === ref)) patients.push(indexed);
    } else entries.push(indexed);
  }

  const [patientEntry, ...others] = patients;
  if (patientEntry === undefined) {
    return fail([issue('fhir.bundle.no-patient', 'the Bundle holds no Patient resource', 'Bundle.entry')]);
  }
  if (others.length > 0) {
    const refs = patients.map((p) => p.ref).join(', ');
    return fail([
      issue(
        'fhir.bundle.several-patients',
        `the Bundle holds ${patients.length} Patients (${refs}); give one patient per file`,
        'Bundle.entry',
      ),
    ]);
  }

  const patient = readPatient({ ref: patientEntry.ref, issues }, patientEntry.resource);
  const conditions: ConditionFact[] = [];
  const observations: ObservationFact[] = [];
  const medications: MedicationFact[] = [];
  const questionnaireResponses: QuestionnaireResponseFact[] = [];
  const allergies: AllergyFact[] = [];
  const immunizations: ImmunizationFact[] = [];
  const procedures: ProcedureFact[] = [];
  const skipped = new Map<string, number>();
  const resolve = (reference: string): string | undefined => index.refOf(reference);

  for (const { ref, type, resource } of entries) {
    const ctx: ReadContext = { ref, issues };
    switch (type) {
      case 'Condition':
        push(conditions, readCondition(ctx, resource));
        break;
      case 'Observation':
        push(observations, readObservation(ctx, resource, resolve));
        break;
      case 'MedicationRequest':
        push(medications, readMedicationRequest(ctx, resource, index));
        break;
      case 'MedicationStatement':
        push(medications, readMedicationStatement(ctx, resource, index));
        break;
      case 'QuestionnaireResponse':
        questionnaireResponses.push(readQuestionnaireResponse(ctx, resource));
        break;
      case 'AllergyIntolerance':
        push(allergies, readAllergy(ctx, resource));
        break;
      case 'Immunization':
        push(immunizations, readImmunization(ctx, resource));
        break;
      case 'Procedure':
        push(procedures, readProcedure(ctx, resource));
        break;
      default:
        if (!REFERENCED_ONLY.has(type)) skipped.set(type, (skipped.get(type) ?? 0) + 1);
    }
  }

  if (skipped.size > 0) {
    const total = [...skipped.values()].reduce((a, b) => a + b, 0);
    const byType = [...skipped.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([type, n]) => `${type} ${n}`)
      .join(', ');
    issues.push(
      issue(
        'fhir.resource.skipped',
        `skipped ${total} resources the pathway does not use (${byType})`,
        'Bundle.entry',
        'information',
      ),
    );
  }

  return ok({
    patient,
    conditions,
    observations,
    medications,
    questionnaireResponses,
    allergies,
    immunizations,
    procedures,
    issues,
  });
}

function push<T>(list: T[], fact: T | undefined): void {
  if (fact !== undefined) list.push(fact);
}
