/**
 * The trial store over either database (db.ts): every rule of the port (port.ts) is implemented here once, in SQL
 * both SQLite and PostgreSQL accept. Each write is one transaction that first locks the audit head (PostgreSQL:
 * SELECT ... FOR UPDATE; SQLite: BEGIN IMMEDIATE already holds the write lock), does its work, and appends its audit
 * entries to the chain before committing, so the data and its audit trail commit or vanish together and the chain
 * stays linear under concurrency.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { InstrumentDefinition } from '../../instruments/index.ts';
import type { Pathway, PlausibleRange } from '../../knowledge/schema-pathway.ts';
import { scoreInstrument } from '../../instruments/index.ts';
import {
  countAllocation,
  emptyCounts,
  levelProblems,
  minimise,
  RandomizationPlanSchema,
  stratumKey,
  allocationTable,
  streamFor,
  streamFromState,
  type AllocationRow,
  type MarginalCounts,
  type RandomizationPlan,
} from '../../randomization/index.ts';
import { InputError } from '../../record/index.ts';
import { ageInYears, fromDayNumber, toDayNumber } from '../../record/dates.ts';
import { assessLab, type CtcaeTable, type LabAssessment } from '../../safety/index.ts';
import { convertQuantity, enzymeActivityUnit } from '../../units/index.ts';
import { TrialProtocolSchema, type TrialProtocol } from '../../trials/schema.ts';
import { armTerms, blindAllocation, containsArmTerm } from '../blinding.ts';
import { chainEntry, verifyChain, type AuditDraft, type AuditEntry, type AuditHead } from '../audit.ts';
import {
  AdverseEventInputSchema,
  AdverseEventUpdateSchema,
  AlertAcknowledgementSchema,
  CRP_UNITS,
  ConsentCorrectionSchema,
  ConsentInputSchema,
  DispositionCorrectionSchema,
  CountryCodeSchema,
  DispositionInputSchema,
  MAX_AGE_YEARS,
  DoseCorrectionSchema,
  DoseInputSchema,
  EnrolInputSchema,
  EnrolmentCorrectionSchema,
  IsoDate,
  FormInputSchema,
  ItemAnswerSchema,
  KitInputSchema,
  LabCorrectionSchema,
  LabInputSchema,
  LAB_UNITS,
  ScreeningCorrectionSchema,
  ScreeningInputSchema,
  UserInputSchema,
  USERNAME_RULE,
  UsernameSchema,
  type AdverseEventInput,
  type AdverseEventRecord,
  type AlertRecord,
  type Allocation,
  type BaselineCrp,
  type ConsentRecord,
  type DispositionInput,
  type DispositionRecord,
  type DoseRecord,
  type FormCorrection,
  type FormRecord,
  type ItemAnswer,
  type LabAnalyte,
  type LabInput,
  type LabRecord,
  type Participant,
  type ScreeningEntry,
  type SessionRecord,
  type TrialInfo,
  type TrialSnapshot,
  type UserRecord,
  type WriteContext,
} from '../model.ts';
import {
  boundSite,
  can,
  EMERGENCY_UNBLINDING_ROLES,
  SITE_BOUND_ROLES,
  TrialRoleSchema,
  type Permission,
} from '../roles.ts';
import { conductProblems } from '../check.ts';
import { baselineCrpMgPerL, enteredBaselineCrp, participantLevels, planSites } from '../strata.ts';
import { addDays, dateInTimeZone, isTimeZone } from '../visits.ts';
import { screeningVerdict } from '../screening.ts';
import { preDoseClearance, preDoseProblems, preTreatmentVisits } from '../pre-dose.ts';
import { checkDose } from '../dose-check.ts';
import { crpMolarFactor } from '../../pathway/inflammation.ts';
import type { Db, SqlValue, Tx } from './db.ts';
import type { AllocationCapacity, InitTrialInput, SiteFilter, TrialStore } from './port.ts';
import type { z } from 'zod';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export interface StoreKnowledge {
  readonly instruments: ReadonlyMap<string, InstrumentDefinition>;
  /** The care pathway, whose CRP conversion (the molar factor) converts a baseline hs-CRP (baselineCrpMgPerL). */
  readonly pathway: Pathway;
  /** The pathway's plausible hs-CRP range (definitions.plausibility.crpMgPerL, mg/L): a baseline outside is refused. */
  readonly crpPlausible: PlausibleRange;
  /**
   * The pathway's plausible range of each safety lab (definitions.plausibility.safetyLabs, in the pathway's unit): a
   * result outside, converted to the unit entered, is refused (ANC 1800 typed in 10*9/L for 1800 /uL).
   */
  readonly labPlausible: Readonly<Record<LabAnalyte, PlausibleRange>>;
  /**
   * The pathway's plausible body weight (definitions.plausibility.bodyWeightKg, kg): an infusion's weight outside is
   * refused (700 typed for 70 would let 800 mg pass the mg/kg check).
   */
  readonly bodyWeightPlausible: PlausibleRange;
  /** The CTCAE table of a version ("5.0"); throws when not bundled. */
  ctcae(version: string): CtcaeTable;
}

/** A refusal; `field` when it is about one input field (InputError.field), which the message names. */
const fail = (code: string, message: string, field?: string): InputError => new InputError(message, code, field);

/** The units a body weight entered as kg may really be in (UCUM code, as the message names it). */
const WEIGHT_UNITS = [
  { ucum: '[lb_av]', shown: 'lb' },
  { ucum: 'g', shown: 'g' },
] as const;
const forbidden = (what: string): InputError => fail('trial.forbidden', `your role may not ${what}`);
const notFound = (what: string): InputError => fail('trial.not-found', `no such ${what}`);
const conflict = (message: string): InputError => fail('trial.conflict', message);

/**
 * A date the user entered must not lie after today. Today is the store clock's UTC date plus one day, so that a site
 * ahead of UTC (up to UTC+14) can enter its own today; a year typed wrong (2099) is refused instead of stored.
 */
function notAfterToday(date: string, at: string, what: string, field: string): void {
  if (date > addDays(at.slice(0, 10), 1)) {
    throw fail('trial.invalid', `${what}: ${field}: the date is in the future`, field);
  }
}

/**
 * A death is one fact told three ways (CTCAE grade 5, outcome fatal, ICH E2A criterion death): an event giving only
 * some of them is ambiguous, and one without the criterion would not be serious and raise no alert.
 */
function assertOneDeath(e: AdverseEventInput): void {
  const death = [e.grade === 5, e.outcome === 'fatal', e.seriousCriteria.includes('death')];
  if (death.some(Boolean) && !death.every(Boolean)) {
    throw fail(
      'trial.invalid',
      'adverse event: grade 5, outcome fatal and the seriousness criterion death go together (give all three or none)',
    );
  }
}

/** Validates `input` with `schema`; the message names fields only, never the values. */
/**
 * Optimistic concurrency for corrections (forms, lab results, adverse events, infusions, dispositions): one made on
 * the version its author read (`expected`) is refused when someone has changed the record since, instead of being
 * written over their change. Without `expected` the correction applies to the current version.
 */
function assertVersion(what: string, expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) {
    throw conflict(`the ${what} changed since version ${expected}: read version ${current} and correct that`);
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const names = [...new Set(r.error.issues.filter((i) => i.path.length > 0).map((i) => i.path.join('.')))];
  // A rule about the input as a whole (a correction giving no field) says its own words, which name no value.
  const whole = [...new Set(r.error.issues.filter((i) => i.path.length === 0).map((i) => i.message))];
  // One top-level field refused: the refusal is about it (a form marks that field).
  const only = names.length === 1 && r.error.issues.every((i) => i.path.length === 1) ? names[0] : undefined;
  const said = [...(names.length === 0 ? [] : [`invalid field(s): ${names.join(', ')}`]), ...whole];
  throw fail('trial.invalid', `${what}: ${said.join('; ')}`, only);
}

const json = (v: unknown): string => JSON.stringify(v ?? null);
const fromJson = <T>(s: string | null): T => (s === null ? (null as T) : (JSON.parse(s) as T));
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

type Row = Record<string, unknown>;
const str = (r: Row, k: string): string => String(r[k]);
const strOrNull = (r: Row, k: string): string | null => (r[k] === null || r[k] === undefined ? null : String(r[k]));

function participantOf(r: Row): Participant {
  return {
    id: str(r, 'id'),
    participantCode: str(r, 'participant_code'),
    screeningId: str(r, 'screening_id'),
    site: str(r, 'site'),
    strata: fromJson(str(r, 'strata_json')),
    baselineCrpMgPerL: numOrNull(r.baseline_crp),
    // Enrolled before units were recorded (schema version 5): the value is the mg/L one, its unit not known.
    baselineCrp:
      r.baseline_crp === null || r.baseline_crp === undefined
        ? null
        : {
            value: numOrNull(r.baseline_crp_value) ?? num(r.baseline_crp),
            unit: strOrNull(r, 'baseline_crp_unit'),
            comparator: strOrNull(r, 'baseline_crp_comparator') as '<' | '>' | null,
          },
    enrolledOn: str(r, 'enrolled_on'),
    // Enrolled before demographics were recorded (schema version 8): null, never guessed (DM notes them).
    sex: strOrNull(r, 'sex') as Participant['sex'],
    birthDate: strOrNull(r, 'birth_date'),
    ageAtConsent: numOrNull(r.age_at_consent),
    status: str(r, 'status') as Participant['status'],
    kitCode: strOrNull(r, 'kit_code'),
    randomizationNumber: numOrNull(r.randomization_number),
    emergencyUnblinded: num(r.emergency_unblinded) === 1,
    version: num(r.version),
  };
}

function allocationOf(r: Row): Allocation {
  return {
    participantId: str(r, 'participant_id'),
    randomizationNumber: num(r.randomization_number),
    stratum: str(r, 'stratum'),
    stratumSequence: num(r.stratum_sequence),
    arm: str(r, 'arm'),
    kitCode: str(r, 'kit_code'),
    randomizedAt: str(r, 'randomized_at'),
    randomizedOn: strOrNull(r, 'randomized_on') ?? str(r, 'randomized_at').slice(0, 10),
  };
}

function screeningOf(r: Row): ScreeningEntry {
  return {
    id: str(r, 'id'),
    site: str(r, 'site'),
    screeningCode: str(r, 'screening_code'),
    screenedOn: str(r, 'screened_on'),
    criteria: fromJson(str(r, 'criteria_json')),
    verdict: str(r, 'verdict') as ScreeningEntry['verdict'],
    failed: fromJson(str(r, 'failed_json')),
    version: num(r.version),
    recordedBy: str(r, 'recorded_by'),
    recordedAt: str(r, 'recorded_at'),
  };
}

function consentOf(r: Row): ConsentRecord {
  return {
    id: str(r, 'id'),
    screeningId: str(r, 'screening_id'),
    consentedOn: str(r, 'consented_on'),
    formVersion: str(r, 'form_version'),
    version: num(r.version),
    takenBy: str(r, 'taken_by'),
    recordedAt: str(r, 'recorded_at'),
  };
}

function formOf(r: Row): FormRecord {
  return {
    id: str(r, 'id'),
    participantId: str(r, 'participant_id'),
    visit: str(r, 'visit'),
    instrument: str(r, 'instrument'),
    scoring: strOrNull(r, 'scoring'),
    answers: fromJson(str(r, 'answers_json')),
    completedOn: str(r, 'completed_on'),
    score: fromJson(str(r, 'score_json')),
    status: str(r, 'status') as FormRecord['status'],
    signature: fromJson(strOrNull(r, 'signature_json')),
    version: num(r.version),
    createdBy: str(r, 'created_by'),
    updatedAt: str(r, 'updated_at'),
  };
}

function labOf(r: Row): LabRecord {
  return {
    id: str(r, 'id'),
    participantId: str(r, 'participant_id'),
    site: str(r, 'site'),
    visit: str(r, 'visit'),
    analyte: str(r, 'analyte') as LabRecord['analyte'],
    value: num(r.value),
    comparator: strOrNull(r, 'comparator') as LabRecord['comparator'],
    unit: str(r, 'unit'),
    upperLimitOfNormal: numOrNull(r.uln),
    lowerLimitOfNormal: numOrNull(r.lln),
    collectedOn: str(r, 'collected_on'),
    assessment: fromJson(str(r, 'assessment_json')),
    version: num(r.version),
    recordedBy: str(r, 'recorded_by'),
    recordedAt: str(r, 'recorded_at'),
  };
}

function adverseEventOf(r: Row): AdverseEventRecord {
  return {
    id: str(r, 'id'),
    participantId: str(r, 'participant_id'),
    site: str(r, 'site'),
    term: str(r, 'term'),
    onsetOn: str(r, 'onset_on'),
    grade: num(r.grade),
    seriousCriteria: fromJson(str(r, 'serious_criteria_json')),
    serious: num(r.serious) === 1,
    relatedness: str(r, 'relatedness') as AdverseEventRecord['relatedness'],
    expectedness: str(r, 'expectedness') as AdverseEventRecord['expectedness'],
    outcome: str(r, 'outcome') as AdverseEventRecord['outcome'],
    version: num(r.version),
    recordedBy: str(r, 'recorded_by'),
    recordedAt: str(r, 'recorded_at'),
  };
}

function alertOf(r: Row): AlertRecord {
  return {
    id: str(r, 'id'),
    participantId: str(r, 'participant_id'),
    site: str(r, 'site'),
    kind: str(r, 'kind') as AlertRecord['kind'],
    message: str(r, 'message'),
    sourceType: str(r, 'source_type') as AlertRecord['sourceType'],
    sourceId: str(r, 'source_id'),
    raisedAt: str(r, 'raised_at'),
    acknowledgedBy: strOrNull(r, 'acknowledged_by'),
    acknowledgedAt: strOrNull(r, 'acknowledged_at'),
    actionTaken: strOrNull(r, 'action_taken'),
  };
}

function userOf(r: Row): UserRecord {
  return {
    id: str(r, 'id'),
    username: str(r, 'username'),
    displayName: str(r, 'display_name'),
    role: TrialRoleSchema.parse(str(r, 'role')),
    site: strOrNull(r, 'site'),
    passwordHash: str(r, 'password_hash'),
    active: num(r.active) === 1,
    createdAt: str(r, 'created_at'),
  };
}

function doseOf(r: Row): DoseRecord {
  return {
    id: str(r, 'id'),
    participantId: str(r, 'participant_id'),
    visit: str(r, 'visit'),
    kitCode: str(r, 'kit_code'),
    administeredOn: str(r, 'administered_on'),
    doseMg: numOrNull(r.dose_mg),
    bodyWeightKg: numOrNull(r.body_weight_kg),
    version: num(r.version),
    recordedBy: str(r, 'recorded_by'),
    recordedAt: str(r, 'recorded_at'),
  };
}

function dispositionOf(r: Row): DispositionRecord {
  return {
    id: str(r, 'id'),
    participantId: str(r, 'participant_id'),
    event: str(r, 'event') as DispositionRecord['event'],
    on: str(r, 'on_date'),
    version: num(r.version),
    recordedBy: str(r, 'recorded_by'),
    recordedAt: str(r, 'recorded_at'),
  };
}

function auditOf(r: Row): AuditEntry {
  return {
    seq: num(r.seq),
    at: str(r, 'at'),
    userId: str(r, 'user_id'),
    role: str(r, 'role'),
    action: str(r, 'action'),
    entity: str(r, 'entity'),
    entityId: strOrNull(r, 'entity_id'),
    reason: str(r, 'reason'),
    before: fromJson(str(r, 'before_json')),
    after: fromJson(str(r, 'after_json')),
    prevHash: str(r, 'prev_hash'),
    hash: str(r, 'hash'),
  };
}

interface Meta {
  protocol: TrialProtocol;
  plan: RandomizationPlan;
  info: TrialInfo;
  nextRandomization: number;
  minimisation: { counts: MarginalCounts; rng: number[] } | null;
  /** IANA time zone by site code (init's siteTimeZones); a site without one dates in UTC. */
  siteTimeZones: Readonly<Record<string, string>>;
}

/**
 * A birth date fits the consent it precedes: not after it, and an age at consent (completed years) of at most
 * MAX_AGE_YEARS, so that a year typed wrong (2062 for 1962, 1862) is refused rather than exported as DM AGE. Checked
 * when either changes: a birth date entered or corrected (`field` birthDate), and a consent date corrected under an
 * enrolment that holds a birth date (`field` consentedOn).
 */
function assertBirthDate(
  birthDate: string | null,
  consentedOn: string,
  what: string,
  field: 'birthDate' | 'consentedOn' = 'birthDate',
): void {
  if (birthDate === null) return;
  const age = ageInYears(birthDate, toDayNumber(consentedOn) ?? Number.NaN);
  if (birthDate > consentedOn || age === undefined || !(age <= MAX_AGE_YEARS)) {
    const held = field === 'birthDate' ? '' : "the participant's ";
    const ask = field === 'birthDate' ? 'is the year right?' : 'is the consent date right, or the birth date?';
    throw fail(
      'trial.invalid',
      `${what}: ${held}birthDate ${birthDate} gives an age at consent (${consentedOn}) ${birthDate > consentedOn ? 'below 0' : `of ${age}, above ${MAX_AGE_YEARS}`}: ${ask}`,
      field,
    );
  }
}

/**
 * How far a serious event's alert goes: 0 none (not serious), 1 `serious-adverse-event`, 2 `susar` (possibly related
 * or more, unexpected, and its onset not before the first infusion `firstDose`; none recorded: a SUSAR as entered).
 */
function alertRank(e: AdverseEventRecord | null, firstDose: string | null): number {
  if (e === null || !e.serious) return 0;
  const related = !['not-related', 'unlikely'].includes(e.relatedness);
  const beforeDosing = firstDose !== null && e.onsetOn < firstDose;
  return related && e.expectedness === 'unexpected' && !beforeDosing ? 2 : 1;
}

