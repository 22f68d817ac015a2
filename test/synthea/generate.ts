/**
 * Deterministic generator of FHIR R4 bundles in Synthea's exact output shape, for load and robustness tests: real
 * Synthea output cannot be downloaded here, and a committed multi-megabyte sample would dwarf the code.
 *
 * The shape copies Synthea's R4 exporter (FhirR4.java) as seen in a real bundle (synthetichealth/synthea,
 * my_output/diabetes_test/Flavia315_Walker122_e781e193-43ef-e822-b01b-0b8a15c21ad5.json, commit 7057990f;
 * excerpt in test/fixtures/synthea/): `type: transaction`, every entry with `fullUrl: urn:uuid:...` and
 * `request: { method: POST, url: Type }`, references as `urn:uuid:...` (patient, encounter) or conditional
 * `Practitioner?identifier=...`, US Core profiles in meta, each encounter followed by its Claim and ExplanationOfBenefit, and one Provenance at the end. Conditions are
 * SNOMED with clinicalStatus/verificationStatus codings; MedicationRequests carry an RxNorm SCD
 * medicationCodeableConcept, authoredOn, and dosageInstruction with timing.repeat and a unitless doseQuantity (a count
 * of tablets), but no dispenseRequest, so their duration is unknown; Observations are LOINC with UCUM quantities.
 */

/** mulberry32: a tiny seeded PRNG so every run builds the same bundle (the test suite may not use Math.random). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type SyntheaScenario = 'no-depression' | 'one-ssri';

export interface SyntheaOptions {
  readonly seed: number;
  /** About this many resources (within ~10%): sets how many visits are generated. */
  readonly targetResources: number;
  readonly scenario: SyntheaScenario;
  /** The last encounter falls shortly before this date (YYYY-MM-DD). */
  readonly asOf: string;
}

/** What the generator put in, by the record's fact lists, for tests to compare with the adapter's output. */
export interface SyntheaCounts {
  readonly resources: number;
  readonly conditions: number;
  readonly observations: number;
  readonly medications: number;
  readonly immunizations: number;
  readonly procedures: number;
  readonly allergies: number;
  readonly depressionConditions: number;
  readonly antidepressantRequests: number;
  /** Resources of types the adapter skips (Encounter, Claim, ExplanationOfBenefit, ...). */
  readonly skipped: number;
}

export interface SyntheaBundle {
  readonly bundle: { resourceType: 'Bundle'; type: 'transaction'; entry: object[] };
  readonly counts: SyntheaCounts;
  readonly patientId: string;
}

const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const UCUM = 'http://unitsofmeasure.org';
const CVX = 'http://hl7.org/fhir/sid/cvx';
const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';
const PRACTITIONER = 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999818690';
const ORGANIZATION =
  'Organization?identifier=https://github.com/synthetichealth/synthea|ec39d0e6-1768-32d6-9138-6eb7716871ba';
const LOCATION = 'Location?identifier=https://github.com/synthetichealth/synthea|028d0d75-356d-3d39-a5b3-cb28dcd49739';
const MS_PER_DAY = 86_400_000;
const VISIT_INTERVAL_DAYS = 40;
/** Measured mean resources per visit (encounter, vitals, labs, notes, billing), to size the bundle. */
const RESOURCES_PER_VISIT = 19;

const concept = (system: string, code: string, display: string) => ({
  coding: [{ system, code, display }],
  text: display,
});

/** Vital signs Synthea records at every wellness visit: LOINC, display, UCUM unit, typical value and spread. */
const VITALS: readonly [string, string, string, number, number][] = [
  ['8302-2', 'Body Height', 'cm', 165, 2],
  ['29463-7', 'Body Weight', 'kg', 72, 4],
  ['39156-5', 'Body mass index (BMI) [Ratio]', 'kg/m2', 26, 1.5],
  ['8867-4', 'Heart rate', '/min', 74, 8],
  ['9279-1', 'Respiratory rate', '/min', 14, 2],
  ['72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported', '{score}', 1, 1],
];

