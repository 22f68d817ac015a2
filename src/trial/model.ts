/**
 * The trial's records: what a write takes (zod schemas, so the HTTP layer and the CLI validate with the same
 * definition) and what the store gives back. One trial per database. Pure.
 */
import { z } from 'zod';
import type { AuditEntry } from './audit.ts';
import { TrialRoleSchema } from './roles.ts';
import type { InstrumentScore } from '../instruments/index.ts';
import type { LabAssessment } from '../safety/index.ts';

const Id = z.string().trim().min(1).max(120);
const Text = z.string().trim().min(1).max(2000);
/** A calendar date, YYYY-MM-DD (every date the trial store takes). */
export const IsoDate = z.iso.date();

/** Who is writing. The server fills it from the session, never from the request body. */
export interface Actor {
  readonly userId: string;
  readonly role: z.infer<typeof TrialRoleSchema>;
  /** The user's site; null for roles that see every site. */
  readonly site: string | null;
}

/** Every write carries who and why; the store adds the time from its clock. */
export interface WriteContext {
  readonly actor: Actor;
  /** Why this write happens (audit trail). Required non-empty for corrections, unblinding and deletions. */
  readonly reason: string;
}

/** A criterion of the screening log: from the matcher (`record`) or answered by the coordinator (`entered`). */
export const ScreeningCriterionSchema = z.strictObject({
  id: Id,
  kind: z.enum(['inclusion', 'exclusion']),
  status: z.enum(['met', 'not-met', 'unknown']),
  reason: z.string().max(2000),
  source: z.enum(['record', 'entered']),
  verified: z.boolean(),
});
export type ScreeningCriterion = z.infer<typeof ScreeningCriterionSchema>;

export const ScreeningInputSchema = z.strictObject({
  site: Id,
  /** The site's own screening identifier (no names). */
  screeningCode: Id,
  /** Date the eligibility was assessed. */
  screenedOn: IsoDate,
  criteria: z.array(ScreeningCriterionSchema).min(1),
});
export type ScreeningInput = z.infer<typeof ScreeningInputSchema>;

/** A screening entry entered wrong: its code, date or criterion answers (the site stays); the verdict is derived again. */
export const ScreeningCorrectionSchema = ScreeningInputSchema.pick({
  screeningCode: true,
  screenedOn: true,
  criteria: true,
})
  .partial()
  .refine((c) => Object.keys(c).length > 0, 'give at least one field');
export type ScreeningCorrection = z.infer<typeof ScreeningCorrectionSchema>;

export const ConsentInputSchema = z.strictObject({
  screeningId: Id,
  consentedOn: IsoDate,
  /** Version of the participant information sheet and consent form. */
  formVersion: Id,
});
export type ConsentInput = z.infer<typeof ConsentInputSchema>;

/** A consent entered wrong: its date or form version (one on the wrong screening entry is voided instead). */
export const ConsentCorrectionSchema = ConsentInputSchema.pick({ consentedOn: true, formVersion: true })
  .partial()
  .refine((c) => Object.keys(c).length > 0, 'give at least one field');
export type ConsentCorrection = z.infer<typeof ConsentCorrectionSchema>;

/**
 * The units a baseline hs-CRP is entered in (UCUM, as the laboratory reports it): the enrolment form offers them
 * (mg/dL is mg/L / 10, the slip the unit guards against; nmol/L, a molar CRP, converted with the pathway's molar
 * factor); any UCUM unit that converts to mg/L is taken.
 */
export const CRP_UNITS = ['mg/L', 'mg/dL', 'nmol/L'] as const;

/**
 * A censored result, as the laboratory reports one beyond its assay's limits: `<` (below the detection limit, "<0.2")
 * or `>` (above the range, ">1000"), with the limit as the value; null or absent for a measured value.
 */
export const ComparatorSchema = z.enum(['<', '>']).nullable().optional();

/** A baseline hs-CRP as entered: the number and its UCUM unit, as on the laboratory report ("<0.2" censored). */
export const BaselineCrpSchema = z.strictObject({
  value: z.number().positive(),
  unit: Id,
  comparator: ComparatorSchema,
});
export type BaselineCrp = z.infer<typeof BaselineCrpSchema>;