/**
 * An age at consent entered for one consent date (completed years) still fits a corrected consent date: some birth
 * date gives that age at both. A date moved by a year or more cannot keep the age entered for it (DM AGE would be
 * exported a year out), so the correction is refused naming `consentedOn`, as a birth date is re-checked
 * (assertBirthDate); the age is cleared in an enrolment correction first and entered again for the corrected date.
 */
function assertAgeAtConsent(age: number | null, enteredFor: string, consentedOn: string, what: string): void {
  const from = toDayNumber(enteredFor);
  const to = toDayNumber(consentedOn);
  if (age === null || from === undefined || to === undefined || from === to) return;
  // The birth dates giving `age` on `enteredFor` lie within (a + 1) x 366 days before it: tried one by one.
  for (let day = from - (age + 1) * 366; day <= from - age * 365; day++) {
    const birth = fromDayNumber(day);
    if (ageInYears(birth, from) === age && ageInYears(birth, to) === age) return;
  }
  throw fail(
    'trial.invalid',
    `${what}: the participant's ageAtConsent ${age} was entered for the consent on ${enteredFor} and cannot be the age on ${consentedOn}: is the consent date right? If it is, clear the age at consent in an enrolment correction, correct the consent date, then enter the age on it`,
    'consentedOn',
  );
}

/**
 * Site countries as given (SITE: ISO 3166-1 alpha-3), or refused naming the first wrong one: a code not in the form
 * of one (`UK`, `gbr`), or a site that is no site of the plan (a typo would leave the real site's COUNTRY empty).
 */
function checkSiteCountries(
  countries: Readonly<Record<string, string>>,
  siteCodes: readonly string[] | undefined,
): Record<string, string> {
  for (const [site, country] of Object.entries(countries)) {
    if (!CountryCodeSchema.safeParse(country).success) {
      throw fail(
        'trial.invalid',
        `site countries: ${site} has ${JSON.stringify(country)}, not an ISO 3166-1 alpha-3 code in capitals (e.g. GBR)`,
      );
    }
    if (siteCodes !== undefined && !siteCodes.includes(site)) {
      throw fail('trial.invalid', `site countries: ${site} is not a site of the plan (${siteCodes.join(', ')})`);
    }
  }
  return { ...countries };
}

type Append = (draft: Pick<AuditDraft, 'action' | 'entity' | 'entityId' | 'before' | 'after'>) => Promise<void>;

/** `WHERE` clause and parameters for a site filter on a table with a `site` column (or via participants). */
function siteWhere(filter: SiteFilter | undefined, column = 'site'): { sql: string; params: SqlValue[] } {
  return filter?.site === undefined ? { sql: '1 = 1', params: [] } : { sql: `${column} = ?`, params: [filter.site] };
}

export class SqlTrialStore implements TrialStore {
  readonly dialect: 'sqlite' | 'postgres';
  private metaCache: Meta | null = null;

