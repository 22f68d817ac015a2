/**
 * The normalized patient record: what the FHIR adapter (src/fhir) produces and what the engine (src/pathway) and the
 * trial matcher (src/trials) read. It is knowledge-free: codes stay codes, quantities keep their units; mapping codes
 * to clinical concepts and converting units is the engine's job, driven by the pathway file.
 *
 * Dates are ISO 8601 strings as found in the source (`YYYY`, `YYYY-MM`, `YYYY-MM-DD` or a dateTime); the engine
 * compares them with src/record/dates.ts. Every fact keeps `ref` ("ResourceType/id") so that every finding can cite
 * its evidence.
 */
import type { Issue } from './issues.ts';

/** An object while it is filled in field by field (cheaper than conditional spreads); read-only once returned. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** "ResourceType/id", or "#id" inside a containing resource, or a urn:uuid fullUrl when a resource has no id. */
export type ResourceRef = string;

export interface Coding {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}

export interface Concept {
  readonly codings: readonly Coding[];
  readonly text?: string;
}

export type Comparator = '<' | '<=' | '>=' | '>';

export interface Quantity {
  readonly value: number;
  /** The UCUM code when the quantity's system is UCUM (or it has a `code` that parses as UCUM), else undefined. */
  readonly ucum?: string;
  /** The human-readable unit as sent (`unit`), kept for messages and as a fallback. */
  readonly unitText?: string;
  /** A censored result: "<5 mg/L" has comparator '<' and value 5. */
  readonly comparator?: Comparator;
}

export interface Period {
  readonly start?: string;
  readonly end?: string;
}

/** Patient.gender (FHIR administrative gender). */
export const SEXES = ['male', 'female', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];

export interface PatientFacts {
  readonly ref: ResourceRef;
  readonly birthDate?: string;
  readonly sex?: Sex;
  readonly deceased?: boolean;
  /** deceasedDateTime, when the death is dated (the engine compares it with the as-of date). */
  readonly deceasedDate?: string;
}

export interface ConditionFact {
  readonly ref: ResourceRef;
  readonly code: Concept;
  /** FHIR condition-clinical code: active | recurrence | relapse | inactive | remission | resolved; undefined if absent. */
  readonly clinicalStatus?: string;
  /** FHIR condition-ver-status code: unconfirmed | provisional | differential | confirmed | refuted | entered-in-error. */
  readonly verificationStatus?: string;
  /** onsetDateTime, onsetPeriod.start or onsetString when it is a date. */
  readonly onset?: string;
  /** abatementDateTime, abatementPeriod.end (or start) or abatementString when it is a date; `abated` for abatementBoolean-like forms. */
  readonly abatement?: string;
  readonly recordedDate?: string;
  readonly categories: readonly string[];
}

export type ObservationValue =
  | { readonly kind: 'quantity'; readonly quantity: Quantity }
  | { readonly kind: 'concept'; readonly concept: Concept }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'integer'; readonly value: number }
  /**
   * A value was given but cannot be read: a form the pathway does not use (valueRange, valueRatio, valueSampledData,
   * a time or period) or a malformed one (a valueQuantity without a number, a comparator such as 'ad'). Still a
   * result, one that cannot be read: "the newest result decides" never passes over it to an older one.
   */
  | { readonly kind: 'unreadable'; readonly form: string };

export interface ReferenceRange {
  readonly low?: Quantity;
  readonly high?: Quantity;
  /** What kind of range (normal, therapeutic, ...); absent means the normal range. */
  readonly type?: Concept;
  /** The population it is for (a sex, a race, pregnancy, ...); absent means everyone. */
  readonly appliesTo?: readonly Concept[];
  /** The ages it is for (each bound a Quantity in a UCUM time unit, usually `a`). */
  readonly age?: { readonly low?: Quantity; readonly high?: Quantity };
  readonly text?: string;
}

export interface ObservationComponent {
  readonly code: Concept;
  readonly value?: ObservationValue;
}

export interface ObservationFact {
  readonly ref: ResourceRef;
  readonly code: Concept;
  /** registered | preliminary | final | amended | corrected | cancelled | entered-in-error | unknown */
  readonly status: string;
  /** effectiveDateTime, effectivePeriod.start, effectiveInstant; else issued. */
  readonly effective?: string;
  readonly value?: ObservationValue;
  readonly dataAbsentReason?: string;
  readonly interpretation: readonly Concept[];
  readonly referenceRange: readonly ReferenceRange[];
  readonly components: readonly ObservationComponent[];
  /** Panel members (hasMember) by reference. */
  readonly members: readonly ResourceRef[];
  readonly method?: Concept;
}

export interface IngredientFact {
  readonly code: Concept;
  /** Amount of this ingredient per unit of the product, e.g. 50 mg per 1 tablet. */
  readonly strength?: { readonly numerator: Quantity; readonly denominator?: Quantity };
  readonly isActive?: boolean;
}

/** Which FHIR resource a medication fact was read from. */
export type MedicationKind = 'statement' | 'request' | 'dispense' | 'administration';

