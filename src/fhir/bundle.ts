/**
 * FHIR R4 Bundle of one patient -> PatientRecord. Two linear passes: the first over the entries finds the Patient and
 * the resources of the types the pathway reads; the second reads each of those (references resolve within the bundle,
 * whatever the entry order: bundle-index.ts). Other resource types (Encounter, Claim, ExplanationOfBenefit,
 * Provenance, ...) are skipped and counted in one information issue. A bundle that is not one, or that holds no
 * Patient or several, fails; any other problem is a warning in `record.issues` and never stops the read.
 * @see https://hl7.org/fhir/R4/bundle.html
 */
import type { Bundle } from '@medplum/fhirtypes';
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
  ResourceRef,
  Result,
} from '../record/index.ts';
import { readAllergy } from './allergy.ts';
import { BundleIndex, isResourceType, refOf } from './bundle-index.ts';
import { readCondition } from './condition.ts';
import { readImmunization } from './immunization.ts';
import { readMedicationRequest, readMedicationStatement } from './medication.ts';
import { readMedicationAdministration } from './medication-administration.ts';
import { readMedicationDispense } from './medication-dispense.ts';
import { readObservation } from './observation.ts';
import { readPatient } from './patient.ts';
import { readProcedure } from './procedure.ts';
import { readQuestionnaireResponse } from './questionnaire-response.ts';
import { VERSION_TAIL } from './reference.ts';
import { isObject } from './read.ts';
import type { Untrusted } from './read.ts';

/**
 * The name of a resource type the pathway reads, as this module's own string constant, else undefined. Dispatched on
 * the length (no two read types share one but for two pairs, told apart by the first letter), then one comparison:
 * a Set would hash the name and a switch on strings would compare it with each case. The constant returned makes
 * every later comparison of the type (the reading switch, the skipped counts) a pointer comparison.
 */
function readType(type: string): string | undefined {
  let name: string;
  switch (type.length) {
    case 9:
      name = type.charCodeAt(0) === 67 /* C */ ? 'Condition' : 'Procedure';
      break;
    case 11:
      name = 'Observation';
      break;
    case 12:
      name = 'Immunization';
      break;
    case 17:
      name = 'MedicationRequest';
      break;
    case 18:
      name = type.charCodeAt(0) === 77 /* M */ ? 'MedicationDispense' : 'AllergyIntolerance';
      break;
    case 19:
      name = 'MedicationStatement';
      break;
    case 21:
      name = 'QuestionnaireResponse';
      break;
    case 24:
      name = 'MedicationAdministration';
      break;
    default:
      return undefined;
  }
  return type === name ? name : undefined;
}

/** Entry lists longer than this are not made at full size up front (an array this long is still a fast one). */
const MAX_PRESIZED_ENTRIES = 65_536;

/** Read by reference from the resources that use them, not on their own. */
const REFERENCED_ONLY: ReadonlySet<string> = new Set(['Medication']);

/**
 * Does the knowledge use this coding (a code of a known system listed in some code set or table)? Given by the
 * engine (src/knowledge `usesCoding`), so that this adapter stays knowledge-free.
 */
export type CodeRelevance = (system: string, code: string) => boolean;

/**
 * With a `relevance`, a Condition, Observation, Immunization or Procedure whose codes are all outside every code set
 * is counted as skipped instead of being read (docs/care-pathway.md "What goes in"): the engine could not use it,
 * since every rule finds these resources by code set. Medications, allergies and QuestionnaireResponses are always
 * read (a medication may be named through a Medication resource or its ingredients, an allergy by the drug's name;
 * answers by linkId).
 */
