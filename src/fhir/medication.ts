/**
 * MedicationStatement and MedicationRequest -> MedicationFact. The medication comes from medicationCodeableConcept or
 * from medicationReference resolved against `contained` (`#id`) or the bundle (Medication/id, fullUrl, urn:uuid);
 * a resolved Medication also gives its ingredients with strengths and its form, which the engine needs when the dose
 * is a count of tablets (Synthea's doseQuantity has no unit).
 * @see https://hl7.org/fhir/R4/medicationstatement.html and https://hl7.org/fhir/R4/medicationrequest.html
 */
import type { Medication, MedicationIngredient, MedicationRequest, MedicationStatement } from '@medplum/fhirtypes';
import type { Concept, IngredientFact, MedicationFact } from '../record/index.ts';
import type { BundleIndex } from './bundle-index.ts';
import { readConcept, readConcepts, readRatio, readReference } from './datatypes.ts';
import { readDosages } from './dosage.ts';
import { readDispense, requestPeriod, statementPeriod } from './medication-period.ts';
import { readArray, readBoolean, readDate, readObject, readString, warn } from './read.ts';
import type { ReadContext, Untrusted, Writable } from './read.ts';

export interface MedicationDetails {
  readonly medication: Concept;
  readonly medicationRef?: string;
  readonly ingredients: IngredientFact[];
  readonly form?: Concept;
}

function readIngredients(ctx: ReadContext, value: unknown, path: string): IngredientFact[] {
  const out: IngredientFact[] = [];
  const list = readArray(ctx, value, path);
  for (let i = 0; i < list.length; i++) {
    const p = `${path}[${i}]`;
    const ing = readObject<MedicationIngredient>(ctx, list[i], p);
    if (ing === undefined) continue;
    const code = readConcept(ctx, ing.itemCodeableConcept, p, '.itemCodeableConcept');
    if (code === undefined) continue;
    const strength = readRatio(ctx, ing.strength, `${p}.strength`);
    const isActive = readBoolean(ctx, ing.isActive, p, '.isActive');
    const ingredient: Writable<IngredientFact> = { code };
    if (strength !== undefined) ingredient.strength = strength;
    if (isActive !== undefined) ingredient.isActive = isActive;
    out.push(ingredient);
  }
  return out;
}

export function readMedicationDetails(
  ctx: ReadContext,
  resource: Untrusted<Pick<MedicationRequest, 'medicationCodeableConcept' | 'medicationReference' | 'contained'>>,
  index: BundleIndex,
): MedicationDetails | undefined {
  const concept = readConcept(ctx, resource.medicationCodeableConcept, 'medicationCodeableConcept');
  if (concept !== undefined) return { medication: concept, ingredients: [] };
  const { reference, display } = readReference(ctx, resource.medicationReference, 'medicationReference');
  if (reference === undefined) {
    if (display !== undefined) return { medication: { codings: [], text: display }, ingredients: [] };
    warn(ctx, 'medication[x]', 'no medicationCodeableConcept or medicationReference; ignored');
    return undefined;
  }
  const contained = readArray(ctx, resource.contained, 'contained');
  const target = index.resolve(reference, contained);
  if (target === undefined || target.resource['resourceType'] !== 'Medication') {
    warn(
      ctx,
      'medicationReference',
      `medicationReference ${reference} is not a Medication in this bundle`,
      'fhir.reference.unresolved',
    );
    return { medication: { codings: [], ...(display !== undefined && { text: display }) }, ingredients: [] };
  }
  const med = target.resource as Untrusted<Medication>;
  // Problems inside the Medication are reported against the Medication itself.
  const medCtx: ReadContext = {
    ref: reference.startsWith('#') ? `${ctx.ref}${reference}` : target.ref,
    issues: ctx.issues,
  };
  const code = readConcept(medCtx, med.code, 'code');
  const form = readConcept(medCtx, med.form, 'form');
  const ingredients = readIngredients(medCtx, med.ingredient, 'ingredient');
  const medication = code ?? (display !== undefined ? { codings: [], text: display } : { codings: [] });
  const details: Writable<MedicationDetails> = { medication, medicationRef: medCtx.ref, ingredients };
  if (form !== undefined) details.form = form;
  return details;
}