/** `baselineCrp` (value and unit) or the older `baselineCrpMgPerL` (a value in mg/L), not both. */
const oneBaselineCrp = {
  check: (c: { baselineCrp?: unknown; baselineCrpMgPerL?: unknown }) =>
    c.baselineCrp === undefined || c.baselineCrpMgPerL === undefined,
  message: { message: 'give baselineCrp (value and unit) or baselineCrpMgPerL, not both', path: ['baselineCrp'] },
};

/**
 * Sex as CDISC SEX (codelist C66731, its submission values): M, F, U (unknown), UNDIFFERENTIATED. Entered at
 * enrolment; SDTM DM SEX writes it as it is.
 */
export const SEXES = ['M', 'F', 'U', 'UNDIFFERENTIATED'] as const;
export type Sex = (typeof SEXES)[number];

/** The oldest age at consent the store takes, in completed years (older is a typing slip, not a participant). */
export const MAX_AGE_YEARS = 120;

/** A country as SDTM DM COUNTRY writes it: ISO 3166-1 alpha-3, upper case (GBR, AUS); checked for its form only. */
export const CountryCodeSchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'expected an ISO 3166-1 alpha-3 country code in capitals, such as GBR');

/** A birth date or an age at consent (when the site does not collect birth dates), not both. */
const oneAge = {
  check: (c: { birthDate?: unknown; ageAtConsent?: unknown }) =>
    c.birthDate === undefined || c.birthDate === null || c.ageAtConsent === undefined || c.ageAtConsent === null,
  message: { message: 'give birthDate or ageAtConsent, not both', path: ['ageAtConsent'] },
};

const EnrolFieldsSchema = z.strictObject({
  screeningId: Id,
  participantCode: Id,
  /** Stratification levels by factor id, e.g. { crp: 'high', site: 'A' } (src/trial/strata.ts derives them). */
  strata: z.record(Id, Id),
  /** Baseline hs-CRP as entered, with its unit; converted to mg/L by the store (strata, analysis export). */
  baselineCrp: BaselineCrpSchema.nullable().optional(),
  /** Baseline hs-CRP in mg/L: the same as `baselineCrp` with unit `mg/L` (the field before units were entered). */
  baselineCrpMgPerL: z.number().positive().nullable().optional(),
  enrolledOn: IsoDate,
  /**
   * Demographics for SDTM DM (SEX Required, AGE Expected in SDTMIG 3.3): optional, so that an enrolment without them
   * is still taken (and exported with DM SEX/AGE empty and a note), never guessed. Sex as CDISC SEX.
   */
  sex: z.enum(SEXES).nullable().optional(),
  /** The date of birth (DM BRTHDTC; AGE is the completed years at consent), or, where it is not collected, */
  birthDate: IsoDate.nullable().optional(),
  /** the age at consent in completed years (DM AGE as entered; BRTHDTC then empty). */
  ageAtConsent: z.number().int().min(0).max(MAX_AGE_YEARS).nullable().optional(),
});
export const EnrolInputSchema = EnrolFieldsSchema.refine(oneBaselineCrp.check, oneBaselineCrp.message).refine(
  oneAge.check,
  oneAge.message,
);
export type EnrolInput = z.infer<typeof EnrolInputSchema>;

/**
 * An enrolment entered wrong or incomplete: its participant code, date, baseline hs-CRP or demographics (the site and
 * screening entry stay). A birth date given clears an age at consent held and the converse; null clears a field.
 */
export const EnrolmentCorrectionSchema = EnrolFieldsSchema.pick({
  participantCode: true,
  enrolledOn: true,
  baselineCrp: true,
  baselineCrpMgPerL: true,
  sex: true,
  birthDate: true,
  ageAtConsent: true,
})
  .partial()
  .refine((c) => Object.keys(c).length > 0, 'give at least one field')
  .refine(oneBaselineCrp.check, oneBaselineCrp.message)
  .refine(oneAge.check, oneAge.message);
