/**
 * The CDS services this server offers (discovery, CDS Hooks 2.0) and their prefetch templates. The Observation
 * template asks for every LOINC code of the knowledge's code sets (the pathway's labs, scales and screens, and the
 * trial protocols' extra sets), so adding a code to a code set adds it to the prefetch.
 */
import type { Knowledge } from '../../knowledge/index.ts';

export type HookName = 'patient-view' | 'order-sign' | 'order-select';

export interface CdsService {
  readonly hook: HookName;
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly prefetch: Readonly<Record<string, string>>;
  readonly usageRequirements?: string;
}

const LOINC = 'http://loinc.org';

/**
 * A LOINC answer code (LA prefix: "Not at all", "Negative"): a value an Observation holds, never its code, so no
 * Observation search asks for it.
 */
const LOINC_ANSWER = /^LA\d/;

/** Every LOINC code in the knowledge's code sets, answer codes left out, sorted, as `system|code` search tokens. */
export function loincTokens(knowledge: Knowledge): string[] {
  const codes = new Set<string>();
  for (const set of knowledge.codeSets.values()) {
    for (const entry of set.codes) {
      if (entry.system === LOINC && entry.match !== 'prefix' && !LOINC_ANSWER.test(entry.code)) codes.add(entry.code);
    }
  }
  return [...codes].sort().map((code) => `${LOINC}|${code}`);
}

/**
 * The patient's record as the pathway reads it (docs/care-pathway.md, "What goes in"), one query per key. No `_count`: a
 * client sends each prefetch whole, and a `_count` would ask it for at most that many results (docs/service.md); the
 * service asks for its own page size only when it reads the FHIR server (fhir-client.ts).
 */
export function patientPrefetch(knowledge: Knowledge): Record<string, string> {
  const patient = '{{context.patientId}}';
  return {
    patient: `Patient/${patient}`,
    conditions: `Condition?patient=${patient}`,
    observations: `Observation?patient=${patient}&code=${loincTokens(knowledge).join(',')}`,
    medicationStatements: `MedicationStatement?patient=${patient}&_include=MedicationStatement:medication`,
    medicationRequests: `MedicationRequest?patient=${patient}&_include=MedicationRequest:medication`,
    medicationDispenses: `MedicationDispense?patient=${patient}&_include=MedicationDispense:medication`,
    medicationAdministrations: `MedicationAdministration?patient=${patient}&_include=MedicationAdministration:medication`,
    questionnaireResponses: `QuestionnaireResponse?patient=${patient}`,
    allergies: `AllergyIntolerance?patient=${patient}`,
    immunizations: `Immunization?patient=${patient}`,
    procedures: `Procedure?patient=${patient}`,
  };
}

/**
 * The prefetch key each resource type is sent under, read off the templates above (a search for a type returns that
 * type; `_include`d Medications travel inside the same searchset).
 */
export function prefetchKeyByType(knowledge: Knowledge): ReadonlyMap<string, string> {
  return new Map(
    Object.entries(patientPrefetch(knowledge)).map(([key, query]) => [query.split(/[?/]/, 1)[0] ?? query, key]),
  );
}

export const PATIENT_VIEW_ID = 'trd-il6-candidacy';
export const ORDER_SIGN_ID = 'trd-il6-blocker-order-sign';
export const ORDER_SELECT_ID = 'trd-il6-blocker-order-select';

/**
 * What an integrator must give for a call to be answered (discovery `usageRequirements`): every prefetch key, or
 * fhirServer with a fhirAuthorization that reads the types the templates name (and the Medications they include),
 * else a 412; the order hooks read a draft's Medication the same way when it is not sent.
 */
function usageRequirements(knowledge: Knowledge, orders: boolean): string {
  const types = [...prefetchKeyByType(knowledge).keys(), 'Medication'].sort().join(', ');
  return (
    'For clinicians: a call whose context.userId is a Patient or RelatedPerson is refused (400). ' +
    'Each prefetch key is needed: one not sent, null, failed (an OperationOutcome) or partial (a next link) is read ' +
    `from fhirServer, which needs fhirAuthorization with read access to ${types}; without it the call is answered ` +
    '412 naming the keys.' +
    (orders
      ? " A draft order's Medication not contained, not in draftOrders or the prefetch and without a display is read " +
        'the same way (412 when it cannot be).'
      : '')
  );
}

export function cdsServices(knowledge: Knowledge): CdsService[] {
  const prefetch = patientPrefetch(knowledge);
  const pathway = `${knowledge.pathway.title} (pathway ${knowledge.pathway.id} ${knowledge.pathway.version})`;
  const orderCheck =
    'Checks a draft order for an IL-6 blocker (tocilizumab, sarilumab) against the absolute contraindications and ' +
    `the missing safety work-up of ${pathway}; IL-6 blockade for depression is offered only within a trial.`;
  return [
    {
      hook: 'patient-view',
      id: PATIENT_VIEW_ID,
      title: 'Treatment-resistant depression: inflammation and IL-6 trial candidacy',
      description: `Assesses the patient against ${pathway}: treatment resistance, hs-CRP, contraindications, safety alerts and trial matches.`,
      prefetch,
      usageRequirements: usageRequirements(knowledge, false),
    },
    {
      hook: 'order-sign',
      id: ORDER_SIGN_ID,
      title: 'IL-6 blocker order check (sign)',
      description: orderCheck,
      prefetch,
      usageRequirements: usageRequirements(knowledge, true),
    },
    {
      hook: 'order-select',
      id: ORDER_SELECT_ID,
      title: 'IL-6 blocker order check (select)',
      description: orderCheck,
      prefetch,
      usageRequirements: usageRequirements(knowledge, true),
    },
  ];
}
