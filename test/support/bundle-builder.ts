/**
 * A small typed builder of FHIR R4 collection Bundles for the clinical vignettes. It writes only what a vignette
 * needs, in the shapes real EHR exports use (coded statuses, UCUM quantities, reference ranges, contained or
 * referenced Medication), and it is deterministic: ids come from a per-bundle counter, never from a clock or RNG,
 * so regenerating the golden files gives identical bytes.
 */
import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  CodeableConcept,
  Coding,
  Condition,
  Dosage,
  Immunization,
  Medication,
  MedicationRequest,
  MedicationStatement,
  Observation,
  ObservationReferenceRange,
  Patient,
  Quantity,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  Resource,
} from '@medplum/fhirtypes';

export const SYSTEM = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  atc: 'http://www.whocc.no/atc',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  ucum: 'http://unitsofmeasure.org',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
} as const;

const BASE_URL = 'https://example.org/fhir';

/** A coding in one call: `code('loinc', '30522-7', 'hs-CRP')`. */
export function code(system: keyof typeof SYSTEM, value: string, display?: string): Coding {
  return display === undefined
    ? { system: SYSTEM[system], code: value }
    : { system: SYSTEM[system], code: value, display };
}

export function concept(...codings: Coding[]): CodeableConcept {
  const text = codings.find((c) => c.display !== undefined)?.display;
  return text === undefined ? { coding: codings } : { coding: codings, text };
}

/** A UCUM quantity; `unitText` is what a lab prints when it differs from the UCUM code (e.g. "10^9/L"). */
export function ucum(value: number, ucumCode: string, unitText: string = ucumCode): Quantity {
  return { value, unit: unitText, system: SYSTEM.ucum, code: ucumCode };
}

export interface ConditionSpec {
  readonly id?: string;
  readonly code: Coding;
  /** Omit to leave clinicalStatus absent (the pathway treats absent as active). */
  readonly clinicalStatus?: string;
  readonly verificationStatus?: string;
  readonly onset?: string;
  readonly abatement?: string;
}

export interface ObservationSpec {
  readonly id?: string;
  readonly code: Coding;
  readonly status?: string;
  readonly date: string;
  readonly quantity?: Quantity;
  /** Censored results, e.g. "<" with quantity 0.3 mg/L. */
  readonly comparator?: '<' | '<=' | '>=' | '>';
  readonly valueCoding?: Coding;
  readonly interpretation?: string;
  /** Reference range in the quantity's unit. */
  readonly low?: number;
  readonly high?: number;
}

/** A dose per administration: a mass (`mg`) or a count of units (`{tbl}`) that needs the product strength. */
export interface DoseSpec {
  readonly value: number;
  readonly unit: 'mg' | '{tbl}';
  readonly perDay?: number;
}

export interface MedicationProductSpec {
  readonly code: Coding;
  /** Strength of the single active ingredient per tablet, in mg; emitted on a Medication resource. */
  readonly strengthMg?: number;
  readonly ingredient?: Coding;
  /** How the medication is carried: inline concept (default), a contained Medication, or a referenced one. */
  readonly as?: 'concept' | 'contained' | 'referenced';
}

export interface MedicationStatementSpec extends MedicationProductSpec {
  readonly id?: string;
  readonly status?: string;
  readonly start?: string;
  readonly end?: string;
  readonly dose?: DoseSpec;
}

export interface MedicationRequestSpec extends MedicationProductSpec {
  readonly id?: string;
  readonly status?: string;
  readonly authoredOn: string;
  readonly supplyDays?: number;
  readonly dose?: DoseSpec;
}

export interface QuestionnaireSpec {
  readonly id?: string;
  readonly questionnaire: string;
  readonly authored: string;
  /** linkId (a LOINC item code) -> score. */
  readonly answers: Readonly<Record<string, number>>;
}

export interface AllergySpec {
  readonly id?: string;
  readonly code: Coding;
  readonly clinicalStatus?: string;
  readonly verificationStatus?: string;
  readonly recorded?: string;
}

export interface ImmunizationSpec {
  readonly id?: string;
  readonly vaccine: Coding;
  readonly status?: string;
  readonly date: string;
}

export class BundleBuilder {
  private readonly entries: BundleEntry[] = [];
  private counter = 0;
  private patientId = 'patient';

  constructor(private readonly bundleId: string) {}