export type EnrolmentCorrection = z.infer<typeof EnrolmentCorrectionSchema>;

export const KitInputSchema = z.strictObject({ kitCode: Id, arm: Id });
export type KitInput = z.infer<typeof KitInputSchema>;

export const DoseInputSchema = z.strictObject({
  participantId: Id,
  visit: Id,
  kitCode: Id,
  administeredOn: IsoDate,
  /**
   * The dose as prescribed in mg (the protocol's mg/kg x body weight, capped), the same calculation in every arm so
   * that it reveals no allocation; null when not recorded.
   */
  doseMg: z.number().positive().nullable(),
  bodyWeightKg: z.number().positive().nullable(),
});
export type DoseInput = z.infer<typeof DoseInputSchema>;

/** A correction of a recorded infusion: its date, dose or body weight (the kit and visit are the allocation's). */
export const DoseCorrectionSchema = DoseInputSchema.pick({ administeredOn: true, doseMg: true, bodyWeightKg: true })
  .partial()
  .refine((c) => Object.keys(c).length > 0, 'give at least one field');
export type DoseCorrection = z.infer<typeof DoseCorrectionSchema>;

export const DISPOSITION_EVENTS = [
  'completed',
  'withdrew-consent',
  'lost-to-follow-up',
  'adverse-event',
  'death',
  'other',
] as const;
export const DispositionInputSchema = z.strictObject({
  participantId: Id,
  event: z.enum(DISPOSITION_EVENTS),
  on: IsoDate,
});
export type DispositionInput = z.infer<typeof DispositionInputSchema>;

/**
 * A correction of a recorded disposition: the exit event (reason), its date, or the participant it was entered for;
 * the fields that change, with a reason. An exit that did not happen is voided instead (voidDisposition).
 */
export const DispositionCorrectionSchema = DispositionInputSchema.partial().refine(
  (c) => Object.keys(c).length > 0,
  'give at least one field',
);
export type DispositionCorrection = z.infer<typeof DispositionCorrectionSchema>;

/** An item answer: a number, an option code such as BDI-II `1a`, or null (not answered). */
export const ItemAnswerSchema = z.union([z.number(), z.string().max(8), z.null()]);
export type ItemAnswer = z.infer<typeof ItemAnswerSchema>;

export const FormInputSchema = z.strictObject({
  participantId: Id,
  visit: Id,
  /** Instrument id from knowledge/instruments/ (madrs, bdi-ii, phq-9, gad-7, chalder-fatigue, shaps). */
  instrument: Id,
  /** Scoring method where the instrument has more than one (chalder-fatigue: bimodal|likert; shaps: ...). */
  scoring: Id.optional(),
  /** Item number (as a string) to answer. */
  answers: z.record(z.string().regex(/^\d+$/), ItemAnswerSchema),
  completedOn: IsoDate,
});
export type FormInput = z.infer<typeof FormInputSchema>;

export const LAB_ANALYTES = ['anc', 'platelets', 'alt', 'ast'] as const;
export const LabAnalyteSchema = z.enum(LAB_ANALYTES);
export type LabAnalyte = z.infer<typeof LabAnalyteSchema>;

/**
 * The units a lab result is entered in (UCUM; those docs/trial-operations.md lists as converted): the lab forms offer
 * them, and the store names one of them when a value is impossible in the unit typed (ANC 1800 in 10*9/L, /uL).
 */
export const LAB_UNITS = ['10*9/L', '10*3/uL', '/uL', 'U/L', 'ukat/L'] as const;

export const LabInputSchema = z.strictObject({
  participantId: Id,
  visit: Id,
  analyte: LabAnalyteSchema,
  value: z.number().nonnegative(),
  /** A censored result ("<5" U/L below the assay's limit): `<` or `>`, `value` being the limit (above 0). */
  comparator: ComparatorSchema,
  /** UCUM: `10*9/L` or `10*3/uL` (= /mm3 x 1000) for counts; `U/L` for ALT/AST. */
  unit: Id,
  /** The laboratory's reference limits; ALT/AST need the ULN, ANC/platelets the LLN (grade 1 starts below it). */
  upperLimitOfNormal: z.number().positive().nullable(),
  lowerLimitOfNormal: z.number().positive().nullable(),
  collectedOn: IsoDate,
});
export type LabInput = z.infer<typeof LabInputSchema>;