export function bundleToRecord(input: unknown, relevance?: CodeRelevance): Result<PatientRecord> {
  if (!isObject(input) || input['resourceType'] !== 'Bundle') {
    // The resourceType found is not named: it is input, and may be anything.
    const what =
      isObject(input) && typeof input['resourceType'] === 'string'
        ? 'another resource type'
        : 'JSON that is not a FHIR resource (no resourceType)';
    return fail([issue('fhir.bundle.not-a-bundle', `expected a FHIR Bundle, got ${what}`)]);
  }
  const bundle = input as Untrusted<Bundle>;
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) {
    return fail([issue('fhir.bundle.not-a-bundle', 'Bundle.entry is not an array', 'Bundle.entry')]);
  }
  const rawEntries: readonly unknown[] = Array.isArray(bundle.entry) ? bundle.entry : [];
  const issues: Issue[] = [];
  // The entries read, as parallel lists (no object per entry): their resource, type and position.
  // Sized once for every entry (capped: a larger bundle grows them as it goes), not grown push by push: a Synthea
  // bundle's 2,000 entries would otherwise copy each list ten times.
  const room = Math.min(rawEntries.length, MAX_PRESIZED_ENTRIES);
  const resources = new Array<Record<string, unknown>>(room);
  const types = new Array<string>(room);
  const positions = new Array<number>(room);
  let listedCount = 0;
  let patientRef: ResourceRef | undefined;
  // Made only when a second Patient with another ref turns up (a bundle holds one Patient).
  let patientRefs: Set<ResourceRef> | undefined;
  let conflictingCopies = 0;
  let patientResource: Record<string, unknown> | undefined;
  let patientPosition = 0;

  // Entries of the types read are listed now; the others (Claims, Encounters, ... : most of a Synthea bundle) are
  // only counted, and reach the reference index (built from the raw entries, only when a reference is resolved).
  let skipped: Map<string, number> | undefined;
  for (let position = 0; position < rawEntries.length; position++) {
    const entry = rawEntries[position];
    const resource = isObject(entry) ? entry['resource'] : undefined;
    const type = isObject(resource) ? resource['resourceType'] : undefined;
    // The names read first (readType), the counts of names already seen next, and the character test of
    // isResourceType only for a name met for the first time.
    const known = typeof type === 'string' ? readType(type) : undefined;
    if (known !== undefined) {
      resources[listedCount] = resource as Record<string, unknown>;
      types[listedCount] = known;
      positions[listedCount] = position;
      listedCount++;
      continue;
    }
    const seen = typeof type === 'string' ? skipped?.get(type) : undefined;
    if (seen !== undefined) {
      (skipped as Map<string, number>).set(type as string, seen + 1);
      continue;
    }
    if (!isResourceType(type)) {
      const path = `Bundle.entry[${position}]`;
      issues.push(issue('fhir.entry.malformed', 'entry has no resource with a resourceType; skipped', path, 'warning'));
      continue;
    }
    const r = resource as Record<string, unknown>;
    if (type === 'Patient') {
      const ref = refOf(type, r, entry, position);
      if (patientRef === undefined) patientRef = ref;
      else if (ref !== patientRef || patientRefs !== undefined) (patientRefs ??= new Set([patientRef])).add(ref);
      if (patientResource === undefined) {
        patientResource = r;
        patientPosition = position;
      } else if (!sameContent(patientResource, r)) conflictingCopies++;
    } else if (!REFERENCED_ONLY.has(type)) (skipped ??= new Map()).set(type, 1);
  }

  if (patientResource === undefined || patientRef === undefined) {
    return fail([issue('fhir.bundle.no-patient', 'the Bundle holds no Patient resource', 'Bundle.entry')]);
  }
  if (patientRefs !== undefined && patientRefs.size > 1) {
    const message = `the Bundle holds ${patientRefs.size} Patients (${listed([...patientRefs])}); give one patient per file`;
    return fail([issue('fhir.bundle.several-patients', message, 'Bundle.entry')]);
  }
  if (conflictingCopies > 0) {
    // Identical copies (a transaction plus a search include) are one patient; differing copies of the same id cannot
    // be told apart, and entry order must not decide which is true.
    const message = `the Bundle holds ${conflictingCopies + 1} differing copies of ${patientRef}; give each Patient once`;
    return fail([issue('fhir.bundle.duplicate-patient', message, 'Bundle.entry')]);
  }
  const index = new BundleIndex(rawEntries);

  const patient = readPatient({ ref: patientRef, issues }, patientResource);
  const conditions: ConditionFact[] = [];
  const observations: ObservationFact[] = [];
  const medications: MedicationFact[] = [];
  const questionnaireResponses: QuestionnaireResponseFact[] = [];
  const allergies: AllergyFact[] = [];
  const immunizations: ImmunizationFact[] = [];
  const procedures: ProcedureFact[] = [];
  let unused: Map<string, number> | undefined;
  const resolve = (reference: string): string | undefined => index.refOf(reference);

  const selfFullUrl = (rawEntries[patientPosition] as Record<string, unknown>)['fullUrl'];
  const self: PatientSelf = {
    id: patientResource['id'],
    fullUrl: typeof selfFullUrl === 'string' && selfFullUrl.length > 0 ? selfFullUrl : undefined,
    lastOwn: undefined,
  };
  // One context for the whole bundle, its ref set per resource: the readers use it only while they run.
  const ctx: { ref: ResourceRef; issues: Issue[] } = { ref: patientRef, issues };
  // Each resource once: an identical copy (a transaction plus a search include) is read once; differing copies of one
  // id (two versions) cannot be told apart by entry order, so none of them is used.
  const readByRef = new Map<ResourceRef, Record<string, unknown>>();
  let conflicting: Map<ResourceRef, number> | undefined;
  for (let i = 0; i < listedCount; i++) {
    const resource = resources[i] as Record<string, unknown>;
    const type = types[i] as string;
    if (aboutAnotherPatient(resource, self)) {
      issues.push(
        issue(
          'fhir.resource.other-patient',
          'the resource is about another patient (its subject or patient reference names a different Patient); not used',
          refOf(type, resource, rawEntries[positions[i] as number], positions[i] as number),
          'warning',
        ),
      );
      continue;
    }
    if (relevance !== undefined && !mayBeUsed(type, resource, relevance)) {
      unused ??= new Map();
      unused.set(type, (unused.get(type) ?? 0) + 1);
      continue;
    }
    ctx.ref = refOf(type, resource, rawEntries[positions[i] as number], positions[i] as number);
    const earlier = readByRef.get(ctx.ref);
    if (earlier !== undefined) {
      if (!sameContent(earlier, resource))
        (conflicting ??= new Map()).set(ctx.ref, (conflicting.get(ctx.ref) ?? 1) + 1);
      continue;
    }
    readByRef.set(ctx.ref, resource);
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
      case 'MedicationDispense':
        push(medications, readMedicationDispense(ctx, resource, index));
        break;
      case 'MedicationAdministration':
        push(medications, readMedicationAdministration(ctx, resource, index));
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
    }
  }

  if (conflicting !== undefined) {
    const out = conflicting;
    for (const [ref, copies] of out) {
      const message = `the Bundle holds ${copies} differing copies of ${ref}; none is used (give each resource once)`;
      issues.push(issue('fhir.resource.conflicting-copies', message, ref, 'warning'));
    }
    const keep = <T extends { ref: ResourceRef }>(list: T[]): T[] => list.filter((f) => !out.has(f.ref));
    conditions.splice(0, conditions.length, ...keep(conditions));
    observations.splice(0, observations.length, ...keep(observations));
    medications.splice(0, medications.length, ...keep(medications));
    questionnaireResponses.splice(0, questionnaireResponses.length, ...keep(questionnaireResponses));
    allergies.splice(0, allergies.length, ...keep(allergies));
    immunizations.splice(0, immunizations.length, ...keep(immunizations));
    procedures.splice(0, procedures.length, ...keep(procedures));
  }

  if (skipped !== undefined || unused !== undefined) {
    const total = (skipped === undefined ? 0 : count(skipped)) + (unused === undefined ? 0 : count(unused));
    // Joined by concatenation, not a list and join: one message per bundle, but every bundle has one.
    const other = skipped === undefined ? undefined : byType(skipped);
    const outside = unused === undefined ? undefined : `coded outside every code set: ${byType(unused)}`;
    const detail = other === undefined ? outside : outside === undefined ? other : `${other}; ${outside}`;
    issues.push(
      issue(
        'fhir.resource.skipped',
        `skipped ${total} resources the pathway does not use (${detail})`,
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

function count(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}

function byType(counts: ReadonlyMap<string, number>): string {
  // One type (a typical bundle's Encounters): nothing to sort.
  if (counts.size === 1) for (const [type, n] of counts) return `${type} ${n}`;
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
}

/**
 * The element holding the code by which the engine finds each resource type it may skip (a switch: no keyed read).
 * An AllergyIntolerance is never skipped: the engine also reads an allergy by the drug its text or a coding's display
 * names ("Actemra" under an unlisted RxNorm product code), as it reads medication records.
 */
function codeElement(type: string): string | undefined {
  switch (type) {
    case 'Observation':
    case 'Condition':
    case 'Procedure':
      return 'code';
    case 'Immunization':
      return 'vaccineCode';
    default:
      return undefined;
  }
}

/**
 * False only when the resource's code (and, for an Observation, every component's code) is well formed and names no
 * code the knowledge uses. A missing or malformed code is read as before, so that its warning is kept; a coding
 * without a system may still match a set by its bare code (a trial's scale items), so it counts as used.
 */
function mayBeUsed(type: string, resource: Record<string, unknown>, relevance: CodeRelevance): boolean {
  const element = codeElement(type);
  if (element === undefined) return true;
  const used = conceptUsed(resource[element], relevance);
  if (used !== false) return true;
  if (type !== 'Observation') return false;
  const components = resource['component'];
  if (components === undefined) return false;
  if (!Array.isArray(components)) return true;
  for (const c of components) {
    if (!isObject(c) || conceptUsed(c['code'], relevance) !== false) return true;
  }
  return false;
}

/** True when a coding of the concept is used, false when none is, undefined when the concept is not well formed. */
function conceptUsed(concept: unknown, relevance: CodeRelevance): boolean | undefined {
  if (!isObject(concept)) return undefined;
  const codings = concept['coding'];
  if (!Array.isArray(codings) || codings.length === 0) return undefined;
  for (const coding of codings) {
    if (!isObject(coding)) return undefined;
    const { system, code } = coding;
    if (typeof code !== 'string' || code.length === 0) {
      if (code === undefined || code === null) continue;
      return undefined;
    }
    if (typeof system !== 'string' || system.length === 0) return true;
    if (relevance(system, code)) return true;
  }
  return false;
}

/** At most three references, then how many more: a message stays one short line whatever the Bundle holds. */
function listed(refs: readonly string[]): string {
  const shown = refs.slice(0, 3).join(', ');
  return refs.length > 3 ? `${shown} and ${refs.length - 3} more` : shown;
}

/** The same JSON content (key order included: a copy made by a server keeps it). */
function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

const PATIENT_REFERENCE = new RegExp(`(?:^|/)Patient/([A-Za-z0-9\\-.]{1,64})${VERSION_TAIL}$`);

interface PatientSelf {
  readonly id: unknown;
  readonly fullUrl: string | undefined;
  /** The last reference found to name the bundle's own Patient: the next resource most likely writes the same. */
  lastOwn: string | undefined;
}

/**
 * Does the resource's subject (or patient) reference name a Patient other than the bundle's own? A reference of the
 * "Patient/id" form (relative or absolute) with another id, or a urn:uuid other than the Patient's own fullUrl when
 * that is a urn:uuid. A resource about another patient is never used (docs/care-pathway.md "What goes in").
 */
function aboutAnotherPatient(resource: Record<string, unknown>, self: PatientSelf): boolean {
  return namesAnotherPatient(resource['subject'], self) || namesAnotherPatient(resource['patient'], self);
}

function namesAnotherPatient(target: unknown, self: PatientSelf): boolean {
  if (!isObject(target)) return false;
  const reference = target['reference'];
  if (typeof reference !== 'string' || reference === self.fullUrl || reference === self.lastOwn) return false;
  if (namesSelf(reference, self.id)) {
    self.lastOwn = reference;
    return false;
  }
  // A urn:uuid or urn:oid names an entry of this bundle: when the Patient is identified by one, any other names
  // something else (docs/care-pathway.md "What goes in").
  if (reference.startsWith('urn:')) return self.fullUrl?.startsWith('urn:') === true;
  if (!reference.includes('Patient/')) return false;
  const m = PATIENT_REFERENCE.exec(reference);
  return m !== null && m[1] !== self.id;
}

/**
 * Is the reference "Patient/<id>" or ends it in "/Patient/<id>" (the usual references to the bundle's own Patient)?
 * Compared in place: a "Patient/" + id string built per bundle would be a two-part string that every comparison
 * with it has to walk.
 */
function namesSelf(reference: string, id: unknown): boolean {
  if (typeof id !== 'string') return false;
  const start = reference.length - id.length - 8;
  if (start < 0 || (start > 0 && reference.charCodeAt(start - 1) !== 47) /* / */) return false;
  return reference.startsWith('Patient/', start) && reference.endsWith(id);
}

function push<T>(list: T[], fact: T | undefined): void {
  if (fact !== undefined) list.push(fact);
}