  patient(spec: {
    id?: string;
    birthDate?: string;
    gender?: Patient['gender'];
    deceasedBoolean?: boolean;
    deceasedDateTime?: string;
  }): this {
    this.patientId = spec.id ?? 'patient';
    const patient: Patient = {
      resourceType: 'Patient',
      id: this.patientId,
      name: [{ family: 'Vignette', given: [this.bundleId] }],
    };
    if (spec.gender !== undefined) patient.gender = spec.gender;
    if (spec.birthDate !== undefined) patient.birthDate = spec.birthDate;
    if (spec.deceasedBoolean !== undefined) patient.deceasedBoolean = spec.deceasedBoolean;
    if (spec.deceasedDateTime !== undefined) patient.deceasedDateTime = spec.deceasedDateTime;
    return this.add(patient);
  }

  condition(spec: ConditionSpec): this {
    const condition: Condition = {
      resourceType: 'Condition',
      id: spec.id ?? this.nextId('condition'),
      code: concept(spec.code),
      subject: this.subject(),
    };
    if (spec.clinicalStatus !== undefined) {
      condition.clinicalStatus = { coding: [{ system: SYSTEM.conditionClinical, code: spec.clinicalStatus }] };
    }
    condition.verificationStatus = {
      coding: [{ system: SYSTEM.conditionVerification, code: spec.verificationStatus ?? 'confirmed' }],
    };
    if (spec.onset !== undefined) condition.onsetDateTime = spec.onset;
    if (spec.abatement !== undefined) condition.abatementDateTime = spec.abatement;
    return this.add(condition);
  }

  observation(spec: ObservationSpec): this {
    const observation: Observation = {
      resourceType: 'Observation',
      id: spec.id ?? this.nextId('observation'),
      status: (spec.status ?? 'final') as Observation['status'],
      category: [{ coding: [{ system: SYSTEM.observationCategory, code: 'laboratory' }] }],
      code: concept(spec.code),
      subject: this.subject(),
      effectiveDateTime: spec.date,
    };
    if (spec.quantity !== undefined) {
      observation.valueQuantity =
        spec.comparator === undefined ? spec.quantity : { ...spec.quantity, comparator: spec.comparator };
    }
    if (spec.valueCoding !== undefined) observation.valueCodeableConcept = concept(spec.valueCoding);
    if (spec.interpretation !== undefined) {
      observation.interpretation = [{ coding: [{ system: SYSTEM.interpretation, code: spec.interpretation }] }];
    }
    if (spec.quantity !== undefined && (spec.low !== undefined || spec.high !== undefined)) {
      const range: ObservationReferenceRange = {};
      const unitOf = (value: number): Quantity => ({ ...spec.quantity, value });
      if (spec.low !== undefined) range.low = unitOf(spec.low);
      if (spec.high !== undefined) range.high = unitOf(spec.high);
      observation.referenceRange = [range];
    }
    return this.add(observation);
  }

  medicationStatement(spec: MedicationStatementSpec): this {
    const statement: MedicationStatement = {
      resourceType: 'MedicationStatement',
      id: spec.id ?? this.nextId('medication-statement'),
      status: (spec.status ?? 'completed') as MedicationStatement['status'],
      subject: this.subject(),
    };
    this.attachMedication(statement, spec);
    if (spec.start !== undefined || spec.end !== undefined) {
      statement.effectivePeriod = {};
      if (spec.start !== undefined) statement.effectivePeriod.start = spec.start;
      if (spec.end !== undefined) statement.effectivePeriod.end = spec.end;
    }
    if (spec.dose !== undefined) statement.dosage = [dosage(spec.dose)];
    return this.add(statement);
  }