  constructor(
    private readonly db: Db,
    private readonly knowledge: StoreKnowledge,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.dialect = db.dialect;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** One write transaction with its audit appends; the audit head is locked first. */
  private write<T>(ctx: WriteContext, fn: (tx: Tx, append: Append, at: string) => Promise<T>): Promise<T> {
    if (typeof ctx.reason !== 'string' || ctx.reason.trim() === '') {
      return Promise.reject(fail('trial.reason.missing', 'every change needs a reason', 'reason'));
    }
    const role = TrialRoleSchema.safeParse(ctx.actor.role);
    if (!role.success || typeof ctx.actor.userId !== 'string' || ctx.actor.userId === '') {
      return Promise.reject(forbidden('write without a known user and role'));
    }
    return this.db.transaction('write', async (tx) => {
      const lock = this.dialect === 'postgres' ? ' FOR UPDATE' : '';
      const headRow = await tx.get<Row>(`SELECT seq, hash FROM audit_head WHERE id = 1${lock}`);
      let head: AuditHead = { seq: num(headRow?.seq ?? 0), hash: str(headRow ?? { hash: '' }, 'hash') };
      const at = this.now();
      const append: Append = async (d) => {
        const entry = chainEntry(
          head,
          { ...d, at, userId: ctx.actor.userId, role: ctx.actor.role, reason: ctx.reason.trim() },
          sha256Hex,
        );
        await tx.run(
          `INSERT INTO audit (seq, at, user_id, role, action, entity, entity_id, reason, before_json, after_json, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            entry.seq,
            entry.at,
            entry.userId,
            entry.role,
            entry.action,
            entry.entity,
            entry.entityId,
            entry.reason,
            json(entry.before),
            json(entry.after),
            entry.prevHash,
            entry.hash,
          ],
        );
        head = { seq: entry.seq, hash: entry.hash };
      };
      const result = await fn(tx, append, at);
      await tx.run('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1', [head.seq, head.hash]);
      return result;
    });
  }

  private read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction('read', fn);
  }

  private async meta(tx: Tx): Promise<Meta | null> {
    const r = await tx.get<Row>('SELECT * FROM trial_meta WHERE id = 1');
    if (r === undefined) return null;
    const protocol =
      this.metaCache?.info.initialisedAt === str(r, 'initialised_at')
        ? this.metaCache.protocol
        : TrialProtocolSchema.parse(fromJson(str(r, 'protocol_json')));
    const plan = RandomizationPlanSchema.parse(fromJson(str(r, 'plan_json')));
    const meta: Meta = {
      protocol,
      plan,
      info: {
        protocolId: str(r, 'protocol_id'),
        protocolVersion: str(r, 'protocol_version'),
        method: plan.method,
        arms: plan.arms.map((a) => a.id),
        factors: plan.factors.map((f) => ({ id: f.id, levels: f.levels })),
        initialisedAt: str(r, 'initialised_at'),
        lockedAt: strOrNull(r, 'locked_at'),
        siteCountries: fromJson<Record<string, string> | null>(strOrNull(r, 'site_countries_json')) ?? {},
      },
      nextRandomization: num(r.next_randomization),
      minimisation: fromJson(strOrNull(r, 'minimisation_json')),
      siteTimeZones: fromJson<Record<string, string> | null>(strOrNull(r, 'site_time_zones_json')) ?? {},
    };
    this.metaCache = meta;
    return meta;
  }

  /** The trial must exist and be open for data entry. */
  private async openMeta(tx: Tx): Promise<Meta> {
    const meta = await this.meta(tx);
    if (meta === null) throw conflict('the trial is not initialised (trd trial init)');
    if (meta.info.lockedAt !== null) throw conflict('the database is locked');
    return meta;
  }

  /**
   * The role may do this write (the matrix in src/trial/roles.ts, as the server checks it): the store refuses an
   * unblinded pharmacist's outcome form or an administrator's lab result whatever calls it.
   */
  private static assertMay(ctx: WriteContext, permission: Permission): void {
    if (!can(ctx.actor.role, permission)) throw forbidden('change this trial data');
  }

  /**
   * The baseline hs-CRP in mg/L, from the value and unit entered (src/trial/strata.ts baselineCrpMgPerL, the UCUM
   * conversion the pathway's CRP uses); null for none. A unit that does not convert is refused, as the strata need
   * mg/L. A value outside the pathway's plausible range once converted (a slip such as 3000 for 3.000) would be
   * stratified and exported as the analysis biomarker as if measured: refused, as the pathway does not use such a
   * CRP either, naming a unit of the form in which the value would be plausible: a mass unit only, as a slip (3000
   * for 3.000 mg/L) would be plausible in nmol/L too and is not a molar result.
   */
  private crpInMgPerL(crp: BaselineCrp | null, what: string): number | null {
    if (crp === null) return null;
    const converted = baselineCrpMgPerL(crp, this.knowledge.pathway);
    if (!converted.ok) throw fail('trial.invalid', `${what}: ${converted.reason}`);
    const range = this.knowledge.crpPlausible;
    const plausible = (mgPerL: number): boolean => mgPerL >= range.min && mgPerL <= range.max;
    if (plausible(converted.mgPerL)) return converted.mgPerL;
    const likely = CRP_UNITS.find((u) => {
      const molar = crpMolarFactor(this.knowledge.pathway, { value: crp.value, ucum: u }) !== undefined;
      const c =
        u === crp.unit || molar ? undefined : baselineCrpMgPerL({ value: crp.value, unit: u }, this.knowledge.pathway);
      return c?.ok === true && plausible(c.mgPerL);
    });
    throw fail(
      'trial.invalid',
      `${what}: baseline hs-CRP ${crp.value} ${crp.unit} is outside the plausible range ${range.min} to ${range.max} ${range.unit}${range.verified ? '' : ' (project limit, unverified)'}${likely === undefined ? ': check the value and its unit' : `: is it in ${likely}? Check the value and its unit`}`,
    );
  }

  /**
   * A safety lab value no patient has in the unit entered (ANC 1800 or platelets 150000 in 10*9/L: a count per
   * microlitre typed under 10^9/L) would be graded and ruled on as if measured, "continue" where the real count may
   * be a hold: refused, with the pathway's plausible range in the unit entered and a unit the value is plausible in.
   * A unit that does not convert to the range's is left to the grading, which does not guess it.
   */
  private assertPlausibleLab(input: LabInput, what: string): void {
    const range = this.knowledge.labPlausible[input.analyte];
    const unit = enzymeActivityUnit(input.unit);
    const inUnit = (value: number, to: string): number | null => {
      const c = convertQuantity({ value, ucum: range.unit }, to);
      return c.ok ? c.value : null;
    };
    const min = inUnit(range.min, unit);
    const max = inUnit(range.max, unit);
    if (min === null || max === null) return;
    const shown = (n: number): string => String(Number(n.toPrecision(6)));
    // The reference limits too: a ULN no laboratory reports (40000 typed for 40) would grade any ALT 0 and clear it.
    const checked: [number | null, string, string | undefined][] = [
      [input.value, '', undefined],
      [input.upperLimitOfNormal, 'ULN ', 'upperLimitOfNormal'],
      [input.lowerLimitOfNormal, 'LLN ', 'lowerLimitOfNormal'],
    ];
    for (const [value, label, field] of checked) {
      if (value === null || (value >= min && value <= max)) continue;
      const likely = LAB_UNITS.find((u) => {
        const lo = inUnit(range.min, u);
        const hi = inUnit(range.max, u);
        return u !== unit && lo !== null && hi !== null && value >= lo && value <= hi;
      });
      throw fail(
        'trial.invalid',
        `${what}: ${input.analyte} ${label}${shown(value)} ${input.unit} is outside the plausible range ${shown(min)} to ${shown(max)} ${input.unit}${range.verified ? '' : ' [U]'}${likely === undefined ? ': check the value and its unit' : `: is it in ${likely}? Check the value and its unit`}`,
        field,
      );
    }
  }

  /**
   * An infusion's body weight no adult has (700 typed for 70, a weight in pounds or grams) would set the mg/kg dose
   * check (src/trial/dose-check.ts) on the wrong weight, so an overdose would pass as within the dose: refused as a
   * safety lab outside its range is, with the pathway's range and a unit the value is plausible in.
   */
  private assertPlausibleWeight(kg: number | null, what: string): void {
    const range = this.knowledge.bodyWeightPlausible;
    const plausible = (value: number, from: string): boolean => {
      const c = convertQuantity({ value, ucum: from }, range.unit);
      return c.ok && c.value >= range.min && c.value <= range.max;
    };
    if (kg === null || plausible(kg, 'kg')) return;
    const likely = WEIGHT_UNITS.find((u) => plausible(kg, u.ucum))?.shown;
    throw fail(
      'trial.invalid',
      `${what}: body weight ${kg} kg is outside the plausible range ${range.min} to ${range.max} ${range.unit}${range.verified ? '' : ' [U]'}${likely === undefined ? ': check the value and its unit' : `: is it in ${likely}? Check the value and its unit`}`,
    );
  }

  /**
   * A new record at `site` (a screening entry): a site-bound role writes only its own site's (an account of such a
   * role with no site has all sites, as the server reads them: boundSite).
   */
  private static assertSite(ctx: WriteContext, site: string): void {
    const bound = boundSite(ctx.actor.role, ctx.actor.site);
    if (bound !== undefined && bound !== site) {
      throw forbidden("change another site's data");
    }
  }

  /**
   * A stored record of `site`, named by its id: to a site-bound role, another site's is as one that does not exist
   * (`no such <what>`, the same words), so that the answer never tells that the id is in the trial.
   */
  private static assertSiteRecord(ctx: WriteContext, site: string, what: string): void {
    const bound = boundSite(ctx.actor.role, ctx.actor.site);
    if (bound !== undefined && bound !== site) throw notFound(what);
  }

  /** The participant, of the caller's site; `what` names the record the id came from, for "no such ...". */
  private async participantFor(
    tx: Tx,
    ctx: WriteContext,
    participantId: string,
    lock = false,
    what = 'participant',
  ): Promise<Participant> {
    const suffix = lock && this.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const row = await tx.get<Row>(`SELECT * FROM participants WHERE id = ?${suffix}`, [participantId]);
    if (row === undefined) throw notFound(what);
    const p = participantOf(row);
    SqlTrialStore.assertSiteRecord(ctx, p.site, what);
    return p;
  }

  /**
   * A visit after the dosing visit (a follow-up) happens after the infusion, so after the randomization: refused for
   * a participant not yet randomized, dated before the randomization (the site's date, `randomizedOn`; while no
   * infusion is recorded this is the only date it can be checked against; the refusal names both dates), and dated
   * before the recorded infusion (it would be exported as that visit with a negative study day).
   */
  private async assertAfterDosing(
    tx: Tx,
    protocol: TrialProtocol,
    p: Participant,
    visitId: string,
    date: string,
    what: string,
    field: 'completedOn' | 'collectedOn',
  ): Promise<void> {
    const dosingDay = protocol.visits?.find((v) => v.dosing)?.day;
    const visit = protocol.visits?.find((v) => v.id === visitId);
    if (dosingDay === undefined || visit === undefined || visit.day <= dosingDay) return;
    if (p.randomizationNumber === null) throw conflict(`${what}: a follow-up visit before randomization`);
    const allocation = await tx.get<Row>('SELECT * FROM allocations WHERE participant_id = ?', [p.id]);
    const randomizedOn = allocation === undefined ? null : allocationOf(allocation).randomizedOn;
    if (randomizedOn !== null && date < randomizedOn) {
      throw fail(
        'trial.invalid',
        `${what}: ${field} (${date}) is before the participant's randomization (${randomizedOn}); the ${visit.id} visit follows the randomization`,
        field,
      );
    }
    const dose = await tx.get<Row>(
      'SELECT administered_on FROM doses WHERE participant_id = ? ORDER BY administered_on LIMIT 1',
      [p.id],
    );
    if (dose !== undefined && date < str(dose, 'administered_on')) {
      throw fail('trial.invalid', `${what}: a follow-up visit dated before the infusion`);
    }
  }

  /**
   * A visit before the dosing visit in the protocol's schedule (screening, baseline) is before the dose by
   * definition: a form or lab result of it dated after the recorded infusion is a date typed wrong or a record entered
   * at the wrong visit. A score taken on the drug would be no baseline (the analysis CSV leaves such a form, stored
   * before this rule, out of the baseline), nor would a result drawn on it be (the ALT/AST baseline, the
   * do-not-initiate thresholds and the pre-dose clearance read pre-treatment results only). The refusal names both
   * dates.
   */
  private async assertBeforeDosing(
    tx: Tx,
    protocol: TrialProtocol,
    p: Participant,
    visitId: string,
    date: string,
    what: string,
    field: 'completedOn' | 'collectedOn' = 'completedOn',
  ): Promise<void> {
    const dosingDay = protocol.visits?.find((v) => v.dosing)?.day;
    const visit = protocol.visits?.find((v) => v.id === visitId);
    if (dosingDay === undefined || visit === undefined || visit.day >= dosingDay) return;
    const dose = await tx.get<Row>(
      'SELECT administered_on FROM doses WHERE participant_id = ? ORDER BY administered_on LIMIT 1',
      [p.id],
    );
    if (dose === undefined) return;
    const administeredOn = str(dose, 'administered_on');
    if (date > administeredOn) {
      throw fail(
        'trial.invalid',
        `${what}: ${field} (${date}) is after the participant's infusion (${administeredOn}); the ${visit.id} visit is before the dose`,
        field,
      );
    }
  }

  /**
   * No data is collected after a participant withdrew consent or died: a form, lab result or infusion dated after
   * that disposition is refused (one dated on or before it, entered late, is kept).
   */
  private async assertBeforeExit(tx: Tx, p: Participant, date: string, what: string): Promise<void> {
    const exit = await tx.get<Row>(
      "SELECT on_date FROM dispositions WHERE participant_id = ? AND event IN ('withdrew-consent', 'death')",
      [p.id],
    );
    if (exit !== undefined && date > str(exit, 'on_date')) {
      throw conflict(`${what}: dated after the participant withdrew consent or died`);
    }
  }

  /** The participant's consent date (the screening entry's consent, which enrolment required). */
  private async consentedOn(tx: Tx, p: Participant): Promise<string | null> {
    const row = await tx.get<Row>('SELECT consented_on FROM consents WHERE screening_id = ?', [p.screeningId]);
    return row === undefined ? null : str(row, 'consented_on');
  }

  /**
   * Adverse events are collected from consent: an event that began before it is the participant's medical history
   * (a worsening after consent is an adverse event, dated when it worsened). Refused, so that the history is not
   * counted, exported and alerted on as something that happened in the trial.
   */
  private async assertAfterConsent(tx: Tx, p: Participant, onsetOn: string, what: string): Promise<void> {
    const consentedOn = await this.consentedOn(tx, p);
    if (consentedOn !== null && onsetOn < consentedOn) {
      throw fail(
        'trial.invalid',
        `${what}: onsetOn is before the participant's consent (${consentedOn}); an event that began before consent is medical history (record a worsening after consent with the date it worsened)`,
      );
    }
  }

  // ---- Set-up

  async init(ctx: WriteContext, input: InitTrialInput): Promise<TrialInfo> {
    if (ctx.actor.role !== 'administrator') throw forbidden('initialise the trial');
    const protocol = TrialProtocolSchema.parse(input.protocol);
    const plan = parse(RandomizationPlanSchema, input.plan, 'randomization plan');
    if (protocol.arms === undefined || protocol.safety === undefined) {
      throw fail('trial.invalid', `protocol ${protocol.id} has no arms or safety block: it cannot run a trial`);
    }
    const protocolArms = protocol.arms.map((a) => a.id).sort();
    if (json(plan.arms.map((a) => a.id).sort()) !== json(protocolArms)) {
      throw fail('trial.invalid', `the plan's arms must be the protocol's (${protocolArms.join(', ')})`);
    }
    // The factors are the protocol's too (the site's levels are the trial's site codes): enrolment derives each level
    // from the protocol's factor, so a plan without one, with another, or with other hs-CRP levels would refuse every
    // enrolment or take a level on the caller's word.
    const stratification = protocol.stratification ?? [];
    const sameFactors =
      stratification.length === plan.factors.length &&
      stratification.every((f) => {
        const planned = plan.factors.find((p) => p.id === f.id);
        const levels = (ids: readonly string[]) => json([...ids].sort());
        return (
          planned !== undefined && (f.source === 'site' || levels(planned.levels) === levels(f.levels.map((l) => l.id)))
        );
      });
    if (!sameFactors) {
      const wanted = stratification.map((f) =>
        f.source === 'site' ? `${f.id} (site codes)` : `${f.id} (${f.levels.map((l) => l.id).join(', ')})`,
      );
      throw fail(
        'trial.invalid',
        `the plan's stratification factors must be the protocol's: ${wanted.length === 0 ? 'none' : wanted.join(', ')}`,
      );
    }
    this.knowledge.ctcae(protocol.safety.ctcaeVersion);
    const problems = conductProblems(protocol, this.knowledge.instruments);
    if (problems.length > 0) throw fail('trial.invalid', `protocol ${protocol.id}: ${problems.join('; ')}`);
    const siteTimeZones = { ...(input.siteTimeZones ?? {}) };
    const unknownZone = Object.entries(siteTimeZones).find(([site, zone]) => site.trim() === '' || !isTimeZone(zone));
    if (unknownZone !== undefined) {
      throw fail(
        'trial.invalid',
        `site time zones: ${unknownZone[0]} has no known IANA time zone (e.g. Europe/London)`,
      );
    }
    // A zone given to a code that is no site of the plan (a typo, `a` for `A`) would leave the real site dated in UTC.
    const siteCodes = planSites(protocol, plan.factors);
    const unknownSite = Object.keys(siteTimeZones).find((site) => siteCodes !== undefined && !siteCodes.includes(site));
    if (unknownSite !== undefined) {
      throw fail(
        'trial.invalid',
        `site time zones: ${unknownSite} is not a site of the plan (${(siteCodes ?? []).join(', ')})`,
      );
    }
    const siteCountries = checkSiteCountries(input.siteCountries ?? {}, siteCodes);
    return this.write(ctx, async (tx, append, at) => {
      if ((await tx.get<Row>('SELECT id FROM trial_meta WHERE id = 1')) !== undefined) {
        throw conflict('the trial is already initialised');
      }
      const minimisation =
        plan.method === 'minimisation'
          ? { counts: emptyCounts(plan), rng: [...streamFor(plan.seed, 0).state()] }
          : null;
      await tx.run(
        `INSERT INTO trial_meta (id, protocol_id, protocol_version, protocol_json, plan_json, initialised_at, locked_at, next_randomization, minimisation_json, site_time_zones_json, site_countries_json)
         VALUES (1, ?, ?, ?, ?, ?, NULL, 1, ?, ?, ?)`,
        [
          protocol.id,
          protocol.version,
          json(protocol),
          json(plan),
          at,
          minimisation === null ? null : json(minimisation),
          json(siteTimeZones),
          json(siteCountries),
        ],
      );
      await append({
        action: 'init',
        entity: 'trial',
        entityId: protocol.id,
        before: null,
        after: { protocolId: protocol.id, protocolVersion: protocol.version, plan, siteTimeZones, siteCountries },
      });
      if (plan.method === 'permuted-blocks') {
        const rows = allocationTable(plan);
        for (const row of rows) {
          await tx.run(
            'INSERT INTO allocation_list (stratum, sequence, block, block_size, arm, participant_id) VALUES (?, ?, ?, ?, ?, NULL)',
            [row.stratum, row.sequence, row.block, row.blockSize, row.arm],
          );
        }
        await append({
          action: 'generate',
          entity: 'allocation-list',
          entityId: null,
          before: null,
          after: { rows: rows.length, sha256: sha256Hex(json(rows)) },
        });
      }
      const meta = await this.meta(tx);
      return (meta as Meta).info;
    });
  }

  async trial(): Promise<TrialInfo | null> {
    return this.read(async (tx) => (await this.meta(tx))?.info ?? null);
  }

  async setSiteCountries(ctx: WriteContext, countries: Readonly<Record<string, string>>): Promise<TrialInfo> {
    if (ctx.actor.role !== 'administrator') throw forbidden("set the sites' countries");
    return this.write(ctx, async (tx, append) => {
      const meta = await this.openMeta(tx);
      const given = checkSiteCountries(countries, planSites(meta.protocol, meta.plan.factors));
      if (Object.keys(given).length === 0)
        throw fail('trial.invalid', "site countries: give at least one site's country");
      const before = meta.info.siteCountries;
      const after = { ...before, ...given };
      if (json(after) === json(before)) throw fail('trial.invalid', 'site countries: nothing changes');
      await tx.run('UPDATE trial_meta SET site_countries_json = ? WHERE id = 1', [json(after)]);
      await append({
        action: 'correct',
        entity: 'trial',
        entityId: meta.info.protocolId,
        before: { siteCountries: before },
        after: { siteCountries: after },
      });
      return { ...meta.info, siteCountries: after };
    });
  }

  async lock(ctx: WriteContext): Promise<TrialInfo> {
    if (ctx.actor.role !== 'administrator') throw forbidden('lock the database');
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      await tx.run('UPDATE trial_meta SET locked_at = ? WHERE id = 1', [at]);
      await append({
        action: 'lock',
        entity: 'trial',
        entityId: meta.info.protocolId,
        before: { lockedAt: null },
        after: { lockedAt: at },
      });
      return { ...meta.info, lockedAt: at };
    });
  }

  async extendAllocationList(ctx: WriteContext, perStratum: number): Promise<readonly AllocationCapacity[]> {
    SqlTrialStore.assertMay(ctx, 'allocation-list.extend');
    if (!Number.isSafeInteger(perStratum) || perStratum < 1) {
      throw fail('trial.invalid', 'perStratum: a whole number of slots per stratum, at least 1');
    }
    return this.write(ctx, async (tx, append) => {
      const meta = await this.openMeta(tx);
      const plan = meta.plan;
      if (plan.method !== 'permuted-blocks') throw conflict('a minimisation trial has no allocation list to extend');
      if (perStratum <= plan.perStratum) {
        throw conflict(`the lists already hold at least ${plan.perStratum} slots per stratum: give a larger number`);
      }
      const extended = { ...plan, perStratum };
      const drawn = await tx.all<Row>('SELECT stratum, sequence, block, block_size, arm FROM allocation_list');
      const have = new Map(drawn.map((r) => [`${str(r, 'stratum')}#${num(r.sequence)}`, r]));
      const added: AllocationRow[] = [];
      for (const row of allocationTable(extended)) {
        const old = have.get(`${row.stratum}#${row.sequence}`);
        if (old === undefined) {
          added.push(row);
        } else if (
          str(old, 'arm') !== row.arm ||
          num(old.block) !== row.block ||
          num(old.block_size) !== row.blockSize
        ) {
          // Not the seed's list: extending it from the seed would join two different lists.
          throw conflict('the stored allocation list is not the one its plan draws; it cannot be extended');
        }
      }
      for (const row of added) {
        await tx.run(
          'INSERT INTO allocation_list (stratum, sequence, block, block_size, arm, participant_id) VALUES (?, ?, ?, ?, ?, NULL)',
          [row.stratum, row.sequence, row.block, row.blockSize, row.arm],
        );
      }
      await tx.run('UPDATE trial_meta SET plan_json = ? WHERE id = 1', [json(extended)]);
      await append({
        action: 'extend',
        entity: 'allocation-list',
        entityId: null,
        before: { perStratum: plan.perStratum, rows: drawn.length },
        after: { perStratum, rows: drawn.length + added.length, sha256: sha256Hex(json(added)) },
      });
      return SqlTrialStore.capacity(tx);
    });
  }

  async allocationCapacity(): Promise<readonly AllocationCapacity[]> {
    return this.read((tx) => SqlTrialStore.capacity(tx));
  }

  private static async capacity(tx: Tx): Promise<AllocationCapacity[]> {
    const rows = await tx.all<Row>(
      'SELECT stratum, COUNT(*) AS slots, COUNT(participant_id) AS used FROM allocation_list GROUP BY stratum',
    );
    // Sorted here, not by SQL: PostgreSQL's collation would order `|` and letters differently from SQLite.
    return rows
      .map((r) => ({ stratum: str(r, 'stratum'), slots: num(r.slots), used: num(r.used) }))
      .sort((a, b) => (a.stratum < b.stratum ? -1 : a.stratum > b.stratum ? 1 : 0));
  }

  // ---- Enrolment

  /** Refuses a criteria list that is not each of the protocol's criteria exactly once. */
  private static assertAllCriteria(protocol: TrialProtocol, criteria: readonly { id: string }[], what: string): void {
    const ids = new Set(protocol.criteria.map((c) => c.id));
    const given = criteria.map((c) => c.id);
    if (given.length !== ids.size || given.some((id) => !ids.has(id)) || new Set(given).size !== given.length) {
      throw fail('trial.invalid', `${what}: give each of the protocol's ${ids.size} criteria exactly once`);
    }
  }

  async addScreening(ctx: WriteContext, raw: unknown): Promise<ScreeningEntry> {
    SqlTrialStore.assertMay(ctx, 'screening.write');
    const input = parse(ScreeningInputSchema, raw, 'screening');
    SqlTrialStore.assertSite(ctx, input.site);
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      // An entry at a site the trial does not have (a typo by an account of every site) could never be enrolled (its
      // stratum has no list) and no site's staff would see it.
      const sites = planSites(meta.protocol, meta.plan.factors);
      if (sites !== undefined && !sites.includes(input.site)) {
        throw fail(
          'trial.invalid',
          `screening: site ${input.site} is not a site of the trial (${sites.join(', ')})`,
          'site',
        );
      }
      notAfterToday(input.screenedOn, at, 'screening', 'screenedOn');
      SqlTrialStore.assertAllCriteria(meta.protocol, input.criteria, 'screening');
      const { verdict, failed } = screeningVerdict(input.criteria);
      const entry: ScreeningEntry = {
        ...input,
        id: randomUUID(),
        verdict,
        failed,
        version: 1,
        recordedBy: ctx.actor.userId,
        recordedAt: at,
      };
      const exists = await tx.get<Row>('SELECT id FROM screening WHERE site = ? AND screening_code = ?', [
        input.site,
        input.screeningCode,
      ]);
      if (exists !== undefined) throw conflict('this screening code is already in the log for the site');
      await tx.run(
        `INSERT INTO screening (id, site, screening_code, screened_on, criteria_json, verdict, failed_json, recorded_by, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          entry.id,
          entry.site,
          entry.screeningCode,
          entry.screenedOn,
          json(entry.criteria),
          verdict,
          json(failed),
          entry.recordedBy,
          at,
        ],
      );
      await append({ action: 'create', entity: 'screening', entityId: entry.id, before: null, after: entry });
      return entry;
    });
  }

  async listScreening(filter?: SiteFilter): Promise<ScreeningEntry[]> {
    const w = siteWhere(filter);
    return this.read(async (tx) =>
      (await tx.all<Row>(`SELECT * FROM screening WHERE ${w.sql} ORDER BY recorded_at, id`, w.params)).map(screeningOf),
    );
  }

  async recordConsent(ctx: WriteContext, raw: unknown): Promise<ConsentRecord> {
    SqlTrialStore.assertMay(ctx, 'consent.write');
    const input = parse(ConsentInputSchema, raw, 'consent');
    return this.write(ctx, async (tx, append, at) => {
      await this.openMeta(tx);
      notAfterToday(input.consentedOn, at, 'consent', 'consentedOn');
      const s = await tx.get<Row>('SELECT * FROM screening WHERE id = ?', [input.screeningId]);
      if (s === undefined) throw notFound('screening entry');
      SqlTrialStore.assertSiteRecord(ctx, str(s, 'site'), 'screening entry');
      if ((await tx.get<Row>('SELECT id FROM consents WHERE screening_id = ?', [input.screeningId])) !== undefined) {
        throw conflict('consent is already recorded for this screening entry');
      }
      const record: ConsentRecord = {
        ...input,
        id: randomUUID(),
        version: 1,
        takenBy: ctx.actor.userId,
        recordedAt: at,
      };
      await tx.run(
        'INSERT INTO consents (id, screening_id, consented_on, form_version, taken_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
        [record.id, record.screeningId, record.consentedOn, record.formVersion, record.takenBy, at],
      );
      await append({ action: 'create', entity: 'consent', entityId: record.id, before: null, after: record });
      return record;
    });
  }

  async correctScreening(
    ctx: WriteContext,
    screeningId: string,
    raw: unknown,
    expectedVersion?: number,
  ): Promise<ScreeningEntry> {
    SqlTrialStore.assertMay(ctx, 'screening.write');
    const changes = parse(ScreeningCorrectionSchema, raw, 'screening correction');
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      const row = await tx.get<Row>(
        `SELECT * FROM screening WHERE id = ?${this.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
        [screeningId],
      );
      if (row === undefined) throw notFound('screening entry');
      const before = screeningOf(row);
      SqlTrialStore.assertSiteRecord(ctx, before.site, 'screening entry');
      assertVersion('screening entry', expectedVersion, before.version);
      const merged = { ...before, ...changes };
      SqlTrialStore.assertAllCriteria(meta.protocol, merged.criteria, 'screening correction');
      notAfterToday(merged.screenedOn, at, 'screening correction', 'screenedOn');
      const changed: ScreeningEntry = { ...merged, ...screeningVerdict(merged.criteria) };
      if (json(changed) === json(before)) throw fail('trial.invalid', 'screening correction: nothing changes');
      const after: ScreeningEntry = { ...changed, version: before.version + 1 };
      if (after.screeningCode !== before.screeningCode) {
        const taken = await tx.get<Row>('SELECT id FROM screening WHERE site = ? AND screening_code = ? AND id <> ?', [
          before.site,
          after.screeningCode,
          before.id,
        ]);
        if (taken !== undefined) throw conflict('this screening code is already in the log for the site');
      }
      if (after.verdict !== 'eligible') {
        const enrolled = await tx.get<Row>('SELECT id FROM participants WHERE screening_id = ?', [before.id]);
        if (enrolled !== undefined) {
          throw conflict(
            'screening correction: a participant is enrolled on this entry; an eligibility error is a protocol deviation to report, and the enrolment stands',
          );
        }
      }
      await tx.run(
        'UPDATE screening SET screening_code = ?, screened_on = ?, criteria_json = ?, verdict = ?, failed_json = ?, version = ? WHERE id = ?',
        [
          after.screeningCode,
          after.screenedOn,
          json(after.criteria),
          after.verdict,
          json(after.failed),
          after.version,
          before.id,
        ],
      );
      await append({ action: 'correct', entity: 'screening', entityId: before.id, before, after });
      return after;
    });
  }