/**
 * A correction of a recorded lab result (a value or unit typed wrong, the reference limits, the date or visit): the
 * fields that change, with a reason; the store grades it again and keeps the result as entered in the audit entry.
 */
export const LabCorrectionSchema = LabInputSchema.omit({ participantId: true, analyte: true })
  .partial()
  .refine((c) => Object.keys(c).length > 0, 'give at least one field');
export type LabCorrection = z.infer<typeof LabCorrectionSchema>;

export const RELATEDNESS = ['not-related', 'unlikely', 'possible', 'probable', 'definite'] as const;
export const SERIOUSNESS_CRITERIA = [
  'death',
  'life-threatening',
  'hospitalisation',
  'disability',
  'congenital-anomaly',
  'important-medical-event',
] as const;
export const AdverseEventInputSchema = z.strictObject({
  participantId: Id,
  /** Verbatim term (MedDRA coding is left to the sponsor's coder). */
  term: Text,
  onsetOn: IsoDate,
  /** CTCAE grade 1-5 as assessed by the investigator. */
  grade: z.int().min(1).max(5),
  /** ICH E2A seriousness criteria met; empty means not serious. */
  seriousCriteria: z.array(z.enum(SERIOUSNESS_CRITERIA)),
  relatedness: z.enum(RELATEDNESS),
  expectedness: z.enum(['expected', 'unexpected']),
  outcome: z.enum(['recovered', 'recovering', 'not-recovered', 'recovered-with-sequelae', 'fatal', 'unknown']),
});
export type AdverseEventInput = z.infer<typeof AdverseEventInputSchema>;

/**
 * A follow-up of a recorded adverse event (outcome resolved, became serious, relatedness assessed, a term or date
 * corrected): the fields that change; the store keeps the event as it was in the audit entry.
 */
export const AdverseEventUpdateSchema = AdverseEventInputSchema.omit({ participantId: true })
  .partial()
  .refine((u) => Object.keys(u).length > 0, 'give at least one field');
export type AdverseEventUpdate = z.infer<typeof AdverseEventUpdateSchema>;

/** What a username may be, in words: the message a refused one gets (its schema is UsernameSchema). */
export const USERNAME_RULE = '2 to 64 lower-case letters, digits, ".", "_" or "-", beginning with a letter or a digit';
export const UsernameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/);

export const UserInputSchema = z.strictObject({
  username: UsernameSchema,
  displayName: Text,
  role: TrialRoleSchema,
  site: Id.nullable(),
  /** A scrypt/argon2 hash string made by the server; the store never sees a password. */
  passwordHash: Text,
});
export type UserInput = z.infer<typeof UserInputSchema>;

export interface TrialInfo {
  readonly protocolId: string;
  readonly protocolVersion: string;
  readonly method: 'permuted-blocks' | 'minimisation';
  readonly arms: readonly string[];
  readonly factors: readonly { readonly id: string; readonly levels: readonly string[] }[];
  readonly initialisedAt: string;
  /** Database lock (statistician unblinded from then on); null while open. */
  readonly lockedAt: string | null;
  /**
   * Each site's country, ISO 3166-1 alpha-3 (`{ A: 'GBR' }`, SDTM DM COUNTRY), as given at init or set later; a site
   * without one (every site of a trial initialised before schema version 9) exports an empty COUNTRY, with a note.
   */
  readonly siteCountries: Readonly<Record<string, string>>;
}