  medicationRequest(spec: MedicationRequestSpec): this {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: spec.id ?? this.nextId('medication-request'),
      status: (spec.status ?? 'completed') as MedicationRequest['status'],
      intent: 'order',
      subject: this.subject(),
      authoredOn: spec.authoredOn,
    };
    this.attachMedication(request, spec);
    if (spec.dose !== undefined) request.dosageInstruction = [dosage(spec.dose)];
    if (spec.supplyDays !== undefined) {
      request.dispenseRequest = {
        expectedSupplyDuration: { value: spec.supplyDays, unit: 'days', system: SYSTEM.ucum, code: 'd' },
      };
    }
    return this.add(request);
  }

  /** Scored answers as LOINC answer codings carrying their ordinal value, as LHC-Forms exports them. */
  questionnaireResponse(spec: QuestionnaireSpec): this {
    const items: QuestionnaireResponseItem[] = Object.entries(spec.answers).map(([linkId, score]) => ({
      linkId,
      answer: [
        {
          valueCoding: {
            extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/ordinalValue', valueDecimal: score }],
            ...code('loinc', PHQ_ANSWER[score] ?? 'LA6568-5'),
          },
        },
      ],
    }));
    const response: QuestionnaireResponse = {
      resourceType: 'QuestionnaireResponse',
      id: spec.id ?? this.nextId('questionnaire-response'),
      questionnaire: spec.questionnaire,
      status: 'completed',
      subject: this.subject(),
      authored: spec.authored,
      item: items,
    };
    return this.add(response);
  }

  allergy(spec: AllergySpec): this {
    const allergy: AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      id: spec.id ?? this.nextId('allergy'),
      clinicalStatus: { coding: [{ system: SYSTEM.allergyClinical, code: spec.clinicalStatus ?? 'active' }] },
      verificationStatus: {
        coding: [{ system: SYSTEM.allergyVerification, code: spec.verificationStatus ?? 'confirmed' }],
      },
      code: concept(spec.code),
      patient: this.subject(),
    };
    if (spec.recorded !== undefined) allergy.recordedDate = spec.recorded;
    return this.add(allergy);
  }

  immunization(spec: ImmunizationSpec): this {
    const immunization: Immunization = {
      resourceType: 'Immunization',
      id: spec.id ?? this.nextId('immunization'),
      status: (spec.status ?? 'completed') as Immunization['status'],
      vaccineCode: concept(spec.vaccine),
      patient: this.subject(),
      occurrenceDateTime: spec.date,
    };
    return this.add(immunization);
  }

  /** Any other resource, as is (for malformed-input and unusual-shape vignettes). */
  raw(resource: Resource): this {
    return this.add(resource);
  }

  build(): Bundle {
    return { resourceType: 'Bundle', id: this.bundleId, type: 'collection', entry: [...this.entries] };
  }

  private add(resource: Resource): this {
    this.entries.push({ fullUrl: `${BASE_URL}/${resource.resourceType}/${resource.id ?? ''}`, resource });
    return this;
  }

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }

  private subject(): { reference: string } {
    return { reference: `Patient/${this.patientId}` };
  }

  private attachMedication(target: MedicationStatement | MedicationRequest, spec: MedicationProductSpec): void {
    const as = spec.as ?? 'concept';
    if (as === 'concept') {
      target.medicationCodeableConcept = concept(spec.code);
      return;
    }
    const medication: Medication = { resourceType: 'Medication', code: concept(spec.code) };
    if (spec.strengthMg !== undefined || spec.ingredient !== undefined) {
      medication.form = concept(code('snomed', '385055001', 'Tablet'));
      medication.ingredient = [
        {
          itemCodeableConcept: concept(spec.ingredient ?? spec.code),
          isActive: true,
          ...(spec.strengthMg !== undefined && {
            strength: { numerator: ucum(spec.strengthMg, 'mg'), denominator: ucum(1, '{tbl}', 'tablet') },
          }),
        },
      ];
    }
    if (as === 'contained') {
      medication.id = 'med';
      target.contained = [medication];
      target.medicationReference = { reference: '#med' };
      return;
    }
    medication.id = this.nextId('medication');
    this.add(medication);
    target.medicationReference = { reference: `Medication/${medication.id}` };
  }
}

/** LOINC answer codes of the PHQ-9 frequency scale (LL358-3), by score. */
const PHQ_ANSWER: Readonly<Record<number, string>> = { 0: 'LA6568-5', 1: 'LA6569-3', 2: 'LA6570-1', 3: 'LA6571-9' };

function dosage(dose: DoseSpec): Dosage {
  const perDay = dose.perDay ?? 1;
  const unitText = dose.unit === 'mg' ? 'mg' : 'tablet';
  return {
    text: `${dose.value} ${unitText} by mouth ${perDay === 1 ? 'once' : `${perDay} times`} daily`,
    timing: { repeat: { frequency: perDay, period: 1, periodUnit: 'd' } },
    doseAndRate: [{ doseQuantity: ucum(dose.value, dose.unit, unitText) }],
  };
}