  /** A consent and the participant enrolled on it (if any), in the writer's site. */
  private async consentFor(
    tx: Tx,
    ctx: WriteContext,
    consentId: string,
  ): Promise<{
    before: ConsentRecord;
    enrolledOn: string | null;
    birthDate: string | null;
    ageAtConsent: number | null;
  }> {
    const row = await tx.get<Row>(
      `SELECT * FROM consents WHERE id = ?${this.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
      [consentId],
    );
    if (row === undefined) throw notFound('consent');
    const before = consentOf(row);
    const s = await tx.get<Row>('SELECT site FROM screening WHERE id = ?', [before.screeningId]);
    SqlTrialStore.assertSiteRecord(ctx, s === undefined ? '' : str(s, 'site'), 'consent');
    const p = await tx.get<Row>(
      'SELECT enrolled_on, birth_date, age_at_consent FROM participants WHERE screening_id = ?',
      [before.screeningId],
    );
    return p === undefined
      ? { before, enrolledOn: null, birthDate: null, ageAtConsent: null }
      : {
          before,
          enrolledOn: str(p, 'enrolled_on'),
          birthDate: strOrNull(p, 'birth_date'),
          ageAtConsent: numOrNull(p.age_at_consent),
        };
  }

  async correctConsent(
    ctx: WriteContext,
    consentId: string,
    raw: unknown,
    expectedVersion?: number,
  ): Promise<ConsentRecord> {
    SqlTrialStore.assertMay(ctx, 'consent.write');
    const changes = parse(ConsentCorrectionSchema, raw, 'consent correction');
    return this.write(ctx, async (tx, append, at) => {
      await this.openMeta(tx);
      const { before, enrolledOn, birthDate, ageAtConsent } = await this.consentFor(tx, ctx, consentId);
      assertVersion('consent', expectedVersion, before.version);
      const changed: ConsentRecord = { ...before, ...changes };
      if (json(changed) === json(before)) throw fail('trial.invalid', 'consent correction: nothing changes');
      const after: ConsentRecord = { ...changed, version: before.version + 1 };
      notAfterToday(after.consentedOn, at, 'consent correction', 'consentedOn');
      if (enrolledOn !== null && after.consentedOn > enrolledOn) {
        throw fail('trial.invalid', 'consent correction: consentedOn is after the enrolment', 'consentedOn');
      }
      // The enrolment's birth date was checked against the consent date then; checked again against the new one.
      if (after.consentedOn !== before.consentedOn) {
        assertBirthDate(birthDate, after.consentedOn, 'consent correction', 'consentedOn');
        // So is an age at consent, entered where the birth date is not collected.
        assertAgeAtConsent(ageAtConsent, before.consentedOn, after.consentedOn, 'consent correction');
      }
      const earlierEvent = await tx.get<Row>(
        'SELECT COUNT(*) AS n FROM adverse_events a JOIN participants p ON p.id = a.participant_id WHERE p.screening_id = ? AND a.onset_on < ?',
        [before.screeningId, after.consentedOn],
      );
      if (Number(earlierEvent?.n ?? 0) > 0) {
        throw fail('trial.invalid', "consent correction: consentedOn is after an adverse event's onset", 'consentedOn');
      }
      await tx.run('UPDATE consents SET consented_on = ?, form_version = ?, version = ? WHERE id = ?', [
        after.consentedOn,
        after.formVersion,
        after.version,
        consentId,
      ]);
      await append({ action: 'correct', entity: 'consent', entityId: consentId, before, after });
      return after;
    });
  }

  async voidConsent(ctx: WriteContext, consentId: string, expectedVersion?: number): Promise<void> {
    SqlTrialStore.assertMay(ctx, 'consent.write');
    await this.write(ctx, async (tx, append) => {
      await this.openMeta(tx);
      const { before, enrolledOn } = await this.consentFor(tx, ctx, consentId);
      assertVersion('consent', expectedVersion, before.version);
      if (enrolledOn !== null) {
        throw conflict('consent: a participant is enrolled on it; correct its date or version instead');
      }
      await tx.run('DELETE FROM consents WHERE id = ?', [consentId]);
      await append({ action: 'void', entity: 'consent', entityId: consentId, before, after: null });
    });
  }

  async enrol(ctx: WriteContext, raw: unknown): Promise<Participant> {
    SqlTrialStore.assertMay(ctx, 'enrolment.write');
    const input = parse(EnrolInputSchema, raw, 'enrolment');
    const crp = enteredBaselineCrp(input) ?? null;
    const crpMgPerL = this.crpInMgPerL(crp, 'enrolment');
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      notAfterToday(input.enrolledOn, at, 'enrolment', 'enrolledOn');
      const s = await tx.get<Row>('SELECT * FROM screening WHERE id = ?', [input.screeningId]);
      if (s === undefined) throw notFound('screening entry');
      const site = str(s, 'site');
      SqlTrialStore.assertSiteRecord(ctx, site, 'screening entry');
      if (str(s, 'verdict') !== 'eligible') throw conflict('only an eligible screening entry can be enrolled');
      const consent = await tx.get<Row>('SELECT consented_on FROM consents WHERE screening_id = ?', [
        input.screeningId,
      ]);
      if (consent === undefined) throw conflict('consent must be recorded before enrolment');
      if (input.enrolledOn < str(consent, 'consented_on')) {
        throw fail('trial.invalid', 'enrolment: enrolledOn is before the consent', 'enrolledOn');
      }
      assertBirthDate(input.birthDate ?? null, str(consent, 'consented_on'), 'enrolment');
      const problems = levelProblems(meta.plan.factors, input.strata);
      if (problems.length > 0) throw fail('trial.invalid', `enrolment: ${problems.join('; ')}`);
      // Levels are derived from the baseline hs-CRP and the site (src/trial/strata.ts), never taken on the caller's
      // word: a level contradicting the measured baseline would randomize from another stratum's list.
      const derived = participantLevels(meta.protocol, meta.plan.factors, {
        site,
        baselineCrpMgPerL: crpMgPerL,
        baselineCrpComparator: crp?.comparator ?? null,
      });
      if (!derived.ok) throw fail('trial.invalid', `enrolment: ${derived.reason}`);
      for (const [factor, level] of Object.entries(derived.levels)) {
        if (input.strata[factor] !== level) {
          throw fail(
            'trial.invalid',
            `enrolment: factor ${factor} is not the level of the baseline hs-CRP or screening site`,
          );
        }
      }
      if (
        // A participant code is unique within its site (each site numbers its own): another site's code is no
        // conflict, and refusing it would tell this site the code exists there.
        (await tx.get<Row>(
          'SELECT id FROM participants WHERE screening_id = ? OR (site = ? AND participant_code = ?)',
          [input.screeningId, site, input.participantCode],
        )) !== undefined
      ) {
        throw conflict('this screening entry or participant code is already enrolled at this site');
      }
      const p: Participant = {
        id: randomUUID(),
        participantCode: input.participantCode,
        screeningId: input.screeningId,
        site,
        strata: input.strata,
        baselineCrpMgPerL: crpMgPerL,
        baselineCrp: crp === null ? null : { ...crp, comparator: crp.comparator ?? null },
        enrolledOn: input.enrolledOn,
        sex: input.sex ?? null,
        birthDate: input.birthDate ?? null,
        ageAtConsent: input.ageAtConsent ?? null,
        status: 'enrolled',
        kitCode: null,
        randomizationNumber: null,
        emergencyUnblinded: false,
        version: 1,
      };
      await tx.run(
        `INSERT INTO participants (id, participant_code, screening_id, site, strata_json, stratum, baseline_crp, baseline_crp_value, baseline_crp_unit, baseline_crp_comparator, enrolled_on, sex, birth_date, age_at_consent, status, kit_code, randomization_number, emergency_unblinded)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'enrolled', NULL, NULL, 0)`,
        [
          p.id,
          p.participantCode,
          p.screeningId,
          site,
          json(p.strata),
          stratumKey(meta.plan.factors, p.strata),
          p.baselineCrpMgPerL,
          crp?.value ?? null,
          crp?.unit ?? null,
          crp?.comparator ?? null,
          p.enrolledOn,
          p.sex,
          p.birthDate,
          p.ageAtConsent,
        ],
      );
      await append({ action: 'create', entity: 'participant', entityId: p.id, before: null, after: p });
      return p;
    });
  }

  async correctEnrolment(
    ctx: WriteContext,
    participantId: string,
    raw: unknown,
    expectedVersion?: number,
  ): Promise<Participant> {
    SqlTrialStore.assertMay(ctx, 'enrolment.write');
    const {
      baselineCrp: crpGiven,
      baselineCrpMgPerL: mgPerLGiven,
      ...changes
    } = parse(EnrolmentCorrectionSchema, raw, 'enrolment correction');
    const crp = enteredBaselineCrp({ baselineCrp: crpGiven, baselineCrpMgPerL: mgPerLGiven });
    const crpChange =
      crp === undefined
        ? {}
        : {
            baselineCrp: crp === null ? null : { ...crp, comparator: crp.comparator ?? null },
            baselineCrpMgPerL: this.crpInMgPerL(crp, 'enrolment correction'),
          };
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      const before = await this.participantFor(tx, ctx, participantId, true);
      assertVersion('enrolment', expectedVersion, before.version);
      // A birth date given replaces an age at consent held, and the converse: one of the two is kept.
      const ageChange =
        changes.birthDate !== undefined && changes.birthDate !== null
          ? { ageAtConsent: null }
          : changes.ageAtConsent !== undefined && changes.ageAtConsent !== null
            ? { birthDate: null }
            : {};
      let after: Participant = { ...before, ...ageChange, ...changes, ...crpChange };
      if (after.birthDate !== before.birthDate && after.birthDate !== null) {
        const consent = await tx.get<Row>('SELECT consented_on FROM consents WHERE screening_id = ?', [
          before.screeningId,
        ]);
        if (consent !== undefined)
          assertBirthDate(after.birthDate, str(consent, 'consented_on'), 'enrolment correction');
      }
      if (after.enrolledOn !== before.enrolledOn) {
        notAfterToday(after.enrolledOn, at, 'enrolment correction', 'enrolledOn');
        const consent = await tx.get<Row>('SELECT consented_on FROM consents WHERE screening_id = ?', [
          before.screeningId,
        ]);
        if (consent !== undefined && after.enrolledOn < str(consent, 'consented_on')) {
          throw fail('trial.invalid', 'enrolment correction: enrolledOn is before the consent', 'enrolledOn');
        }
        // Randomization, the infusion and an exit are refused before enrolment: so is the converse.
        const later = await tx.get<Row>(
          'SELECT (SELECT COUNT(*) FROM allocations WHERE participant_id = ? AND randomized_on < ?) + (SELECT COUNT(*) FROM doses WHERE participant_id = ? AND administered_on < ?) + (SELECT COUNT(*) FROM dispositions WHERE participant_id = ? AND on_date < ?) AS n',
          [before.id, after.enrolledOn, before.id, after.enrolledOn, before.id, after.enrolledOn],
        );
        if (Number(later?.n ?? 0) > 0) {
          throw fail(
            'trial.invalid',
            'enrolment correction: enrolledOn is after the randomization, the infusion or the exit',
          );
        }
      }
      if (after.participantCode !== before.participantCode) {
        const taken = await tx.get<Row>(
          'SELECT id FROM participants WHERE site = ? AND participant_code = ? AND id <> ?',
          [before.site, after.participantCode, before.id],
        );
        if (taken !== undefined) {
          throw conflict('enrolment correction: the participant code is taken at this site');
        }
      }
      // Before randomization the strata are the corrected baseline's; after it, the ones randomized in.
      if (before.randomizationNumber === null && json(after.baselineCrp) !== json(before.baselineCrp)) {
        const derived = participantLevels(meta.protocol, meta.plan.factors, {
          site: before.site,
          baselineCrpMgPerL: after.baselineCrpMgPerL,
          baselineCrpComparator: after.baselineCrp?.comparator ?? null,
        });
        if (!derived.ok) throw fail('trial.invalid', `enrolment correction: ${derived.reason}`);
        after = { ...after, strata: { ...before.strata, ...derived.levels } };
      }
      if (json(after) === json(before)) throw fail('trial.invalid', 'enrolment correction: nothing changes');
      after = { ...after, version: before.version + 1 };
      await tx.run(
        'UPDATE participants SET participant_code = ?, enrolled_on = ?, sex = ?, birth_date = ?, age_at_consent = ?, baseline_crp = ?, baseline_crp_value = ?, baseline_crp_unit = ?, baseline_crp_comparator = ?, strata_json = ?, stratum = ?, version = ? WHERE id = ?',
        [
          after.participantCode,
          after.enrolledOn,
          after.sex,
          after.birthDate,
          after.ageAtConsent,
          after.baselineCrpMgPerL,
          after.baselineCrp?.value ?? null,
          after.baselineCrp?.unit ?? null,
          after.baselineCrp?.comparator ?? null,
          json(after.strata),
          stratumKey(meta.plan.factors, after.strata),
          after.version,
          before.id,
        ],
      );
      await append({ action: 'correct', entity: 'participant', entityId: before.id, before, after });
      return after;
    });
  }

  async getParticipant(id: string): Promise<Participant | null> {
    return this.read(async (tx) => {
      const r = await tx.get<Row>('SELECT * FROM participants WHERE id = ?', [id]);
      return r === undefined ? null : participantOf(r);
    });
  }

  async listParticipants(filter?: SiteFilter): Promise<Participant[]> {
    const w = siteWhere(filter);
    return this.read(async (tx) =>
      (
        await tx.all<Row>(`SELECT * FROM participants WHERE ${w.sql} ORDER BY enrolled_on, participant_code`, w.params)
      ).map(participantOf),
    );
  }

  /**
   * The rules of an exit, for a first entry and a corrected one: not after today, not before enrolment, and, for a
   * withdrawal of consent or a death, no form, lab result or infusion of the participant dated after it (the rule
   * assertBeforeExit keeps for new data; such records are corrected first).
   */
  private async assertExitFits(
    tx: Tx,
    p: Participant,
    exit: DispositionInput,
    at: string,
    what: string,
  ): Promise<void> {
    notAfterToday(exit.on, at, what, 'on');
    if (exit.on < p.enrolledOn) throw fail('trial.invalid', `${what}: on is before enrolment`, 'on');
    if (exit.event !== 'withdrew-consent' && exit.event !== 'death') return;
    const later = await tx.get<Row>(
      `SELECT (SELECT COUNT(*) FROM forms WHERE participant_id = ? AND completed_on > ?) + (SELECT COUNT(*) FROM labs WHERE participant_id = ? AND collected_on > ?) + (SELECT COUNT(*) FROM doses WHERE participant_id = ? AND administered_on > ?) AS n`,
      [p.id, exit.on, p.id, exit.on, p.id, exit.on],
    );
    const n = Number(later?.n ?? 0);
    if (n > 0) {
      throw conflict(
        `${what}: ${n} record${n === 1 ? ' is' : 's are'} dated after the withdrawal of consent or death: correct ${n === 1 ? 'it' : 'them'} first`,
      );
    }
  }

  /** One exit per participant. */
  private static assertNoExit(p: Participant): void {
    if (p.status === 'completed' || p.status === 'discontinued')
      throw conflict('the participant already has a final disposition');
  }

  /** A participant's status before any exit: randomized once allocated, enrolled before. */
  private static statusWithoutExit(p: Participant): Participant['status'] {
    return p.randomizationNumber === null ? 'enrolled' : 'randomized';
  }

  private static statusAfterExit(event: DispositionInput['event']): Participant['status'] {
    return event === 'completed' ? 'completed' : 'discontinued';
  }

  /** Sets a participant's status with its audit entry (nothing when it does not change). */
  private async setStatus(tx: Tx, append: Append, p: Participant, status: Participant['status']): Promise<void> {
    if (p.status === status) return;
    await tx.run('UPDATE participants SET status = ? WHERE id = ?', [status, p.id]);
    await append({
      action: 'update',
      entity: 'participant',
      entityId: p.id,
      before: { status: p.status },
      after: { status },
    });
  }

  async recordDisposition(ctx: WriteContext, raw: unknown): Promise<DispositionRecord> {
    SqlTrialStore.assertMay(ctx, 'enrolment.write');
    const input = parse(DispositionInputSchema, raw, 'disposition');
    return this.write(ctx, async (tx, append, at) => {
      await this.openMeta(tx);
      const p = await this.participantFor(tx, ctx, input.participantId, true);
      SqlTrialStore.assertNoExit(p);
      await this.assertExitFits(tx, p, input, at, 'disposition');
      const record: DispositionRecord = {
        ...input,
        id: randomUUID(),
        version: 1,
        recordedBy: ctx.actor.userId,
        recordedAt: at,
      };
      await tx.run(
        'INSERT INTO dispositions (id, participant_id, event, on_date, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
        [record.id, record.participantId, record.event, record.on, record.recordedBy, at],
      );
      await append({ action: 'create', entity: 'disposition', entityId: record.id, before: null, after: record });
      await this.setStatus(tx, append, p, SqlTrialStore.statusAfterExit(input.event));
      return record;
    });
  }

  /** The disposition row, locked for the write (PostgreSQL), and its participant in the actor's site. */
  private async dispositionFor(
    tx: Tx,
    ctx: WriteContext,
    dispositionId: string,
  ): Promise<{ before: DispositionRecord; p: Participant }> {
    const row = await tx.get<Row>(
      `SELECT * FROM dispositions WHERE id = ?${this.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
      [dispositionId],
    );
    if (row === undefined) throw notFound('disposition');
    const before = dispositionOf(row);
    return { before, p: await this.participantFor(tx, ctx, before.participantId, true, 'disposition') };
  }

  async correctDisposition(
    ctx: WriteContext,
    dispositionId: string,
    raw: unknown,
    expectedVersion?: number,
  ): Promise<DispositionRecord> {
    SqlTrialStore.assertMay(ctx, 'enrolment.write');
    const changes = parse(DispositionCorrectionSchema, raw, 'disposition correction');
    return this.write(ctx, async (tx, append, at) => {
      await this.openMeta(tx);
      const { before, p } = await this.dispositionFor(tx, ctx, dispositionId);
      assertVersion('disposition', expectedVersion, before.version);
      const changed: DispositionRecord = { ...before, ...changes };
      if (json(changed) === json(before)) throw fail('trial.invalid', 'disposition correction: nothing changes');
      const after: DispositionRecord = { ...changed, version: before.version + 1 };
      // Entered for the wrong participant: the exit moves to the right one (in the actor's site, without an exit of
      // its own), and the first is back to where it was before any exit.
      const moved = after.participantId !== before.participantId;
      const target = moved ? await this.participantFor(tx, ctx, after.participantId, true) : p;
      if (moved) SqlTrialStore.assertNoExit(target);
      await this.assertExitFits(tx, target, after, at, 'disposition correction');
      await tx.run('UPDATE dispositions SET participant_id = ?, event = ?, on_date = ?, version = ? WHERE id = ?', [
        after.participantId,
        after.event,
        after.on,
        after.version,
        dispositionId,
      ]);
      // The audit entry keeps the disposition as first entered.
      await append({ action: 'correct', entity: 'disposition', entityId: dispositionId, before, after });
      if (moved) await this.setStatus(tx, append, p, SqlTrialStore.statusWithoutExit(p));
      await this.setStatus(tx, append, target, SqlTrialStore.statusAfterExit(after.event));
      return after;
    });
  }

  async voidDisposition(ctx: WriteContext, dispositionId: string, expectedVersion?: number): Promise<Participant> {
    SqlTrialStore.assertMay(ctx, 'enrolment.write');
    return this.write(ctx, async (tx, append) => {
      await this.openMeta(tx);
      const { before, p } = await this.dispositionFor(tx, ctx, dispositionId);
      assertVersion('disposition', expectedVersion, before.version);
      await tx.run('DELETE FROM dispositions WHERE id = ?', [dispositionId]);
      await append({ action: 'void', entity: 'disposition', entityId: dispositionId, before, after: null });
      const status = SqlTrialStore.statusWithoutExit(p);
      await this.setStatus(tx, append, p, status);
      return { ...p, status };
    });
  }