/**
 * One medication record (MedicationStatement, MedicationRequest, MedicationDispense or MedicationAdministration), as
 * the record states it. `period` is only what the resource itself says (no supply arithmetic): the engine decides how
 * long a supply lasts and whether the record is current (src/pathway/medication-use.ts, docs/care-pathway.md, definitions 2 and 3a).
 */
export interface MedicationFact {
  readonly ref: ResourceRef;
  readonly kind: MedicationKind;
  /** MedicationStatement: active | completed | entered-in-error | intended | stopped | on-hold | unknown | not-taken.
   *  MedicationRequest: active | on-hold | cancelled | completed | entered-in-error | stopped | draft | unknown.
   *  MedicationDispense: preparation | in-progress | cancelled | on-hold | completed | entered-in-error | stopped |
   *  declined | unknown. MedicationAdministration: in-progress | not-done | on-hold | completed | entered-in-error |
   *  stopped | unknown. */
  readonly status: string;
  readonly intent?: string;
  /** medicationCodeableConcept, or the referenced / contained Medication's code. */
  readonly medication: Concept;
  /** The resolved Medication's ref, when the medication was a reference. */
  readonly medicationRef?: ResourceRef;
  readonly ingredients: readonly IngredientFact[];
  readonly form?: Concept;
  /** The route of the first dosage that states one (dosage.route): read with the medicine's name, never alone. */
  readonly route?: Concept;
  /** One administration (doseAndRate.doseQuantity or the low end of doseRange), as sent: mg, or a count such as {tbl}. */
  readonly dosePerAdministration?: Quantity;
  /** From timing.repeat (frequency / period in days, or frequencyMax when only that is given) or timing.code (QD, BID, TID, QID, Q4H...). */
  readonly administrationsPerDay?: number;
  /** Dose x administrations per day, in the dose's own unit; undefined when either is missing. */
  readonly dailyDose?: Quantity;
  /** Where `period` came from, so the engine can explain and judge how firm it is. */
  readonly periodSource?:
    | 'effectivePeriod'
    | 'effectiveDateTime'
    | 'dispenseRequest'
    | 'authoredOn'
    | 'dosageBounds'
    | 'whenHandedOver'
    | 'whenPrepared';
  /**
   * The period the resource states: a statement's or administration's effective[x] (a single effectiveDateTime gives
   * a start only for a statement, whose duration is then unknown; start = end for an administration); a request's
   * authoredOn (or validityPeriod.start) to validityPeriod.end, or its dosage bounds; a dispense's handover date.
   */
  readonly period: Period;
  /** MedicationRequest.dispenseRequest, kept for audit and for the one-supply duration. */
  readonly dispense?: {
    readonly validityPeriod?: Period;
    readonly expectedSupplyDays?: number;
    readonly numberOfRepeatsAllowed?: number;
    readonly quantity?: Quantity;
  };
  /** MedicationDispense: daysSupply in whole days, and the quantity handed over. */
  readonly supply?: { readonly days?: number; readonly quantity?: Quantity };
  /** MedicationDispense.authorizingPrescription / MedicationAdministration.request: the requests it fulfils. */
  readonly basedOn?: readonly ResourceRef[];
  readonly authoredOn?: string;
  readonly dosageText?: string;
  readonly reasonCodes: readonly Concept[];
}

export interface AnswerFact {
  readonly linkId: string;
  readonly code: readonly Coding[];
  readonly text?: string;
  /** valueInteger / valueDecimal, or valueCoding's ordinal (itemWeight / ordinalValue extension) when present. */
  readonly valueNumber?: number;
  readonly valueCoding?: Coding;
  readonly valueString?: string;
}

export interface QuestionnaireResponseFact {
  readonly ref: ResourceRef;
  readonly questionnaire?: string;
  readonly status: string;
  readonly authored?: string;
  /** Flattened (nested items are lifted, linkIds kept). */
  readonly answers: readonly AnswerFact[];
}

export interface AllergyFact {
  readonly ref: ResourceRef;
  readonly code: Concept;
  readonly clinicalStatus?: string;
  readonly verificationStatus?: string;
  readonly onset?: string;
  readonly recordedDate?: string;
}

export interface ImmunizationFact {
  readonly ref: ResourceRef;
  readonly vaccine: Concept;
  /** completed | entered-in-error | not-done */
  readonly status: string;
  readonly occurrence?: string;
}

export interface ProcedureFact {
  readonly ref: ResourceRef;
  readonly code: Concept;
  readonly status: string;
  readonly performed?: string;
}

export interface PatientRecord {
  readonly patient: PatientFacts;
  readonly conditions: readonly ConditionFact[];
  readonly observations: readonly ObservationFact[];
  readonly medications: readonly MedicationFact[];
  readonly questionnaireResponses: readonly QuestionnaireResponseFact[];
  readonly allergies: readonly AllergyFact[];
  readonly immunizations: readonly ImmunizationFact[];
  readonly procedures: readonly ProcedureFact[];
  /** Non-fatal notes from the adapter (skipped resource types, malformed elements), with resource refs as paths. */
  readonly issues: readonly Issue[];
}