export interface ScreeningEntry extends ScreeningInput {
  readonly id: string;
  readonly verdict: 'eligible' | 'ineligible' | 'needs-data';
  readonly failed: readonly string[];
  /** 1 when entered; each correction adds one (a correction made on an older version is refused). */
  readonly version: number;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

export interface ConsentRecord extends ConsentInput {
  readonly id: string;
  /** 1 when entered; each correction adds one (a correction made on an older version is refused). */
  readonly version: number;
  readonly takenBy: string;
  readonly recordedAt: string;
}

export type ParticipantStatus = 'enrolled' | 'randomized' | 'completed' | 'discontinued';

export interface Participant {
  readonly id: string;
  readonly participantCode: string;
  readonly screeningId: string;
  readonly site: string;
  readonly strata: Readonly<Record<string, string>>;
  /** The baseline hs-CRP in mg/L, converted from the value entered (what the strata and the analysis read). */
  readonly baselineCrpMgPerL: number | null;
  /**
   * The baseline hs-CRP as entered, with its UCUM unit; `unit` is null for an enrolment stored before units were
   * recorded (schema version 5 and earlier), whose value is taken as mg/L and flagged wherever it is shown.
   */
  readonly baselineCrp: {
    readonly value: number;
    readonly unit: string | null;
    /** `<` or `>` for a censored result ("<0.2"): `value` and `baselineCrpMgPerL` are then its limit. */
    readonly comparator?: '<' | '>' | null | undefined;
  } | null;
  readonly enrolledOn: string;
  /**
   * Demographics as entered at enrolment (or corrected); null when not given, and for an enrolment stored before they
   * were recorded (schema version 8 and earlier): DM then leaves SEX, AGE and BRTHDTC empty, with a note.
   */
  readonly sex: Sex | null;
  readonly birthDate: string | null;
  /** The age at consent in completed years, entered where the birth date is not collected. */
  readonly ageAtConsent: number | null;
  readonly status: ParticipantStatus;
  /** Set once randomized: the kit code is what blinded roles see. */
  readonly kitCode: string | null;
  readonly randomizationNumber: number | null;
  readonly emergencyUnblinded: boolean;
  /** 1 when enrolled; each enrolment correction adds one (one made on an older version is refused). */
  readonly version: number;
}

/** The full allocation; only roles for which `seesAllocation` holds may receive it (src/trial/blinding.ts). */
export interface Allocation {
  readonly participantId: string;
  /** Consecutive over the whole trial: 1, 2, 3, ... */
  readonly randomizationNumber: number;
  readonly stratum: string;
  /** Position in the stratum's concealed list (permuted blocks) or in the stratum's enrolments (minimisation). */
  readonly stratumSequence: number;
  readonly arm: string;
  readonly kitCode: string;
  /** The instant (ISO timestamp, UTC). */
  readonly randomizedAt: string;
  /** The site's calendar date of it, in the site's time zone (UTC when the trial was given none for the site). */
  readonly randomizedOn: string;
}
/**
 * An allocation as a blinded role receives it: without the arm, and without the stratum sequence, which with the
 * block sizes can give away the arm (the last slot of a block holds what the block still lacks).
 */
export type BlindedAllocation = Omit<Allocation, 'arm' | 'stratumSequence'>;

export interface DoseRecord extends DoseInput {
  readonly id: string;
  /** 1 when entered; each correction adds one (a correction made on an older version is refused). */
  readonly version: number;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

export interface DispositionRecord extends DispositionInput {
  readonly id: string;
  /** 1 when entered; each correction adds one (a correction made on an older version is refused). */
  readonly version: number;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

export interface FormSignature {
  readonly userId: string;
  readonly signedAt: string;
  /** What the signature means, shown to the signer (21 CFR 11.50). */
  readonly meaning: string;
  /** sha256 of the canonical answers at signing; a later correction no longer matches it. */
  readonly contentHash: string;
}

export interface FormRecord {
  readonly id: string;
  readonly participantId: string;
  readonly visit: string;
  readonly instrument: string;
  readonly scoring: string | null;
  readonly answers: Readonly<Record<string, ItemAnswer>>;
  readonly completedOn: string;
  /** Computed from the answers by src/instruments (never typed). */
  readonly score: InstrumentScore;
  /** `incomplete`: an item is missing or out of range; `complete`: ready to sign; `signed`. */
  readonly status: 'incomplete' | 'complete' | 'signed';
  readonly signature: FormSignature | null;
  readonly version: number;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export interface FormCorrection {
  readonly formId: string;
  readonly item: string;
  readonly oldValue: ItemAnswer;
  readonly newValue: ItemAnswer;
  readonly userId: string;
  readonly at: string;
  readonly reason: string;
}

export interface LabRecord extends LabInput {
  readonly id: string;
  /**
   * 1 when entered; each correction adds one, and so does a new grade after the infusion date was recorded or
   * corrected (a correction made on an older version is refused).
   */
  readonly version: number;
  readonly site: string;
  /** CTCAE grade and the label's hold/stop rule (src/safety). */
  readonly assessment: LabAssessment;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

export interface AdverseEventRecord extends AdverseEventInput {
  readonly id: string;
  /** 1 when entered; each correction adds one (a correction made on an older version is refused). */
  readonly version: number;
  readonly site: string;
  readonly serious: boolean;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

/**
 * `emergency-unblinding`: an investigator broke the blind for one participant; the alert tells the site's
 * investigators, the monitors and the unblinded pharmacist that it happened (never the arm it disclosed).
 * `dose-above-maximum`: an infusion recorded above the protocol's dose: its mg/kg for the body weight recorded, or its
 * maximum per infusion (src/trial/dose-check.ts; the same for every arm).
 * `dose-not-cleared`: an infusion recorded while a pre-dose safety lab was missing, undecided, or at a hold or stop
 * rule (src/trial/pre-dose.ts).
 */
export const ALERT_KINDS = [
  'stop-rule',
  'hold-rule',
  'serious-adverse-event',
  'susar',
  'emergency-unblinding',
  'dose-above-maximum',
  'dose-not-cleared',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * Acknowledging a safety alert says what was done about it (the infusion withheld, the lab repeated, the sponsor told,
 * or why nothing was needed): the acknowledger's words, kept with the alert and in the audit trail.
 */
export const AlertAcknowledgementSchema = z.strictObject({
  actionTaken: z.string().trim().min(1).max(500),
});
export type AlertAcknowledgement = z.infer<typeof AlertAcknowledgementSchema>;

export interface AlertRecord {
  readonly id: string;
  readonly participantId: string;
  readonly site: string;
  readonly kind: AlertKind;
  /** One line without patient identifiers. */
  readonly message: string;
  /** What raised it: a lab result, an adverse event, an infusion record, or an emergency unblinding (sourceId: the participant). */
  readonly sourceType: 'lab' | 'adverse-event' | 'dose' | 'unblinding';
  readonly sourceId: string;
  readonly raisedAt: string;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: string | null;
  /** What was done about it, given when acknowledged; null while open (and for one acknowledged before schema 6). */
  readonly actionTaken: string | null;
}

export interface UserRecord extends UserInput {
  readonly id: string;
  readonly active: boolean;
  readonly createdAt: string;
}

export interface SessionRecord {
  /** The server stores a hash of the session token here, never the token. */
  readonly id: string;
  readonly userId: string;
  readonly csrfSecret: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastSeenAt: string;
}

/** Everything an export or the CONSORT flow needs, read in one transaction. */
export interface TrialSnapshot {
  readonly trial: TrialInfo;
  readonly screening: readonly ScreeningEntry[];
  readonly consents: readonly ConsentRecord[];
  readonly participants: readonly Participant[];
  /** Every randomization without its arm (number, stratum, kit, date): kept in a blinded snapshot. */
  readonly randomizations: readonly BlindedAllocation[];
  /** The full allocations; empty in a blinded snapshot (src/trial/blinding.ts blindSnapshot). */
  readonly allocations: readonly Allocation[];
  readonly doses: readonly DoseRecord[];
  readonly dispositions: readonly DispositionRecord[];
  readonly forms: readonly FormRecord[];
  readonly labs: readonly LabRecord[];
  readonly adverseEvents: readonly AdverseEventRecord[];
}

export type { AuditEntry };