/** The metabolic and CBC panel analytes Synthea reports (ALT/AST and platelets are the ones the pathway reads). */
const LABS: readonly [string, string, string, number, number][] = [
  ['2345-7', 'Glucose [Mass/volume] in Serum or Plasma', 'mg/dL', 90, 8],
  ['38483-4', 'Creatinine [Mass/volume] in Blood', 'mg/dL', 0.9, 0.15],
  ['2947-0', 'Sodium [Moles/volume] in Blood', 'mmol/L', 140, 2],
  ['6298-4', 'Potassium [Moles/volume] in Blood', 'mmol/L', 4.2, 0.3],
  ['1742-6', 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', 'U/L', 24, 6],
  ['1920-8', 'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma', 'U/L', 22, 5],
  ['6690-2', 'Leukocytes [#/volume] in Blood by Automated count', '10*3/uL', 6.5, 1.2],
  ['718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL', 13.5, 0.8],
  ['777-3', 'Platelets [#/volume] in Blood by Automated count', '10*3/uL', 260, 40],
];

export function generateSyntheaBundle(options: SyntheaOptions): SyntheaBundle {
  const random = prng(options.seed);
  const uuid = (): string => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  const around = (mean: number, spread: number, digits = 1): number =>
    Number((mean + (random() * 2 - 1) * spread).toFixed(digits));
  const dateTime = (day: number, minutes = 0): string =>
    `${new Date(day * MS_PER_DAY + (23 * 60 + 23 + minutes) * 60_000).toISOString().slice(0, 19)}-05:00`;

  const entries: object[] = [];
  const counts = {
    conditions: 0,
    observations: 0,
    medications: 0,
    immunizations: 0,
    procedures: 0,
    allergies: 0,
    depressionConditions: 0,
    antidepressantRequests: 0,
    skipped: 0,
  };
  const provenanceTargets: { reference: string }[] = [];
  const add = (
    resource: Record<string, unknown> & { resourceType: string; id: string },
    kind?: keyof typeof counts,
  ) => {
    entries.push({
      fullUrl: `urn:uuid:${resource.id}`,
      resource,
      request: { method: 'POST', url: resource.resourceType },
    });
    provenanceTargets.push({ reference: `urn:uuid:${resource.id}` });
    if (kind === undefined) counts.skipped += 1;
    else counts[kind] += 1;
  };

  const patientId = uuid();
  const subject = { reference: `urn:uuid:${patientId}` };
  const asOfDay = Date.parse(`${options.asOf}T00:00:00Z`) / MS_PER_DAY;
  const birthDay = asOfDay - Math.round(45.5 * 365.25);
  add(
    {
      resourceType: 'Patient',
      id: patientId,
      meta: { profile: [`${US_CORE}us-core-patient`] },
      extension: [{ url: `${US_CORE}us-core-birthsex`, valueCode: 'F' }],
      identifier: [{ system: 'https://github.com/synthetichealth/synthea', value: patientId }],
      name: [{ use: 'official', family: 'Walker122', given: ['Flavia315'], prefix: ['Mrs.'] }],
      gender: 'female',
      birthDate: new Date(birthDay * MS_PER_DAY).toISOString().slice(0, 10),
      multipleBirthBoolean: false,
    },
    undefined,
  );
  counts.skipped -= 1; // the Patient is read, not skipped

  const encounterFor = (id: string, day: number, code: string, display: string) => ({
    resourceType: 'Encounter',
    id,
    meta: { profile: [`${US_CORE}us-core-encounter`] },
    identifier: [{ use: 'official', system: 'https://github.com/synthetichealth/synthea', value: id }],
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    type: [concept(SNOMED, code, display)],
    subject,
    participant: [{ individual: { reference: PRACTITIONER, display: 'Dr. Clara183 Galarza986' } }],
    period: { start: dateTime(day), end: dateTime(day, 15) },
    location: [{ location: { reference: LOCATION, display: 'JWCH INSTITUTE INC' } }],
    serviceProvider: { reference: ORGANIZATION, display: 'JWCH INSTITUTE INC' },
  });
  const billing = (encounterId: string, day: number, item: { coding: object[]; text: string }) => {
    const claimId = uuid();
    add({
      resourceType: 'Claim',
      id: claimId,
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim',
      patient: subject,
      billablePeriod: { start: dateTime(day), end: dateTime(day, 15) },
      created: dateTime(day, 15),
      provider: { reference: ORGANIZATION },
      priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { display: 'Medicaid' } }],
      item: [{ sequence: 1, productOrService: item, encounter: [{ reference: `urn:uuid:${encounterId}` }] }],
      total: { value: around(280, 60, 2), currency: 'USD' },
    });
    add({
      resourceType: 'ExplanationOfBenefit',
      id: uuid(),
      contained: [
        { resourceType: 'ServiceRequest', id: 'referral', status: 'completed', intent: 'order', subject },
        {
          resourceType: 'Coverage',
          id: 'coverage',
          status: 'active',
          type: { text: 'Medicaid' },
          beneficiary: subject,
        },
      ],
      status: 'active',
      use: 'claim',
      patient: subject,
      referral: { reference: '#referral' },
      claim: { reference: `urn:uuid:${claimId}` },
      outcome: 'complete',
      insurance: [{ focal: true, coverage: { reference: '#coverage', display: 'Medicaid' } }],
      item: [{ sequence: 1, productOrService: item, encounter: [{ reference: `urn:uuid:${encounterId}` }] }],
      payment: { amount: { value: around(200, 50, 2), currency: 'USD' } },
    });
  };
  const observation = (
    encounterId: string,
    day: number,
    category: string,
    code: string,
    display: string,
    value: object,
  ) => {
    const id = uuid();
    add(
      {
        resourceType: 'Observation',
        id,
        meta: { profile: [`${US_CORE}us-core-observation-${category === 'laboratory' ? 'lab' : category}`] },
        status: 'final',
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                code: category,
                display: category,
              },
            ],
          },
        ],
        code: concept(LOINC, code, display),
        subject,
        encounter: { reference: `urn:uuid:${encounterId}` },
        effectiveDateTime: dateTime(day),
        issued: `${dateTime(day).slice(0, 19)}.877-05:00`,
        ...value,
      },
      'observations',
    );
    return id;
  };
  const quantity = (value: number, unit: string) => ({ valueQuantity: { value, unit, system: UCUM, code: unit } });

  const depressed = options.scenario === 'one-ssri';
  const depressionOnset = asOfDay - 3 * 365;
  // Visits every VISIT_INTERVAL_DAYS up to a week before asOf; how far back they start sets the bundle's size.
  const visits = Math.max(1, Math.round(options.targetResources / RESOURCES_PER_VISIT));
  let day = asOfDay - 7 - (visits - 1) * VISIT_INTERVAL_DAYS;
  let visit = 0;
  let ssriStarted = false;
  while (visit < visits) {
    visit += 1;
    const encounterId = uuid();
    const wellness = visit % 3 !== 0;
    const encounterCode = wellness
      ? ['162673000', 'General examination of patient (procedure)']
      : ['185345009', 'Encounter for symptom (procedure)'];
    add(encounterFor(encounterId, day, encounterCode[0] ?? '', encounterCode[1] ?? ''));
    const encounterRef = { reference: `urn:uuid:${encounterId}` };

    for (const [code, display, unit, mean, spread] of VITALS) {
      observation(encounterId, day, 'vital-signs', code, display, quantity(around(mean, spread), unit));
    }
    observation(encounterId, day, 'vital-signs', '85354-9', 'Blood pressure panel with all children optional', {
      component: [
        {
          code: concept(LOINC, '8462-4', 'Diastolic Blood Pressure'),
          valueQuantity: { value: around(78, 6, 0), unit: 'mm[Hg]', system: UCUM, code: 'mm[Hg]' },
        },
        {
          code: concept(LOINC, '8480-6', 'Systolic Blood Pressure'),
          valueQuantity: { value: around(122, 8, 0), unit: 'mm[Hg]', system: UCUM, code: 'mm[Hg]' },
        },
      ],
    });
    if (wellness) {
      const results = LABS.map(([code, display, unit, mean, spread]) =>
        observation(encounterId, day, 'laboratory', code, display, quantity(around(mean, spread), unit)),
      );
      add({
        resourceType: 'DiagnosticReport',
        id: uuid(),
        meta: { profile: [`${US_CORE}us-core-diagnosticreport-lab`] },
        status: 'final',
        category: [
          { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] },
        ],
        code: concept(LOINC, '51990-0', 'Basic metabolic panel - Blood'),
        subject,
        encounter: encounterRef,
        effectiveDateTime: dateTime(day),
        result: results.map((id) => ({ reference: `urn:uuid:${id}` })),
      });
      add(
        {
          resourceType: 'Immunization',
          id: uuid(),
          meta: { profile: [`${US_CORE}us-core-immunization`] },
          status: 'completed',
          vaccineCode: concept(CVX, '140', 'Influenza, seasonal, injectable, preservative free'),
          patient: subject,
          encounter: encounterRef,
          occurrenceDateTime: dateTime(day),
          primarySource: true,
        },
        'immunizations',
      );
    }
    if (depressed && day >= depressionOnset) {
      // Synthea's depression screening: the PHQ-9 total as a survey Observation plus the screening Procedure.
      observation(
        encounterId,
        day,
        'survey',
        '44261-6',
        'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]',
        quantity(around(15, 3, 0), '{score}'),
      );
      add(
        {
          resourceType: 'Procedure',
          id: uuid(),
          meta: { profile: [`${US_CORE}us-core-procedure`] },
          status: 'completed',
          code: concept(
            SNOMED,
            '715252007',
            'Depression screening using Patient Health Questionnaire Nine Item score (procedure)',
          ),
          subject,
          encounter: encounterRef,
          performedPeriod: { start: dateTime(day), end: dateTime(day, 10) },
        },
        'procedures',
      );
      if (!ssriStarted) {
        ssriStarted = true;
        add(
          {
            resourceType: 'Condition',
            id: uuid(),
            meta: { profile: [`${US_CORE}us-core-condition-encounter-diagnosis`] },
            clinicalStatus: {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
            },
            verificationStatus: {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
            },
            category: [
              {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/condition-category',
                    code: 'encounter-diagnosis',
                    display: 'Encounter Diagnosis',
                  },
                ],
              },
            ],
            code: concept(SNOMED, '370143000', 'Major depressive disorder (disorder)'),
            subject,
            encounter: encounterRef,
            onsetDateTime: dateTime(day),
            recordedDate: dateTime(day),
          },
          'conditions',
        );
        counts.depressionConditions += 1;
      }
      if (wellness) {
        // One sertraline prescription per wellness visit; earlier ones end as `stopped`, as Synthea renews chronic meds.
        const medication = concept(RXNORM, '312941', 'sertraline 50 MG Oral Tablet');
        add(
          {
            resourceType: 'MedicationRequest',
            id: uuid(),
            meta: { profile: [`${US_CORE}us-core-medicationrequest`] },
            status: asOfDay - day < 200 ? 'active' : 'stopped',
            intent: 'order',
            category: [
              {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category',
                    code: 'community',
                    display: 'Community',
                  },
                ],
                text: 'Community',
              },
            ],
            medicationCodeableConcept: medication,
            subject,
            encounter: encounterRef,
            authoredOn: dateTime(day),
            requester: { reference: PRACTITIONER, display: 'Dr. Clara183 Galarza986' },
            dosageInstruction: [
              {
                sequence: 1,
                timing: { repeat: { frequency: 1, period: 1.0, periodUnit: 'd' } },
                asNeededBoolean: false,
                doseAndRate: [
                  {
                    type: {
                      coding: [
                        {
                          system: 'http://terminology.hl7.org/CodeSystem/dose-rate-type',
                          code: 'ordered',
                          display: 'Ordered',
                        },
                      ],
                    },
                    doseQuantity: { value: 1.0 },
                  },
                ],
              },
            ],
          },
          'medications',
        );
        counts.antidepressantRequests += 1;
        billing(encounterId, day, medication);
      }
    }
    if (visit === 2) {
      add(
        {
          resourceType: 'Condition',
          id: uuid(),
          meta: { profile: [`${US_CORE}us-core-condition-encounter-diagnosis`] },
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }],
          },
          verificationStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
          },
          category: [
            {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' },
              ],
            },
          ],
          code: concept(SNOMED, '444814009', 'Viral sinusitis (disorder)'),
          subject,
          encounter: encounterRef,
          onsetDateTime: dateTime(day),
          abatementDateTime: dateTime(day + 14),
          recordedDate: dateTime(day),
        },
        'conditions',
      );
      add(
        {
          resourceType: 'AllergyIntolerance',
          id: uuid(),
          meta: { profile: [`${US_CORE}us-core-allergyintolerance`] },
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
          },
          verificationStatus: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' },
            ],
          },
          type: 'allergy',
          category: ['environment'],
          criticality: 'low',
          code: concept(SNOMED, '256277009', 'Grass pollen (substance)'),
          patient: subject,
          recordedDate: dateTime(day),
        },
        'allergies',
      );
      add({ resourceType: 'CareTeam', id: uuid(), status: 'active', subject, encounter: encounterRef });
      add({
        resourceType: 'CarePlan',
        id: uuid(),
        status: 'active',
        intent: 'order',
        subject,
        encounter: encounterRef,
      });
      add({
        resourceType: 'Device',
        id: uuid(),
        status: 'active',
        type: concept(SNOMED, '706180003', 'Respiratory humidifier (physical object)'),
        patient: subject,
      });
      add({
        resourceType: 'SupplyDelivery',
        id: uuid(),
        status: 'completed',
        patient: subject,
        type: { coding: [{ code: 'device' }] },
      });
      add({
        resourceType: 'ImagingStudy',
        id: uuid(),
        status: 'available',
        subject,
        encounter: encounterRef,
        started: dateTime(day),
      });
    }
    add({
      resourceType: 'DocumentReference',
      id: uuid(),
      meta: { profile: [`${US_CORE}us-core-documentreference`] },
      status: 'current',
      type: concept(LOINC, '34117-2', 'History and physical note'),
      subject,
      date: dateTime(day),
      content: [
        {
          attachment: {
            contentType: 'text/plain; charset=utf-8',
            data: 'CjIwMTYtMDctMTcKCiMgQ2hpZWYgQ29tcGxhaW50Ck5vIGNvbXBsYWludHMuCg==',
          },
        },
      ],
    });
    billing(encounterId, day, concept(SNOMED, encounterCode[0] ?? '', encounterCode[1] ?? ''));
    day += VISIT_INTERVAL_DAYS;
  }
  add({
    resourceType: 'Provenance',
    id: uuid(),
    meta: { profile: [`${US_CORE}us-core-provenance`] },
    target: provenanceTargets.slice(),
    recorded: dateTime(asOfDay - 1),
    agent: [
      {
        type: { coding: [{ code: 'author' }] },
        who: { reference: PRACTITIONER },
        onBehalfOf: { reference: ORGANIZATION },
      },
    ],
  });
  return {
    bundle: { resourceType: 'Bundle', type: 'transaction', entry: entries },
    counts: { resources: entries.length, ...counts },
    patientId,
  };
}