  /** Rows of a table keyed by participant (t), filtered by the participant's site and optionally one participant. */
  private async rowsByParticipant(
    table: 'forms' | 'dispositions',
    order: string,
    filter?: SiteFilter & { participantId?: string },
  ): Promise<Row[]> {
    const w = siteWhere(filter, 'p.site');
    const byParticipant = filter?.participantId === undefined ? '' : ' AND t.participant_id = ?';
    const params = [...w.params, ...(filter?.participantId === undefined ? [] : [filter.participantId])];
    return this.read((tx) =>
      tx.all<Row>(
        `SELECT t.* FROM ${table} t JOIN participants p ON p.id = t.participant_id WHERE ${w.sql}${byParticipant} ORDER BY ${order}`,
        params,
      ),
    );
  }

  async listDispositions(filter?: SiteFilter & { participantId?: string }): Promise<DispositionRecord[]> {
    return (await this.rowsByParticipant('dispositions', 't.on_date, t.id', filter)).map(dispositionOf);
  }

  // ---- Randomization and kits

  async addKits(ctx: WriteContext, raw: unknown): Promise<number> {
    if (ctx.actor.role !== 'unblinded-pharmacist') throw forbidden('manage the kit list');
    if (!Array.isArray(raw) || raw.length === 0) throw fail('trial.invalid', 'kits: give a non-empty list');
    const kits = raw.map((k, i) => parse(KitInputSchema, k, `kits[${i}]`));
    // A code twice in the list was refused as "already in the kit list", sending the pharmacist to look for it there.
    const repeated = kits.findIndex((k, i) => kits.findIndex((o) => o.kitCode === k.kitCode) !== i);
    if (repeated >= 0)
      throw fail('trial.invalid', `kits[${repeated}]: the kit code repeats an earlier entry of this list`);
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      // A code naming an arm (its id or label, in any case: "PLACEBO-017") would tell every blinded reader of the
      // code (participant pages, the blinded exports' EX) the allocation.
      const terms = armTerms(meta.protocol.arms ?? []);
      for (const k of kits) {
        if (!meta.info.arms.includes(k.arm)) throw fail('trial.invalid', 'kits: an arm is not one of the trial arms');
        if (containsArmTerm(k.kitCode, terms)) {
          throw fail('trial.invalid', 'kits: a kit code names an arm; codes must reveal nothing (e.g. K0001)');
        }
        if ((await tx.get<Row>('SELECT kit_code FROM kits WHERE kit_code = ?', [k.kitCode])) !== undefined) {
          throw conflict('a kit code is already in the kit list');
        }
        await tx.run('INSERT INTO kits (kit_code, arm, participant_id, added_at) VALUES (?, ?, NULL, ?)', [
          k.kitCode,
          k.arm,
          at,
        ]);
      }
      await append({ action: 'create', entity: 'kit', entityId: null, before: null, after: { kits } });
      return kits.length;
    });
  }

  async kitStock(): Promise<{ total: number; byArm: Record<string, number> }> {
    return this.read(async (tx) => {
      const rows = await tx.all<Row>('SELECT arm, COUNT(*) AS n FROM kits WHERE participant_id IS NULL GROUP BY arm');
      const byArm = Object.fromEntries(rows.map((r) => [str(r, 'arm'), num(r.n)]));
      return { total: Object.values(byArm).reduce((s, n) => s + n, 0), byArm };
    });
  }

  async randomize(ctx: WriteContext, participantId: string): Promise<Allocation> {
    SqlTrialStore.assertMay(ctx, 'randomize');
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      const p = await this.participantFor(tx, ctx, participantId, true);
      if (p.randomizationNumber !== null) throw conflict('the participant is already randomized');
      if (p.status !== 'enrolled') throw conflict('only an enrolled participant can be randomized');
      // The site's day, not the UTC one: a site far from UTC randomizing near midnight lives another date.
      const randomizedOn = dateInTimeZone(at, meta.siteTimeZones[p.site] ?? 'UTC');
      // An enrolment may be dated up to a day ahead of UTC (for sites ahead of it): not randomized before that day.
      if (randomizedOn < p.enrolledOn) {
        throw fail(
          'trial.invalid',
          `randomization: the participant is enrolled on ${p.enrolledOn}, after today at the site (${randomizedOn}); randomize on that day or correct the enrolment date`,
        );
      }
      // Refused while any arm is out of kits, whatever this participant's arm: refusing only when the allocated arm
      // is out would tell a blinded coordinator that the stratum's next slot holds that arm (and, as other strata go
      // on, which participants hold the other).
      const stocked = await tx.get<Row>('SELECT COUNT(DISTINCT arm) AS n FROM kits WHERE participant_id IS NULL');
      if (num(stocked?.n ?? 0) < meta.info.arms.length) {
        throw conflict('an arm has no kit left: ask the pharmacist to add kits');
      }
      const stratum = stratumKey(meta.plan.factors, p.strata);
      let arm: string;
      let stratumSequence: number;
      let minimisationAfter: Meta['minimisation'] = null;
      if (meta.plan.method === 'permuted-blocks') {
        const slot = await tx.get<Row>(
          'SELECT sequence, arm FROM allocation_list WHERE stratum = ? AND participant_id IS NULL ORDER BY sequence LIMIT 1',
          [stratum],
        );
        if (slot === undefined)
          throw conflict('the allocation list of this stratum is exhausted (the administrator can extend the lists)');
        arm = str(slot, 'arm');
        stratumSequence = num(slot.sequence);
        await tx.run('UPDATE allocation_list SET participant_id = ? WHERE stratum = ? AND sequence = ?', [
          p.id,
          stratum,
          stratumSequence,
        ]);
      } else {
        const state = meta.minimisation as NonNullable<Meta['minimisation']>;
        const source = streamFromState(state.rng);
        arm = minimise(meta.plan, state.counts, p.strata, source);
        countAllocation(state.counts, p.strata, arm);
        minimisationAfter = { counts: state.counts, rng: [...source.state()] };
        const inStratum = await tx.get<Row>('SELECT COUNT(*) AS n FROM allocations WHERE stratum = ?', [stratum]);
        stratumSequence = num(inStratum?.n ?? 0) + 1;
      }
      // Any free kit of the arm, drawn uniformly with a cryptographic generator: taking each arm's lowest free code
      // would let a blinded reader group participants by arm (a free kit below one just given is of another arm).
      const free = num(
        (await tx.get<Row>('SELECT COUNT(*) AS n FROM kits WHERE arm = ? AND participant_id IS NULL', [arm]))?.n ?? 0,
      );
      if (free === 0) throw new Error('the allocated arm has no free kit after the stock check');
      const kit = await tx.get<Row>(
        'SELECT kit_code FROM kits WHERE arm = ? AND participant_id IS NULL ORDER BY kit_code LIMIT 1 OFFSET ?',
        [arm, randomInt(free)],
      );
      if (kit === undefined) throw new Error('a counted free kit was not found');
      const kitCode = str(kit, 'kit_code');
      const number = meta.nextRandomization;
      const allocation: Allocation = {
        participantId: p.id,
        randomizationNumber: number,
        stratum,
        stratumSequence,
        arm,
        kitCode,
        randomizedAt: at,
        randomizedOn,
      };
      await tx.run('UPDATE kits SET participant_id = ? WHERE kit_code = ?', [p.id, kitCode]);
      await tx.run(
        'INSERT INTO allocations (participant_id, randomization_number, stratum, stratum_sequence, arm, kit_code, randomized_at, randomized_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [p.id, number, stratum, stratumSequence, arm, kitCode, at, randomizedOn],
      );
      await tx.run(
        "UPDATE participants SET status = 'randomized', kit_code = ?, randomization_number = ? WHERE id = ?",
        [kitCode, number, p.id],
      );
      await tx.run('UPDATE trial_meta SET next_randomization = ?, minimisation_json = ? WHERE id = 1', [
        number + 1,
        minimisationAfter === null ? null : json(minimisationAfter),
      ]);
      await append({ action: 'randomize', entity: 'allocation', entityId: p.id, before: null, after: allocation });
      await append({
        action: 'update',
        entity: 'participant',
        entityId: p.id,
        before: { status: p.status, kitCode: null, randomizationNumber: null },
        after: { status: 'randomized', kitCode, randomizationNumber: number },
      });
      return allocation;
    });
  }

  async getAllocation(participantId: string): Promise<Allocation | null> {
    return this.read(async (tx) => {
      const r = await tx.get<Row>('SELECT * FROM allocations WHERE participant_id = ?', [participantId]);
      return r === undefined ? null : allocationOf(r);
    });
  }

  async listAllocations(): Promise<Allocation[]> {
    return this.read(async (tx) =>
      (await tx.all<Row>('SELECT * FROM allocations ORDER BY randomization_number')).map(allocationOf),
    );
  }

  async emergencyUnblind(ctx: WriteContext, participantId: string): Promise<Allocation> {
    if (!EMERGENCY_UNBLINDING_ROLES.includes(ctx.actor.role)) throw forbidden('unblind a participant');
    return this.write(ctx, async (tx, append, at) => {
      const p = await this.participantFor(tx, ctx, participantId, true);
      const r = await tx.get<Row>('SELECT * FROM allocations WHERE participant_id = ?', [p.id]);
      if (r === undefined) throw conflict('the participant is not randomized');
      await tx.run('UPDATE participants SET emergency_unblinded = 1 WHERE id = ?', [p.id]);
      await append({
        action: 'emergency-unblind',
        entity: 'unblinding',
        entityId: p.id,
        before: { emergencyUnblinded: p.emergencyUnblinded },
        after: { emergencyUnblinded: true },
      });
      // Breaking the blind is told to those who must know (the site's investigators, the monitors, the unblinded
      // pharmacist: every reader of the participant's site), in the same transaction; the alert names neither the
      // arm nor the kit, and the reason stays in the audit trail (free text, which may hold clinical details).
      await this.raiseAlert(tx, append, {
        participantId: p.id,
        site: p.site,
        kind: 'emergency-unblinding',
        message: `Emergency unblinding by an investigator (randomization no. ${num(r.randomization_number)}): the reason is in the audit trail`,
        sourceType: 'unblinding',
        sourceId: p.id,
        raisedAt: at,
      });
      return allocationOf(r);
    });
  }

  async recordDose(ctx: WriteContext, raw: unknown): Promise<{ dose: DoseRecord; alerts: AlertRecord[] }> {
    SqlTrialStore.assertMay(ctx, 'visit.write');
    const input = parse(DoseInputSchema, raw, 'dose');
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      notAfterToday(input.administeredOn, at, 'dose', 'administeredOn');
      this.assertPlausibleWeight(input.bodyWeightKg, 'dose');
      const p = await this.participantFor(tx, ctx, input.participantId, true);
      const visit = meta.protocol.visits?.find((v) => v.id === input.visit);
      if (visit?.dosing !== true) throw fail('trial.invalid', 'dose: the visit is not the dosing visit');
      if (p.kitCode === null) throw conflict('dose: the participant is not randomized');
      if (p.kitCode !== input.kitCode) throw conflict('dose: the kit is not the one allocated to this participant');
      if (input.administeredOn < p.enrolledOn)
        throw fail('trial.invalid', 'dose: administeredOn is before enrolment', 'administeredOn');
      await this.assertNotBeforeRandomization(tx, p, input.administeredOn, 'dose');
      await this.assertBeforeExit(tx, p, input.administeredOn, 'dose');
      await this.assertNoFollowUpBefore(tx, meta.protocol, p, input.administeredOn, 'dose', '');
      await this.assertNoPreTreatmentRecordAfter(tx, meta.protocol, p, input.administeredOn, 'dose', '');
      // One administration per dosing visit: a second record would give the participant two exposures (SDTM EX) and
      // two dosing dates to anchor the visit schedule and study days on.
      if (
        (await tx.get<Row>('SELECT id FROM doses WHERE participant_id = ? AND visit = ?', [p.id, input.visit])) !==
        undefined
      ) {
        throw conflict('dose: already recorded for this participant and visit');
      }
      const firstDoseBefore = await this.firstDoseOn(tx, p.id);
      const record: DoseRecord = {
        ...input,
        id: randomUUID(),
        version: 1,
        recordedBy: ctx.actor.userId,
        recordedAt: at,
      };
      await tx.run(
        'INSERT INTO doses (id, participant_id, visit, kit_code, administered_on, dose_mg, body_weight_kg, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          record.id,
          p.id,
          record.visit,
          record.kitCode,
          record.administeredOn,
          record.doseMg,
          record.bodyWeightKg,
          record.recordedBy,
          at,
        ],
      );
      await append({ action: 'create', entity: 'dose', entityId: record.id, before: null, after: record });
      // The results are graded relative to the infusion date (a pre-treatment one stored before the rule refusing it
      // after the infusion may be dated after it). The alerts raised are returned with the record, as a lab result's are.
      const alerts = await this.regradeLabs(tx, append, meta, p, at);
      alerts.push(...(await this.doseAlert(tx, append, meta.protocol, p, record, null, at)));
      alerts.push(...(await this.clearanceAlert(tx, append, meta.protocol, p, record, null, at)));
      // A serious event entered before the infusion: whether it is a SUSAR is now known.
      alerts.push(...(await this.revisitSusars(tx, append, meta.protocol, p, firstDoseBefore, at)));
      return { dose: record, alerts };
    });
  }

  async correctDose(
    ctx: WriteContext,
    doseId: string,
    raw: unknown,
    expectedVersion?: number,
  ): Promise<{ dose: DoseRecord; alerts: AlertRecord[] }> {
    SqlTrialStore.assertMay(ctx, 'visit.write');
    const changes = parse(DoseCorrectionSchema, raw, 'dose correction');
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      const row = await tx.get<Row>(
        `SELECT * FROM doses WHERE id = ?${this.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
        [doseId],
      );
      if (row === undefined) throw notFound('dose');
      const before = doseOf(row);
      const p = await this.participantFor(tx, ctx, before.participantId, true, 'dose');
      assertVersion('infusion record', expectedVersion, before.version);
      const changed: DoseRecord = { ...before, ...changes };
      if (json(changed) === json(before)) throw fail('trial.invalid', 'dose correction: nothing changes');
      const after: DoseRecord = { ...changed, version: before.version + 1 };
      notAfterToday(after.administeredOn, at, 'dose correction', 'administeredOn');
      this.assertPlausibleWeight(after.bodyWeightKg, 'dose correction');
      if (after.administeredOn < p.enrolledOn) {
        throw fail('trial.invalid', 'dose correction: administeredOn is before enrolment', 'administeredOn');
      }
      await this.assertNotBeforeRandomization(tx, p, after.administeredOn, 'dose correction');
      await this.assertBeforeExit(tx, p, after.administeredOn, 'dose correction');
      // The infusion anchors the follow-up visits: a later date must not leave follow-up records before it.
      if (after.administeredOn > before.administeredOn) {
        await this.assertNoFollowUpBefore(tx, meta.protocol, p, after.administeredOn, 'dose correction', 'corrected ');
      }
      if (after.administeredOn < before.administeredOn) {
        await this.assertNoPreTreatmentRecordAfter(
          tx,
          meta.protocol,
          p,
          after.administeredOn,
          'dose correction',
          'corrected ',
        );
      }
      const firstDoseBefore = await this.firstDoseOn(tx, p.id);
      await tx.run('UPDATE doses SET administered_on = ?, dose_mg = ?, body_weight_kg = ?, version = ? WHERE id = ?', [
        after.administeredOn,
        after.doseMg,
        after.bodyWeightKg,
        after.version,
        doseId,
      ]);
      await append({ action: 'correct', entity: 'dose', entityId: doseId, before, after });
      const alerts = await this.doseAlert(tx, append, meta.protocol, p, after, before, at);
      if (after.administeredOn !== before.administeredOn) {
        // The lab results are graded relative to the infusion date: graded again on the corrected one, and the
        // pre-dose clearance compared with the first date's as the results read then.
        const labsBefore = await this.participantLabs(tx, p);
        alerts.push(...(await this.regradeLabs(tx, append, meta, p, at)));
        alerts.push(
          ...(await this.clearanceAlert(tx, append, meta.protocol, p, after, { dose: before, labs: labsBefore }, at)),
        );
        // Whether a serious event is a SUSAR turns on its onset against the first infusion.
        alerts.push(...(await this.revisitSusars(tx, append, meta.protocol, p, firstDoseBefore, at)));
      }
      return { dose: after, alerts };
    });
  }

  /**
   * The study drug is given from the kit the randomization allocated, so never before it: an infusion dated before the
   * randomization (the site's date, `randomizedOn`) is a date typed wrong, and would put the exposure (SDTM EX, the
   * study-day reference) before the arm existed. The refusal names both dates.
   */
  private async assertNotBeforeRandomization(
    tx: Tx,
    p: Participant,
    administeredOn: string,
    what: string,
  ): Promise<void> {
    const row = await tx.get<Row>('SELECT * FROM allocations WHERE participant_id = ?', [p.id]);
    if (row === undefined) return;
    const { randomizedOn } = allocationOf(row);
    if (administeredOn < randomizedOn) {
      throw fail(
        'trial.invalid',
        `${what}: administeredOn (${administeredOn}) is before the participant's randomization (${randomizedOn}); the study drug is given after randomization`,
      );
    }
  }

  /**
   * The infusion anchors the follow-up visits: no follow-up form or lab (entered once the participant was randomized,
   * before the infusion was recorded) may be dated before it. Such a record was taken before the drug, so a lab of it
   * would be graded as after the infusion, without the do-not-initiate thresholds, and be left out of the pre-dose
   * clearance; it is corrected (date or visit) first.
   */
  private async assertNoFollowUpBefore(
    tx: Tx,
    protocol: TrialProtocol,
    p: Participant,
    administeredOn: string,
    what: string,
    adjective: string,
  ): Promise<void> {
    const dosingDay = protocol.visits?.find((v) => v.dosing)?.day ?? 0;
    const followUp = (protocol.visits ?? []).filter((v) => v.day > dosingDay).map((v) => v.id);
    if (followUp.length === 0) return;
    const marks = followUp.map(() => '?').join(', ');
    // Named one by one (visit, what, date), so the coordinator knows which records to correct.
    const earlier = [
      ...(
        await tx.all<Row>(
          `SELECT visit, instrument, completed_on FROM forms WHERE participant_id = ? AND visit IN (${marks}) AND completed_on < ? ORDER BY completed_on, visit, instrument`,
          [p.id, ...followUp, administeredOn],
        )
      ).map((r) => `${str(r, 'visit')} ${str(r, 'instrument')} form completed ${str(r, 'completed_on')}`),
      ...(
        await tx.all<Row>(
          `SELECT visit, analyte, collected_on FROM labs WHERE participant_id = ? AND visit IN (${marks}) AND collected_on < ? ORDER BY collected_on, visit, analyte`,
          [p.id, ...followUp, administeredOn],
        )
      ).map((r) => `${str(r, 'visit')} ${str(r, 'analyte')} result collected ${str(r, 'collected_on')}`),
    ];
    const n = earlier.length;
    if (n > 0) {
      throw conflict(
        `${what}: ${n} follow-up record${n === 1 ? ' is' : 's are'} dated before the ${adjective}infusion date (${administeredOn}): ${earlier.join('; ')}; correct ${n === 1 ? 'it' : 'them'} first`,
      );
    }
  }

  /**
   * The other side of assertBeforeDosing: no form or lab result of a visit before the dosing visit (screening,
   * baseline: before the dose by definition) entered before the infusion was recorded may be dated after it; named
   * one by one, corrected (date or visit) first.
   */
  private async assertNoPreTreatmentRecordAfter(
    tx: Tx,
    protocol: TrialProtocol,
    p: Participant,
    administeredOn: string,
    what: string,
    adjective: string,
  ): Promise<void> {
    const preTreatment = preTreatmentVisits(protocol);
    if (preTreatment.length === 0) return;
    const marks = preTreatment.map(() => '?').join(', ');
    const later = [
      ...(
        await tx.all<Row>(
          `SELECT visit, instrument, completed_on FROM forms WHERE participant_id = ? AND visit IN (${marks}) AND completed_on > ? ORDER BY completed_on, visit, instrument`,
          [p.id, ...preTreatment, administeredOn],
        )
      ).map((r) => `${str(r, 'visit')} ${str(r, 'instrument')} form completed ${str(r, 'completed_on')}`),
      ...(
        await tx.all<Row>(
          `SELECT visit, analyte, collected_on FROM labs WHERE participant_id = ? AND visit IN (${marks}) AND collected_on > ? ORDER BY collected_on, visit, analyte`,
          [p.id, ...preTreatment, administeredOn],
        )
      ).map((r) => `${str(r, 'visit')} ${str(r, 'analyte')} result collected ${str(r, 'collected_on')}`),
    ];
    const n = later.length;
    if (n > 0) {
      throw conflict(
        `${what}: ${n} pre-treatment record${n === 1 ? ' is' : 's are'} dated after the ${adjective}infusion date (${administeredOn}): ${later.join('; ')}; correct ${n === 1 ? 'it' : 'them'} first`,
      );
    }
  }

  /**
   * A `dose-above-maximum` alert for an infusion recorded above the protocol's dose (src/trial/dose-check.ts: the
   * weight-based dose, mg/kg x the body weight recorded, capped at the maximum per infusion; the largest over the arms,
   * so that the check is one for every arm and reveals none), raised when the dose first passes it (a new record, or a
   * correction of one that was within it). The dose is kept as recorded: it is what was given, or a typing error to
   * correct.
   */
  private async doseAlert(
    tx: Tx,
    append: Append,
    protocol: TrialProtocol,
    p: Participant,
    dose: DoseRecord,
    before: DoseRecord | null,
    at: string,
  ): Promise<AlertRecord[]> {
    const check = checkDose(protocol, dose);
    if (check?.status !== 'above' || (before !== null && checkDose(protocol, before)?.status === 'above')) return [];
    return [
      await this.raiseAlert(tx, append, {
        participantId: p.id,
        site: p.site,
        kind: 'dose-above-maximum',
        message: check.text,
        sourceType: 'dose',
        sourceId: dose.id,
        raisedAt: at,
      }),
    ];
  }

  /**
   * A `dose-not-cleared` alert for an infusion recorded while a pre-dose safety lab (the protocol's pre-treatment
   * `safetyLabs`) was missing, could not be judged, or was at a hold or stop rule (src/trial/pre-dose.ts), or for a
   * correction that moves a cleared infusion to a date before its pre-dose labs (`before`: the record and the lab
   * results as they were). The infusion is kept as recorded: it was given; the alert asks the investigator to review
   * it.
   */
  private async clearanceAlert(
    tx: Tx,
    append: Append,
    protocol: TrialProtocol,
    p: Participant,
    dose: DoseRecord,
    before: { readonly dose: DoseRecord; readonly labs: readonly LabRecord[] } | null,
    at: string,
  ): Promise<AlertRecord[]> {
    if (before !== null && before.dose.administeredOn === dose.administeredOn) return [];
    const problems = preDoseProblems(
      preDoseClearance(protocol, await this.participantLabs(tx, p), dose.administeredOn),
    );
    if (problems.length === 0) return [];
    // A corrected date alerts only when the first one was cleared (otherwise its alert was raised then).
    if (
      before !== null &&
      preDoseProblems(preDoseClearance(protocol, before.labs, before.dose.administeredOn)).length > 0
    ) {
      return [];
    }
    return [
      await this.raiseAlert(tx, append, {
        participantId: p.id,
        site: p.site,
        kind: 'dose-not-cleared',
        message: `Infusion recorded on ${dose.administeredOn} without pre-dose clearance: ${problems.join('; ')}`,
        sourceType: 'dose',
        sourceId: dose.id,
        raisedAt: at,
      }),
    ];
  }

  // ---- Outcome capture

  private instrument(id: string): InstrumentDefinition {
    const def = this.knowledge.instruments.get(id);
    if (def === undefined) throw fail('trial.invalid', 'form: unknown instrument');
    return def;
  }

  async saveForm(ctx: WriteContext, raw: unknown): Promise<FormRecord> {
    SqlTrialStore.assertMay(ctx, 'form.write');
    const input = parse(FormInputSchema, raw, 'form');
    const def = this.instrument(input.instrument);
    if (input.scoring !== undefined && !def.scorings.some((s) => s.id === input.scoring)) {
      throw fail('trial.invalid', 'form: unknown scoring method for the instrument');
    }
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      notAfterToday(input.completedOn, at, 'form', 'completedOn');
      const p = await this.participantFor(tx, ctx, input.participantId);
      const visit = meta.protocol.visits?.find((v) => v.id === input.visit);
      if (visit === undefined) throw fail('trial.invalid', 'form: unknown visit');
      if (!visit.instruments.includes(def.id)) {
        const collectedAt = (meta.protocol.visits ?? []).filter((v) => v.instruments.includes(def.id)).map((v) => v.id);
        throw fail(
          'trial.invalid',
          `form: the ${visit.id} visit does not collect ${def.name} (the protocol collects it at ${collectedAt.length === 0 ? 'no visit' : collectedAt.join(', ')})`,
          'visit',
        );
      }
      await this.assertAfterDosing(tx, meta.protocol, p, input.visit, input.completedOn, 'form', 'completedOn');
      await this.assertBeforeDosing(tx, meta.protocol, p, input.visit, input.completedOn, 'form');
      await this.assertBeforeExit(tx, p, input.completedOn, 'form');
      if (
        (await tx.get<Row>('SELECT id FROM forms WHERE participant_id = ? AND visit = ? AND instrument = ?', [
          p.id,
          input.visit,
          def.id,
        ])) !== undefined
      ) {
        throw conflict('form: already entered for this visit; correct it instead');
      }
      const score = scoreInstrument(def, input.answers, input.scoring);
      const form: FormRecord = {
        id: randomUUID(),
        participantId: p.id,
        visit: input.visit,
        instrument: def.id,
        scoring: score.scoring,
        answers: input.answers,
        completedOn: input.completedOn,
        score,
        status: score.complete ? 'complete' : 'incomplete',
        signature: null,
        version: 1,
        createdBy: ctx.actor.userId,
        updatedAt: at,
      };
      await tx.run(
        `INSERT INTO forms (id, participant_id, visit, instrument, scoring, answers_json, completed_on, score_json, status, signature_json, version, created_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 1, ?, ?)`,
        [
          form.id,
          p.id,
          form.visit,
          form.instrument,
          form.scoring,
          json(form.answers),
          form.completedOn,
          json(score),
          form.status,
          form.createdBy,
          at,
        ],
      );
      await append({ action: 'create', entity: 'form', entityId: form.id, before: null, after: form });
      return form;
    });
  }

  async correctForm(
    ctx: WriteContext,
    formId: string,
    answers: Readonly<Record<string, ItemAnswer>>,
    completedOn?: string,
    expectedVersion?: number,
  ): Promise<FormRecord> {
    SqlTrialStore.assertMay(ctx, 'form.write');
    const entries = Object.entries(answers ?? {});
    if (entries.length === 0 && completedOn === undefined)
      throw fail('trial.invalid', 'correction: give at least one item or the completion date');
    if (completedOn !== undefined && !IsoDate.safeParse(completedOn).success)
      throw fail('trial.invalid', 'correction: completedOn is not a YYYY-MM-DD date', 'completedOn');
    for (const [item, value] of entries) {
      if (!/^\d+$/.test(item) || !ItemAnswerSchema.safeParse(value).success)
        throw fail('trial.invalid', 'correction: invalid item or answer');
    }
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      const row = await tx.get<Row>(
        `SELECT * FROM forms WHERE id = ?${this.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
        [formId],
      );
      if (row === undefined) throw notFound('form');
      const before = formOf(row);
      const p = await this.participantFor(tx, ctx, before.participantId, false, 'form');
      assertVersion('form', expectedVersion, before.version);
      const def = this.instrument(before.instrument);
      const changed = entries.filter(([item, value]) => json(before.answers[item] ?? null) !== json(value));
      const redated = completedOn !== undefined && completedOn !== before.completedOn;
      if (changed.length === 0 && !redated) throw fail('trial.invalid', 'correction: nothing changes');
      if (redated) {
        // A corrected date keeps the rules of a first entry (saveForm).
        notAfterToday(completedOn, at, 'correction', 'completedOn');
        await this.assertAfterDosing(tx, meta.protocol, p, before.visit, completedOn, 'correction', 'completedOn');
        await this.assertBeforeDosing(tx, meta.protocol, p, before.visit, completedOn, 'correction');
        await this.assertBeforeExit(tx, p, completedOn, 'correction');
      }
      const newAnswers = { ...before.answers, ...Object.fromEntries(changed) };
      const score = scoreInstrument(def, newAnswers, before.scoring ?? undefined);
      for (const [item, value] of changed) {
        const correction: FormCorrection = {
          formId,
          item,
          oldValue: before.answers[item] ?? null,
          newValue: value,
          userId: ctx.actor.userId,
          at,
          reason: ctx.reason.trim(),
        };
        await tx.run(
          'INSERT INTO form_corrections (id, form_id, item, old_value_json, new_value_json, user_id, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [
            randomUUID(),
            formId,
            item,
            json(correction.oldValue),
            json(correction.newValue),
            correction.userId,
            at,
            correction.reason,
          ],
        );
      }
      // A correction invalidates an earlier signature: the signed content is no longer what is stored.
      const after: FormRecord = {
        ...before,
        completedOn: redated ? completedOn : before.completedOn,
        answers: newAnswers,
        score,
        status: score.complete ? 'complete' : 'incomplete',
        signature: null,
        version: before.version + 1,
        updatedAt: at,
      };
      await tx.run(
        'UPDATE forms SET completed_on = ?, answers_json = ?, score_json = ?, status = ?, signature_json = NULL, version = ?, updated_at = ? WHERE id = ?',
        [after.completedOn, json(after.answers), json(score), after.status, after.version, at, formId],
      );
      await append({ action: 'correct', entity: 'form', entityId: formId, before, after });
      return after;
    });
  }

  async signForm(ctx: WriteContext, formId: string, meaning: string, version: number): Promise<FormRecord> {
    if (ctx.actor.role !== 'investigator') throw forbidden('sign a form');
    if (typeof meaning !== 'string' || meaning.trim() === '')
      throw fail('trial.invalid', 'signature: state what the signature means');
    return this.write(ctx, async (tx, append, at) => {
      await this.openMeta(tx);
      const row = await tx.get<Row>('SELECT * FROM forms WHERE id = ?', [formId]);
      if (row === undefined) throw notFound('form');
      const before = formOf(row);
      await this.participantFor(tx, ctx, before.participantId, false, 'form');
      if (before.version !== version) {
        throw conflict(`the form changed since version ${version} was reviewed: review version ${before.version}`);
      }
      if (before.status === 'signed') throw conflict('the form is already signed');
      if (before.status !== 'complete') throw conflict('only a complete form can be signed');
      const signature = {
        userId: ctx.actor.userId,
        signedAt: at,
        meaning: meaning.trim(),
        contentHash: sha256Hex(json(before.answers)),
      };
      await tx.run("UPDATE forms SET status = 'signed', signature_json = ?, updated_at = ? WHERE id = ?", [
        json(signature),
        at,
        formId,
      ]);
      const after: FormRecord = { ...before, status: 'signed', signature, updatedAt: at };
      await append({
        action: 'sign',
        entity: 'form',
        entityId: formId,
        before: { status: before.status, signature: null },
        after: { status: 'signed', signature },
      });
      return after;
    });
  }

  async getForm(id: string): Promise<FormRecord | null> {
    return this.read(async (tx) => {
      const r = await tx.get<Row>('SELECT * FROM forms WHERE id = ?', [id]);
      return r === undefined ? null : formOf(r);
    });
  }

  async listForms(filter?: SiteFilter & { participantId?: string }): Promise<FormRecord[]> {
    return (await this.rowsByParticipant('forms', 't.completed_on, t.id', filter)).map(formOf);
  }

  async listCorrections(formId: string): Promise<FormCorrection[]> {
    return this.read(async (tx) =>
      (await tx.all<Row>('SELECT * FROM form_corrections WHERE form_id = ? ORDER BY at, id', [formId])).map((r) => ({
        formId: str(r, 'form_id'),
        item: str(r, 'item'),
        oldValue: fromJson<ItemAnswer>(str(r, 'old_value_json')),
        newValue: fromJson<ItemAnswer>(str(r, 'new_value_json')),
        userId: str(r, 'user_id'),
        at: str(r, 'at'),
        reason: str(r, 'reason'),
      })),
    );
  }

  // ---- Safety

  private async raiseAlert(
    tx: Tx,
    append: Append,
    alert: Omit<AlertRecord, 'id' | 'acknowledgedBy' | 'acknowledgedAt' | 'actionTaken'>,
  ): Promise<AlertRecord> {
    const record: AlertRecord = {
      ...alert,
      id: randomUUID(),
      acknowledgedBy: null,
      acknowledgedAt: null,
      actionTaken: null,
    };
    await tx.run(
      'INSERT INTO alerts (id, participant_id, site, kind, message, source_type, source_id, raised_at, acknowledged_by, acknowledged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)',
      [
        record.id,
        record.participantId,
        record.site,
        record.kind,
        record.message,
        record.sourceType,
        record.sourceId,
        record.raisedAt,
      ],
    );
    await append({ action: 'raise', entity: 'alert', entityId: record.id, before: null, after: record });
    return record;
  }

  /**
   * A lab result's checks and its CTCAE grade with the label's rules, for a new result or a corrected one (`labId`,
   * left out of its own baseline).
   */
  private async assessedLab(
    tx: Tx,
    ctx: WriteContext,
    meta: Meta,
    input: LabInput,
    at: string,
    labId: string | null,
  ): Promise<{ p: Participant; assessment: LabAssessment }> {
    notAfterToday(input.collectedOn, at, 'lab result', 'collectedOn');
    const p = await this.participantFor(tx, ctx, input.participantId);
    const visit = (meta.protocol.visits ?? []).find((v) => v.id === input.visit);
    if (visit === undefined) throw fail('trial.invalid', 'lab result: unknown visit', 'visit');
    // As a form's instrument must be one its visit collects: a result at a visit that takes no such lab (a pre-dose
    // ANC entered at the infusion visit, neither before nor after the dosing visit) would be graded without the
    // do-not-initiate thresholds and left out of the pre-dose clearance.
    if (!visit.safetyLabs.includes(input.analyte)) {
      const takenAt = (meta.protocol.visits ?? []).filter((v) => v.safetyLabs.includes(input.analyte)).map((v) => v.id);
      throw fail(
        'trial.invalid',
        `lab result: the ${visit.id} visit takes no ${input.analyte} result (the protocol takes it at ${takenAt.length === 0 ? 'no visit' : takenAt.join(', ')})`,
      );
    }
    const what = labId === null ? 'lab result' : 'lab correction';
    await this.assertAfterDosing(tx, meta.protocol, p, input.visit, input.collectedOn, 'lab result', 'collectedOn');
    await this.assertBeforeDosing(tx, meta.protocol, p, input.visit, input.collectedOn, what, 'collectedOn');
    await this.assertBeforeExit(tx, p, input.collectedOn, 'lab result');
    const safety = meta.protocol.safety;
    if (safety === undefined) throw conflict('the protocol has no safety block');
    const table = this.knowledge.ctcae(safety.ctcaeVersion);
    // A multiple of the ULN (ALT, AST) is unit-free, so the grading cannot see a result typed in a unit of another
    // kind (10*9/L for an ALT); such a result would be graded and ruled on as if it were an activity. [IU]/L, as
    // laboratories report it, is the enzyme's U/L (enzymeActivityUnit).
    const term = table.terms[input.analyte];
    const activity = convertQuantity({ value: 1, ucum: enzymeActivityUnit(input.unit) }, term?.unit ?? '').ok;
    if (term?.measure === 'x-uln' && !activity) {
      throw fail(
        'trial.invalid',
        `lab result: unit is not one of ${input.analyte} (${term.unit} or convertible)`,
        'unit',
      );
    }
    this.assertPlausibleLab(input, labId === null ? 'lab result' : 'lab correction');
    // Reference limits the wrong way round (an LLN of 50 with a ULN of 40) are a slip in one of them: either would
    // decide grade 0 or 1 of a count, or the multiples of the ULN of an enzyme.
    if (
      input.lowerLimitOfNormal !== null &&
      input.upperLimitOfNormal !== null &&
      input.lowerLimitOfNormal >= input.upperLimitOfNormal
    ) {
      throw fail(
        'trial.invalid',
        `${labId === null ? 'lab result' : 'lab correction'}: the lower limit of normal (${input.lowerLimitOfNormal}) is not below the upper limit (${input.upperLimitOfNormal}): check both against the report`,
        'lowerLimitOfNormal',
      );
    }
    if (input.comparator != null && input.value === 0) {
      throw fail(
        'trial.invalid',
        `${labId === null ? 'lab result' : 'lab correction'}: a censored result's limit must be above 0`,
      );
    }
    return { p, assessment: await this.gradeLab(tx, meta, p, input, labId) };
  }

  /**
   * The CTCAE grade and the label's rules of a lab result, relative to the participant's infusion as now recorded:
   * its baseline and whether the do-not-initiate thresholds apply both depend on the infusion date. `labId` (a stored
   * result) is left out of its own baseline.
   */
  private async gradeLab(
    tx: Tx,
    meta: Meta,
    p: Participant,
    input: LabInput,
    labId: string | null,
  ): Promise<LabAssessment> {
    const safety = meta.protocol.safety;
    if (safety === undefined) throw conflict('the protocol has no safety block');
    const table = this.knowledge.ctcae(safety.ctcaeVersion);
    // The baseline for CTCAE's abnormal-baseline bands: the latest result of the analyte, in any unit, at a visit
    // before the dosing visit (pre-treatment), on or before the infusion (of one date, the last entered), as SDTM's
    // LBBLFL flags it and the pre-dose clearance judges it: a screening ALT of 80 repeated as 30 at the baseline visit
    // leaves a normal baseline, and a day-7 ALT of 130 is 3.25 x ULN (grade 2), not 1.6 x the screening value. A result
    // after the infusion is no baseline: an ALT already raised by the drug would grade a later, higher one in
    // multiples of itself and under-grade it.
    const preTreatment = preTreatmentVisits(meta.protocol);
    // A pre-treatment visit's result dated after the first infusion (refused now, assertBeforeDosing; one stored before
    // that rule) was not taken before the drug: it is neither a baseline nor checked against the do-not-initiate
    // thresholds.
    const firstDose = await tx.get<Row>('SELECT MIN(administered_on) AS d FROM doses WHERE participant_id = ?', [p.id]);
    const dosedOn = firstDose === undefined ? null : strOrNull(firstDose, 'd');
    const collectedBy = dosedOn === null || dosedOn > input.collectedOn ? input.collectedOn : dosedOn;
    const baselineRow =
      preTreatment.length === 0
        ? undefined
        : await tx.get<Row>(
            `SELECT value, comparator, uln, unit FROM labs WHERE participant_id = ? AND analyte = ? AND collected_on <= ? AND id <> ? AND visit IN (${preTreatment.map(() => '?').join(', ')}) ORDER BY collected_on DESC, recorded_at DESC LIMIT 1`,
            [p.id, input.analyte, collectedBy, labId ?? '', ...preTreatment],
          );
    const baselineComparator = baselineRow === undefined ? null : strOrNull(baselineRow, 'comparator');
    return assessLab(table, safety.rules, {
      analyte: input.analyte,
      value: input.value,
      // A censored result is graded conservatively: only where every value it allows agrees (src/safety/grade.ts).
      comparator: input.comparator ?? undefined,
      unit: input.unit,
      upperLimitOfNormal: input.upperLimitOfNormal,
      lowerLimitOfNormal: input.lowerLimitOfNormal,
      baselineValue: baselineRow === undefined ? null : num(baselineRow.value),
      baselineComparator: baselineComparator === null ? undefined : (baselineComparator as '<' | '>'),
      // Abnormal against its own laboratory's ULN (the same unit), not this result's.
      baselineUpperLimitOfNormal: baselineRow === undefined ? null : numOrNull(baselineRow.uln),
      // In its own unit: converted to this result's by the grading, or the grade left unknown (src/safety/grade.ts).
      baselineUnit: baselineRow === undefined ? undefined : str(baselineRow, 'unit'),
      // A result before the dosing visit is also checked against the label's do-not-initiate thresholds.
      beforeDosing: preTreatment.includes(input.visit) && (dosedOn === null || input.collectedOn <= dosedOn),
    });
  }

  /** The participant's lab results, oldest first. */
  private async participantLabs(tx: Tx, p: Participant): Promise<LabRecord[]> {
    return (
      await tx.all<Row>('SELECT * FROM labs WHERE participant_id = ? ORDER BY collected_on, recorded_at, id', [p.id])
    ).map(labOf);
  }

  /**
   * Every lab result of the participant graded again, since each is graded relative to the infusion date and to its
   * analyte's baseline: after the infusion date was recorded or changed (a baseline result now after the infusion
   * loses the do-not-initiate thresholds and its place as the ALT/AST baseline; one now before it gains them), and
   * after a result was entered or corrected (the baseline of the later results of its analyte may change with it).
   * Each result whose grade or verdict changes is stored with it (one version more, so a correction made on the result
   * as it read before is refused), audited as `regrade` with the write's reason, and raises the hold or stop alert its
   * new verdict calls for (returned); the alerts it raised before stay until acknowledged, the dashboard saying what
   * the result now reads.
   */
  private async regradeLabs(tx: Tx, append: Append, meta: Meta, p: Participant, at: string): Promise<AlertRecord[]> {
    const alerts: AlertRecord[] = [];
    for (const before of await this.participantLabs(tx, p)) {
      const assessment = await this.gradeLab(tx, meta, p, before, before.id);
      if (json(assessment) === json(before.assessment)) continue;
      const after: LabRecord = { ...before, assessment, version: before.version + 1 };
      await tx.run('UPDATE labs SET assessment_json = ?, version = ? WHERE id = ?', [
        json(assessment),
        after.version,
        before.id,
      ]);
      await append({ action: 'regrade', entity: 'lab', entityId: before.id, before, after });
      alerts.push(...(await this.labAlert(tx, append, after, before, at)));
    }
    return alerts;
  }

  /** A hold or stop alert for a lab whose action is more severe than `before`'s (null for a new result). */
  private async labAlert(
    tx: Tx,
    append: Append,
    lab: LabRecord,
    before: LabRecord | null,
    at: string,
  ): Promise<AlertRecord[]> {
    const rank = (a: LabAssessment['action'] | undefined): number => (a === 'discontinue' ? 2 : a === 'hold' ? 1 : 0);
    const { assessment } = lab;
    if (rank(assessment.action) <= rank(before?.assessment.action)) return [];
    return [
      await this.raiseAlert(tx, append, {
        participantId: lab.participantId,
        site: lab.site,
        kind: assessment.action === 'discontinue' ? 'stop-rule' : 'hold-rule',
        // A rule or CTCAE table not verified against its source is flagged [U], as the lab's assessment is.
        message: `${assessment.term}, CTCAE v${assessment.ctcaeVersion} grade ${assessment.grade ?? 'undetermined'}: ${assessment.ruleTexts.join('; ')}${assessment.verified ? '' : ' [U]'}`,
        sourceType: 'lab',
        sourceId: lab.id,
        raisedAt: at,
      }),
    ];
  }

  async addLab(ctx: WriteContext, raw: unknown): Promise<{ lab: LabRecord; alerts: AlertRecord[] }> {
    SqlTrialStore.assertMay(ctx, 'lab.write');
    const input = parse(LabInputSchema, raw, 'lab result');
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      const { p, assessment } = await this.assessedLab(tx, ctx, meta, input, at, null);
      const lab: LabRecord = {
        ...input,
        comparator: input.comparator ?? null,
        id: randomUUID(),
        site: p.site,
        assessment,
        version: 1,
        recordedBy: ctx.actor.userId,
        recordedAt: at,
      };
      await tx.run(
        `INSERT INTO labs (id, participant_id, site, visit, analyte, value, comparator, unit, uln, lln, collected_on, assessment_json, recorded_by, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          lab.id,
          p.id,
          p.site,
          lab.visit,
          lab.analyte,
          lab.value,
          lab.comparator ?? null,
          lab.unit,
          lab.upperLimitOfNormal,
          lab.lowerLimitOfNormal,
          lab.collectedOn,
          json(assessment),
          lab.recordedBy,
          at,
        ],
      );
      await append({ action: 'create', entity: 'lab', entityId: lab.id, before: null, after: lab });
      const alerts = await this.labAlert(tx, append, lab, null, at);
      // A result that becomes the analyte's baseline (an earlier pre-treatment one entered late) changes the grade of
      // the later ones, which are graded relative to it.
      return { lab, alerts: [...alerts, ...(await this.regradeLabs(tx, append, meta, p, at))] };
    });
  }

  async correctLab(
    ctx: WriteContext,
    labId: string,
    raw: unknown,
    expectedVersion?: number,
  ): Promise<{ lab: LabRecord; alerts: AlertRecord[] }> {
    SqlTrialStore.assertMay(ctx, 'lab.write');
    const changes = parse(LabCorrectionSchema, raw, 'lab correction');
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      const row = await tx.get<Row>(
        `SELECT * FROM labs WHERE id = ?${this.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
        [labId],
      );
      if (row === undefined) throw notFound('lab result');
      const before = labOf(row);
      SqlTrialStore.assertSiteRecord(ctx, before.site, 'lab result');
      assertVersion('lab result', expectedVersion, before.version);
      const input = parse(
        LabInputSchema,
        {
          participantId: before.participantId,
          visit: changes.visit ?? before.visit,
          analyte: before.analyte,
          value: changes.value ?? before.value,
          comparator: changes.comparator === undefined ? (before.comparator ?? null) : changes.comparator,
          unit: changes.unit ?? before.unit,
          upperLimitOfNormal:
            changes.upperLimitOfNormal === undefined ? before.upperLimitOfNormal : changes.upperLimitOfNormal,
          lowerLimitOfNormal:
            changes.lowerLimitOfNormal === undefined ? before.lowerLimitOfNormal : changes.lowerLimitOfNormal,
          collectedOn: changes.collectedOn ?? before.collectedOn,
        },
        'lab correction',
      );
      const { p, assessment } = await this.assessedLab(tx, ctx, meta, input, at, labId);
      if (json({ ...before, ...input, assessment: null }) === json({ ...before, assessment: null })) {
        throw fail('trial.invalid', 'lab correction: nothing changes');
      }
      const after: LabRecord = { ...before, ...input, assessment, version: before.version + 1 };
      await tx.run(
        'UPDATE labs SET visit = ?, value = ?, comparator = ?, unit = ?, uln = ?, lln = ?, collected_on = ?, assessment_json = ?, version = ? WHERE id = ?',
        [
          after.visit,
          after.value,
          after.comparator ?? null,
          after.unit,
          after.upperLimitOfNormal,
          after.lowerLimitOfNormal,
          after.collectedOn,
          json(assessment),
          after.version,
          labId,
        ],
      );
      // The audit entry keeps the result as entered first, with its grade; alerts it raised stay until acknowledged.
      await append({ action: 'correct', entity: 'lab', entityId: labId, before, after });
      const alerts = await this.labAlert(tx, append, after, before, at);
      // The later results of the analyte are graded relative to its baseline: a corrected baseline grades them again.
      return { lab: after, alerts: [...alerts, ...(await this.regradeLabs(tx, append, meta, p, at))] };
    });
  }

  async listLabs(filter?: SiteFilter & { participantId?: string }): Promise<LabRecord[]> {
    const w = siteWhere(filter);
    const extra = filter?.participantId === undefined ? '' : ' AND participant_id = ?';
    const params = [...w.params, ...(filter?.participantId === undefined ? [] : [filter.participantId])];
    return this.read(async (tx) =>
      (
        await tx.all<Row>(`SELECT * FROM labs WHERE ${w.sql}${extra} ORDER BY collected_on, recorded_at, id`, params)
      ).map(labOf),
    );
  }

  async addAdverseEvent(
    ctx: WriteContext,
    raw: unknown,
  ): Promise<{ event: AdverseEventRecord; alerts: AlertRecord[] }> {
    SqlTrialStore.assertMay(ctx, 'adverse-event.write');
    const input = parse(AdverseEventInputSchema, raw, 'adverse event');
    assertOneDeath(input);
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      notAfterToday(input.onsetOn, at, 'adverse event', 'onsetOn');
      const p = await this.participantFor(tx, ctx, input.participantId);
      await this.assertAfterConsent(tx, p, input.onsetOn, 'adverse event');
      const serious = input.seriousCriteria.length > 0;
      const event: AdverseEventRecord = {
        ...input,
        id: randomUUID(),
        site: p.site,
        serious,
        version: 1,
        recordedBy: ctx.actor.userId,
        recordedAt: at,
      };
      await tx.run(
        `INSERT INTO adverse_events (id, participant_id, site, term, onset_on, grade, serious_criteria_json, serious, relatedness, expectedness, outcome, recorded_by, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          event.id,
          p.id,
          p.site,
          event.term,
          event.onsetOn,
          event.grade,
          json(event.seriousCriteria),
          serious ? 1 : 0,
          event.relatedness,
          event.expectedness,
          event.outcome,
          event.recordedBy,
          at,
        ],
      );
      await append({ action: 'create', entity: 'adverse-event', entityId: event.id, before: null, after: event });
      const alerts = await this.seriousAlert(tx, append, meta.protocol, event, null, at);
      return { event, alerts };
    });
  }

  /**
   * The alert an event calls for: `serious-adverse-event`, or `susar` (a suspected unexpected serious adverse
   * reaction: serious, possibly related or more, unexpected); raised when the event reaches a higher kind than
   * `before` (null for a new event), so a follow-up that makes an event serious, or a SUSAR, alerts as a new one does.
   * A follow-up of a serious event that adds `death` or `life-threatening` alerts again (the participant died of a
   * hospitalised pneumonia): those criteria are what the sponsor must hear of first, and for a SUSAR they shorten the
   * expedited-reporting clock (ICH E2A); the dashboard would otherwise still show only the first, milder alert.
   * An event whose onset is before the participant's recorded infusion began before any study drug was given: ICH E2A
   * has an adverse reaction as a response to the medicinal product, so it is no suspected reaction and no SUSAR,
   * whatever relatedness was entered (kept as entered); its alert is `serious-adverse-event` and says so. Without an
   * infusion recorded, whether one preceded the onset is unknown: it is a SUSAR, as entered.
   */
  private async seriousAlert(
    tx: Tx,
    append: Append,
    protocol: TrialProtocol,
    event: AdverseEventRecord,
    before: AdverseEventRecord | null,
    at: string,
  ): Promise<AlertRecord[]> {
    if (protocol.safety?.alertOnSeriousAdverseEvent === false) return [];
    const firstDose = await this.firstDoseOn(tx, event.participantId);
    const beforeDosing = (e: AdverseEventRecord): boolean => firstDose !== null && e.onsetOn < firstDose;
    const rank = (e: AdverseEventRecord | null): number => alertRank(e, firstDose);
    const grave = (e: AdverseEventRecord | null): string[] =>
      (e?.seriousCriteria ?? []).filter((c) => c === 'death' || c === 'life-threatening');
    const added = before === null ? [] : grave(event).filter((c) => !grave(before).includes(c));
    // An onset corrected to before the first infusion takes a SUSAR out of SUSARs (ICH E2A), as an infusion recorded
    // after it does (revisitSusars): said in an alert of its own, the SUSAR alert staying as it is.
    if (before !== null && rank(before) === 2 && rank(event) === 1 && beforeDosing(event) && !beforeDosing(before)) {
      return [
        await this.raiseAlert(tx, append, {
          participantId: event.participantId,
          site: event.site,
          kind: 'serious-adverse-event',
          message: `No longer a SUSAR (${event.seriousCriteria.join(', ')}), grade ${event.grade}, ${event.relatedness}, ${event.expectedness}: onset ${event.onsetOn} precedes the first infusion (${firstDose}): no study drug given, not a SUSAR (ICH E2A); the SUSAR alert raised before stays as it is`,
          sourceType: 'adverse-event',
          sourceId: event.id,
          raisedAt: at,
        }),
      ];
    }
    if (rank(event) <= rank(before) && added.length === 0) return [];
    const susar = rank(event) === 2;
    return [
      await this.raiseAlert(tx, append, {
        participantId: event.participantId,
        site: event.site,
        kind: susar ? 'susar' : 'serious-adverse-event',
        message: `${susar ? 'SUSAR' : 'Serious adverse event'} (${event.seriousCriteria.join(', ')}), grade ${event.grade}, ${event.relatedness}, ${event.expectedness}${beforeDosing(event) ? `; onset ${event.onsetOn} precedes the first infusion (${firstDose}): no study drug given, not a SUSAR (ICH E2A)` : ''}${added.length === 0 ? '' : `; follow-up adds ${added.join(', ')}`}`,
        sourceType: 'adverse-event',
        sourceId: event.id,
        raisedAt: at,
      }),
    ];
  }

  /** The date of the participant's first infusion as now recorded, or null. */
  private async firstDoseOn(tx: Tx, participantId: string): Promise<string | null> {
    const dosed = await tx.get<Row>('SELECT MIN(administered_on) AS first FROM doses WHERE participant_id = ?', [
      participantId,
    ]);
    return dosed === undefined || dosed.first === null ? null : str(dosed, 'first');
  }

  /**
   * The SUSAR alerts of the participant's serious events revisited after an infusion was recorded or its date
   * corrected (`firstDoseBefore`: the first infusion's date before the write): whether an event is a SUSAR depends on
   * whether its onset precedes the first infusion (seriousAlert), so the alerts follow the data whichever was entered
   * first. An event that becomes a SUSAR raises its `susar` alert; one that no longer is (its onset now before the
   * first infusion) raises a `serious-adverse-event` alert saying so, and the SUSAR alert raised before stays, open or
   * acknowledged as it was: no alert or acknowledgement is removed, and each raised is audited.
   */
  private async revisitSusars(
    tx: Tx,
    append: Append,
    protocol: TrialProtocol,
    p: Participant,
    firstDoseBefore: string | null,
    at: string,
  ): Promise<AlertRecord[]> {
    if (protocol.safety?.alertOnSeriousAdverseEvent === false) return [];
    const firstDose = await this.firstDoseOn(tx, p.id);
    if (firstDose === firstDoseBefore) return [];
    const events = (
      await tx.all<Row>('SELECT * FROM adverse_events WHERE participant_id = ? AND serious = 1 ORDER BY onset_on, id', [
        p.id,
      ])
    ).map(adverseEventOf);
    const alerts: AlertRecord[] = [];
    for (const event of events) {
      const was = alertRank(event, firstDoseBefore);
      const is = alertRank(event, firstDose);
      if (was === is) continue;
      const susar = is === 2;
      alerts.push(
        await this.raiseAlert(tx, append, {
          participantId: event.participantId,
          site: event.site,
          kind: susar ? 'susar' : 'serious-adverse-event',
          message: susar
            ? `SUSAR (${event.seriousCriteria.join(', ')}), grade ${event.grade}, ${event.relatedness}, ${event.expectedness}; the first infusion, now recorded on ${firstDose ?? 'no date'}, does not follow the onset ${event.onsetOn}`
            : `No longer a SUSAR (${event.seriousCriteria.join(', ')}), grade ${event.grade}, ${event.relatedness}, ${event.expectedness}: onset ${event.onsetOn} precedes the first infusion now recorded (${firstDose ?? 'none'}): no study drug given, not a SUSAR (ICH E2A); the SUSAR alert raised before stays as it is`,
          sourceType: 'adverse-event',
          sourceId: event.id,
          raisedAt: at,
        }),
      );
    }
    return alerts;
  }

  async updateAdverseEvent(
    ctx: WriteContext,
    eventId: string,
    raw: unknown,
    expectedVersion?: number,
  ): Promise<{ event: AdverseEventRecord; alerts: AlertRecord[] }> {
    SqlTrialStore.assertMay(ctx, 'adverse-event.write');
    const changes = parse(AdverseEventUpdateSchema, raw, 'adverse event update');
    return this.write(ctx, async (tx, append, at) => {
      const meta = await this.openMeta(tx);
      const row = await tx.get<Row>(
        `SELECT * FROM adverse_events WHERE id = ?${this.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
        [eventId],
      );
      if (row === undefined) throw notFound('adverse event');
      const before = adverseEventOf(row);
      SqlTrialStore.assertSiteRecord(ctx, before.site, 'adverse event');
      assertVersion('adverse event', expectedVersion, before.version);
      const merged = parse(
        AdverseEventInputSchema,
        {
          participantId: before.participantId,
          term: changes.term ?? before.term,
          onsetOn: changes.onsetOn ?? before.onsetOn,
          grade: changes.grade ?? before.grade,
          seriousCriteria: changes.seriousCriteria ?? before.seriousCriteria,
          relatedness: changes.relatedness ?? before.relatedness,
          expectedness: changes.expectedness ?? before.expectedness,
          outcome: changes.outcome ?? before.outcome,
        },
        'adverse event update',
      );
      assertOneDeath(merged);
      notAfterToday(merged.onsetOn, at, 'adverse event', 'onsetOn');
      if (merged.onsetOn !== before.onsetOn) {
        const p = await this.participantFor(tx, ctx, before.participantId);
        await this.assertAfterConsent(tx, p, merged.onsetOn, 'adverse event update');
      }
      const changed: AdverseEventRecord = { ...before, ...merged, serious: merged.seriousCriteria.length > 0 };
      if (json(changed) === json(before)) throw fail('trial.invalid', 'adverse event update: nothing changes');
      const after: AdverseEventRecord = { ...changed, version: before.version + 1 };
      await tx.run(
        'UPDATE adverse_events SET term = ?, onset_on = ?, grade = ?, serious_criteria_json = ?, serious = ?, relatedness = ?, expectedness = ?, outcome = ?, version = ? WHERE id = ?',
        [
          after.term,
          after.onsetOn,
          after.grade,
          json(after.seriousCriteria),
          after.serious ? 1 : 0,
          after.relatedness,
          after.expectedness,
          after.outcome,
          after.version,
          eventId,
        ],
      );
      // The audit entry keeps the event as it was: a follow-up never loses what was entered before.
      await append({ action: 'update', entity: 'adverse-event', entityId: eventId, before, after });
      const alerts = await this.seriousAlert(tx, append, meta.protocol, after, before, at);
      return { event: after, alerts };
    });
  }

  async listAdverseEvents(filter?: SiteFilter & { participantId?: string }): Promise<AdverseEventRecord[]> {
    const w = siteWhere(filter);
    const extra = filter?.participantId === undefined ? '' : ' AND participant_id = ?';
    const params = [...w.params, ...(filter?.participantId === undefined ? [] : [filter.participantId])];
    return this.read(async (tx) =>
      (
        await tx.all<Row>(
          `SELECT * FROM adverse_events WHERE ${w.sql}${extra} ORDER BY onset_on, recorded_at, id`,
          params,
        )
      ).map(adverseEventOf),
    );
  }

  async listAlerts(filter?: SiteFilter & { openOnly?: boolean }): Promise<AlertRecord[]> {
    const w = siteWhere(filter);
    const open = filter?.openOnly === true ? ' AND acknowledged_at IS NULL' : '';
    return this.read(async (tx) =>
      (await tx.all<Row>(`SELECT * FROM alerts WHERE ${w.sql}${open} ORDER BY raised_at, id`, w.params)).map(alertOf),
    );
  }

  async acknowledgeAlert(ctx: WriteContext, alertId: string, raw: unknown): Promise<AlertRecord> {
    SqlTrialStore.assertMay(ctx, 'lab.write');
    const { actionTaken } = parse(AlertAcknowledgementSchema, raw, 'alert acknowledgement');
    return this.write(ctx, async (tx, append, at) => {
      const row = await tx.get<Row>('SELECT * FROM alerts WHERE id = ?', [alertId]);
      if (row === undefined) throw notFound('alert');
      const before = alertOf(row);
      SqlTrialStore.assertSiteRecord(ctx, before.site, 'alert');
      if (before.acknowledgedAt !== null) throw conflict('the alert is already acknowledged');
      await tx.run('UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ?, action_taken = ? WHERE id = ?', [
        ctx.actor.userId,
        at,
        actionTaken,
        alertId,
      ]);
      const after: AlertRecord = { ...before, acknowledgedBy: ctx.actor.userId, acknowledgedAt: at, actionTaken };
      await append({ action: 'acknowledge', entity: 'alert', entityId: alertId, before, after });
      return after;
    });
  }

  // ---- Users and sessions

  async createUser(ctx: WriteContext, raw: unknown): Promise<UserRecord> {
    // A username is typed by whoever adds the account: a refused one is told the rule, not only its field's name.
    const username = (raw as { username?: unknown } | null | undefined)?.username;
    if (typeof username === 'string' && !UsernameSchema.safeParse(username).success)
      throw fail('trial.invalid', `user: username: ${USERNAME_RULE}`);
    const input = parse(UserInputSchema, raw, 'user');
    return this.write(ctx, async (tx, append, at) => {
      const n = num((await tx.get<Row>('SELECT COUNT(*) AS n FROM users'))?.n ?? 0);
      // The first account is created by whoever sets the system up; after that only an administrator adds users.
      if (n > 0 && ctx.actor.role !== 'administrator') throw forbidden('create users');
      if (n === 0 && input.role !== 'administrator')
        throw fail('trial.invalid', 'user: the first account must be an administrator');
      if ((await tx.get<Row>('SELECT id FROM users WHERE username = ?', [input.username])) !== undefined) {
        throw conflict('the username is taken');
      }
      // A site given to a role that sees every site (src/trial/roles.ts) would be shown and never applied.
      if (input.site !== null && !SITE_BOUND_ROLES.includes(input.role)) {
        throw fail(
          'trial.invalid',
          `user: a ${input.role} is not bound to a site (only ${SITE_BOUND_ROLES.join(', ')} are): give no site`,
        );
      }
      // A site-bound account at a site the trial does not have would see no participant and could screen no one.
      // Before init the sites are not known yet, and the account is taken as given.
      const meta = await this.meta(tx);
      const sites = meta === null || input.site === null ? undefined : planSites(meta.protocol, meta.plan.factors);
      if (sites !== undefined && input.site !== null && !sites.includes(input.site)) {
        throw fail('trial.invalid', `user: site ${input.site} is not a site of the trial (${sites.join(', ')})`);
      }
      const user: UserRecord = { ...input, id: randomUUID(), active: true, createdAt: at };
      await tx.run(
        'INSERT INTO users (id, username, display_name, role, site, password_hash, active, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)',
        [user.id, user.username, user.displayName, user.role, user.site, user.passwordHash, at],
      );
      // The password hash is not copied into the audit trail.
      const { passwordHash: _hash, ...visible } = user;
      await append({ action: 'create', entity: 'user', entityId: user.id, before: null, after: visible });
      return user;
    });
  }

  async countUsers(): Promise<number> {
    return this.read(async (tx) => num((await tx.get<Row>('SELECT COUNT(*) AS n FROM users'))?.n ?? 0));
  }

  async getUser(id: string): Promise<UserRecord | null> {
    return this.read(async (tx) => {
      const r = await tx.get<Row>('SELECT * FROM users WHERE id = ?', [id]);
      return r === undefined ? null : userOf(r);
    });
  }

  async getUserByUsername(username: string): Promise<UserRecord | null> {
    return this.read(async (tx) => {
      const r = await tx.get<Row>('SELECT * FROM users WHERE username = ?', [username]);
      return r === undefined ? null : userOf(r);
    });
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.read(async (tx) => (await tx.all<Row>('SELECT * FROM users ORDER BY username')).map(userOf));
  }

  async setUserActive(ctx: WriteContext, userId: string, active: boolean): Promise<UserRecord> {
    if (ctx.actor.role !== 'administrator') throw forbidden('manage users');
    return this.write(ctx, async (tx, append) => {
      const r = await tx.get<Row>('SELECT * FROM users WHERE id = ?', [userId]);
      if (r === undefined) throw notFound('user');
      const before = userOf(r);
      await tx.run('UPDATE users SET active = ? WHERE id = ?', [active ? 1 : 0, userId]);
      if (!active) await tx.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
      await append({
        action: 'update',
        entity: 'user',
        entityId: userId,
        before: { active: before.active },
        after: { active },
      });
      return { ...before, active };
    });
  }

  async setPasswordHash(ctx: WriteContext, userId: string, passwordHash: string): Promise<void> {
    if (ctx.actor.role !== 'administrator' && ctx.actor.userId !== userId)
      throw forbidden("change another user's password");
    if (typeof passwordHash !== 'string' || passwordHash === '') throw fail('trial.invalid', 'password hash: empty');
    await this.write(ctx, async (tx, append) => {
      const changed = await tx.run('UPDATE users SET password_hash = ? WHERE id = ?', [passwordHash, userId]);
      if (changed === 0) throw notFound('user');
      // A new password ends every session the old one opened (someone who knew it may hold one).
      await tx.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
      await append({ action: 'set-password', entity: 'user', entityId: userId, before: null, after: null });
    });
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.db.transaction('write', (tx) =>
      tx.run(
        'INSERT INTO sessions (id, user_id, csrf_secret, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)',
        [s.id, s.userId, s.csrfSecret, s.createdAt, s.expiresAt, s.lastSeenAt],
      ),
    );
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    return this.read(async (tx) => {
      const r = await tx.get<Row>('SELECT * FROM sessions WHERE id = ?', [id]);
      return r === undefined
        ? null
        : {
            id: str(r, 'id'),
            userId: str(r, 'user_id'),
            csrfSecret: str(r, 'csrf_secret'),
            createdAt: str(r, 'created_at'),
            expiresAt: str(r, 'expires_at'),
            lastSeenAt: str(r, 'last_seen_at'),
          };
    });
  }

  async touchSession(id: string, expiresAt: string, lastSeenAt: string): Promise<void> {
    await this.db.transaction('write', (tx) =>
      tx.run('UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE id = ?', [expiresAt, lastSeenAt, id]),
    );
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.transaction('write', (tx) => tx.run('DELETE FROM sessions WHERE id = ?', [id]));
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    return this.db.transaction('write', (tx) => tx.run('DELETE FROM sessions WHERE expires_at < ?', [now]));
  }

  async countSignInAttempt(clientKey: string, windowMs: number): Promise<{ attempts: number; msLeft: number }> {
    if (!(Number.isSafeInteger(windowMs) && windowMs > 0))
      throw fail('trial.invalid', 'sign-in window: not a duration');
    const nowMs = this.clock().getTime();
    const endedBefore = nowMs - windowMs;
    // Ended windows go first (this client's too: its next attempt starts a new one); then one statement, an upsert,
    // counts the attempt, so that concurrent sign-ins in several processes each count once.
    const row = await this.db.transaction('write', async (tx) => {
      await tx.run('DELETE FROM sign_in_attempts WHERE window_start_ms <= ?', [endedBefore]);
      return tx.get<Row>(
        `INSERT INTO sign_in_attempts (client_key, window_start_ms, attempts) VALUES (?, ?, 1)
         ON CONFLICT (client_key) DO UPDATE SET attempts = sign_in_attempts.attempts + 1
         RETURNING attempts, window_start_ms`,
        [clientKey, nowMs],
      );
    });
    if (row === undefined) throw new Error('sign-in attempt not counted');
    return {
      attempts: Number(row['attempts']),
      msLeft: Math.max(0, Number(row['window_start_ms']) + windowMs - nowMs),
    };
  }

  async uncountSignInAttempt(clientKey: string): Promise<void> {
    await this.db.transaction('write', (tx) =>
      tx.run('UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE client_key = ? AND attempts > 0', [clientKey]),
    );
  }

  async forgetSignInAttempts(clientKey: string): Promise<void> {
    await this.db.transaction('write', (tx) =>
      tx.run('DELETE FROM sign_in_attempts WHERE client_key = ?', [clientKey]),
    );
  }

  // ---- Audit

  async recordEvent(ctx: WriteContext, action: string, detail: unknown): Promise<void> {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(action)) throw fail('trial.invalid', 'event: invalid action name');
    await this.write(ctx, (_tx, append) =>
      append({ action, entity: 'event', entityId: null, before: null, after: detail ?? null }),
    );
  }

  async listAudit(options: { fromSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    const from = options.fromSeq ?? 1;
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 100000);
    return this.read(async (tx) =>
      (await tx.all<Row>('SELECT * FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?', [from, limit])).map(auditOf),
    );
  }

  async verifyAudit(): ReturnType<TrialStore['verifyAudit']> {
    return this.read(async (tx) => {
      // Storage order (rowid / physical) would hide a reorder only if seq were rewritten too: then hashes break.
      const rows = (await tx.all<Row>('SELECT * FROM audit ORDER BY seq')).map(auditOf);
      const head = await tx.get<Row>('SELECT seq, hash FROM audit_head WHERE id = 1');
      return verifyChain(rows, head === undefined ? null : { seq: num(head.seq), hash: str(head, 'hash') }, sha256Hex);
    });
  }

  // ---- Exports

  async snapshot(filter?: SiteFilter): Promise<TrialSnapshot> {
    return this.read(async (tx) => {
      const meta = await this.meta(tx);
      if (meta === null) throw conflict('the trial is not initialised (trd trial init)');
      const w = siteWhere(filter);
      const pw = siteWhere(filter, 'p.site');
      const viaParticipant = async (table: string, order: string): Promise<Row[]> =>
        tx.all<Row>(
          `SELECT t.* FROM ${table} t JOIN participants p ON p.id = t.participant_id WHERE ${pw.sql} ORDER BY ${order}`,
          pw.params,
        );
      const screening = (
        await tx.all<Row>(`SELECT * FROM screening WHERE ${w.sql} ORDER BY recorded_at, id`, w.params)
      ).map(screeningOf);
      const screeningIds = new Set(screening.map((s) => s.id));
      const consents = (await tx.all<Row>('SELECT * FROM consents ORDER BY recorded_at, id'))
        .map(consentOf)
        .filter((c) => screeningIds.has(c.screeningId));
      const allocations = (await viaParticipant('allocations', 't.randomization_number')).map(allocationOf);
      return {
        trial: meta.info,
        screening,
        consents,
        participants: (
          await tx.all<Row>(
            `SELECT * FROM participants WHERE ${w.sql} ORDER BY enrolled_on, participant_code`,
            w.params,
          )
        ).map(participantOf),
        randomizations: allocations.map(blindAllocation),
        allocations,
        doses: (await viaParticipant('doses', 't.administered_on, t.id')).map(doseOf),
        dispositions: (await viaParticipant('dispositions', 't.on_date, t.id')).map(dispositionOf),
        forms: (await viaParticipant('forms', 't.completed_on, t.id')).map(formOf),
        labs: (
          await tx.all<Row>(`SELECT * FROM labs WHERE ${w.sql} ORDER BY collected_on, recorded_at, id`, w.params)
        ).map(labOf),
        adverseEvents: (
          await tx.all<Row>(`SELECT * FROM adverse_events WHERE ${w.sql} ORDER BY onset_on, recorded_at, id`, w.params)
        ).map(adverseEventOf),
      };
    });
  }

  /** The protocol the trial was initialised with (exports need it). */
  async protocol(): Promise<TrialProtocol | null> {
    return this.read(async (tx) => (await this.meta(tx))?.protocol ?? null);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export type { Db };