export function readMedicationStatus(ctx: ReadContext, value: unknown): string {
  const s = readString(ctx, value, 'status');
  if (s !== undefined) return s;
  warn(ctx, 'status', 'no status; read as unknown');
  return 'unknown';
}

export function readMedicationRequest(
  ctx: ReadContext,
  resource: Untrusted<MedicationRequest>,
  index: BundleIndex,
): MedicationFact | undefined {
  const details = readMedicationDetails(ctx, resource, index);
  if (details === undefined) return undefined;
  const dosage = readDosages(ctx, resource.dosageInstruction, 'dosageInstruction');
  const authoredOn = readDate(ctx, resource.authoredOn, 'authoredOn');
  const dispense = readDispense(ctx, resource.dispenseRequest);
  const { period, periodSource } = requestPeriod(authoredOn, dispense, dosage.bounds);
  const intent = readString(ctx, resource.intent, 'intent');
  // intent is required in R4; without it the request is not known to be an order (care pathway definition 2).
  if (intent === undefined && resource.intent === undefined) warn(ctx, 'intent', 'no intent; not counted as an order');
  const fact = factHead(ctx.ref, 'request', readMedicationStatus(ctx, resource.status), intent, details, dosage);
  if (periodSource !== undefined) fact.periodSource = periodSource;
  fact.period = period;
  if (dispense !== undefined) fact.dispense = dispense;
  if (authoredOn !== undefined) fact.authoredOn = authoredOn;
  fact.reasonCodes = readConcepts(ctx, resource.reasonCode, 'reasonCode');
  return fact as MedicationFact;
}

export function readMedicationStatement(
  ctx: ReadContext,
  resource: Untrusted<MedicationStatement>,
  index: BundleIndex,
): MedicationFact | undefined {
  const details = readMedicationDetails(ctx, resource as Untrusted<MedicationRequest>, index);
  if (details === undefined) return undefined;
  const dosage = readDosages(ctx, resource.dosage, 'dosage');
  const { period, periodSource } = statementPeriod(ctx, resource, dosage.bounds);
  const fact = factHead(ctx.ref, 'statement', readMedicationStatus(ctx, resource.status), undefined, details, dosage);
  if (periodSource !== undefined) fact.periodSource = periodSource;
  fact.period = period;
  fact.reasonCodes = readConcepts(ctx, resource.reasonCode, 'reasonCode');
  return fact as MedicationFact;
}

/** A MedicationFact while it is filled in; the readers return it once every required field is set. */
export type FactInProgress = { -readonly [K in keyof MedicationFact]?: MedicationFact[K] };

/**
 * The fields every medication fact starts with, set one by one (no object spreads: the adapter reads every medication
 * resource of a bundle, and each spread builds and copies a temporary object). Keys keep the order the fact has always
 * had: ref, kind, status, intent, the medication details, then the dose.
 */
export function factHead(
  ref: MedicationFact['ref'],
  kind: MedicationFact['kind'],
  status: string,
  intent: string | undefined,
  details: MedicationDetails,
  d: ReturnType<typeof readDosages>,
): FactInProgress {
  const fact: FactInProgress = { ref, kind, status };
  if (intent !== undefined) fact.intent = intent;
  fact.medication = details.medication;
  if (details.medicationRef !== undefined) fact.medicationRef = details.medicationRef;
  fact.ingredients = details.ingredients;
  if (details.form !== undefined) fact.form = details.form;
  if (d.dosePerAdministration !== undefined) fact.dosePerAdministration = d.dosePerAdministration;
  if (d.administrationsPerDay !== undefined) fact.administrationsPerDay = d.administrationsPerDay;
  if (d.dailyDose !== undefined) fact.dailyDose = d.dailyDose;
  if (d.dosageText !== undefined) fact.dosageText = d.dosageText;
  if (d.route !== undefined) fact.route = d.route;
  return fact;
}
