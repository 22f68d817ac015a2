/**
 * The trial store's port: what the CLI and the HTTP server call. Two adapters implement it with one schema
 * (src/trial/store/migrations/): SQLite (better-sqlite3, WAL; the embedded default) and PostgreSQL (pg, or PGlite in
 * tests). Every method that writes takes a WriteContext, runs in one transaction and appends its audit entry (with
 * before/after images) in that same transaction. Bad input and illegal state changes throw InputError
 * (src/record/issues.ts) with a `trial.*` code; `trial.forbidden` when the actor's role may not do it (the server
 * checks first; the store checks again).
 *
 * Blinding: methods returning an Allocation return the arm; the caller hands it on only when `seesAllocation`
 * (src/trial/roles.ts) holds, otherwise through `blindAllocation` / `redactAuditEntry` (src/trial/blinding.ts).
 */
import type { AuditEntry, AuditVerification } from '../audit.ts';
import type { RandomizationPlan } from '../../randomization/index.ts';
import type {
  AdverseEventInput,
  AdverseEventRecord,
  AdverseEventUpdate,
  AlertRecord,
  Allocation,
  ConsentCorrection,
  ConsentInput,
  ConsentRecord,
  DispositionCorrection,
  DispositionInput,
  DispositionRecord,
  DoseCorrection,
  DoseInput,
  DoseRecord,
  EnrolInput,
  EnrolmentCorrection,
  FormCorrection,
  FormInput,
  FormRecord,
  ItemAnswer,
  KitInput,
  LabCorrection,
  LabInput,
  LabRecord,
  Participant,
  ScreeningCorrection,
  ScreeningEntry,
  ScreeningInput,
  SessionRecord,
  TrialInfo,
  TrialSnapshot,
  UserInput,
  UserRecord,
  WriteContext,
} from '../model.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { StoreKnowledge } from './sql-store.ts';

export interface InitTrialInput {
  /** The protocol (knowledge/trials/<id>.json) with its `arms`, `stratification`, `visits` and `safety` blocks. */
  readonly protocol: TrialProtocol;
  /** Method, seed, block sizes or minimisation settings; the concealed list is generated from it at init. */
  readonly plan: RandomizationPlan;
  /**
   * Each site's IANA time zone (`{ A: 'Europe/London', B: 'Australia/Sydney' }`): the randomization date is the
   * site's calendar date. A site not given one dates in UTC.
   */
  readonly siteTimeZones?: Readonly<Record<string, string>>;
  /**
   * Each site's country, ISO 3166-1 alpha-3 (`{ A: 'GBR', B: 'AUS' }`): SDTM DM COUNTRY. A site not given one exports
   * an empty COUNTRY, with a note, until `setSiteCountries` gives it.
   */
  readonly siteCountries?: Readonly<Record<string, string>>;
}

/** One stratum's concealed list: its length and how many slots are taken (no arm). */
export interface AllocationCapacity {
  readonly stratum: string;
  readonly slots: number;
  readonly used: number;
}

/** Filters: `site` restricts to one site's participants (coordinators and investigators are bound to theirs). */
export interface SiteFilter {
  readonly site?: string;
}

export interface TrialStore {
  /** `sqlite` or `postgres` (PGlite reports `postgres`). */
  readonly dialect: 'sqlite' | 'postgres';

  // Set-up
  /** Creates the trial once: protocol id/version, randomization plan, concealed allocation list. */
  init(ctx: WriteContext, input: InitTrialInput): Promise<TrialInfo>;
  /** The trial, or null before init. */
  trial(): Promise<TrialInfo | null>;
  /** The protocol the trial was initialised with (visit schedule, exports), or null before init. */
  protocol(): Promise<TrialProtocol | null>;
  /** Database lock: no more data writes; the statistician sees allocations from then on. */
  lock(ctx: WriteContext): Promise<TrialInfo>;
  /**
   * Sets the country (ISO 3166-1 alpha-3) of the sites given, the others keeping theirs: the administrator's, while
   * the trial is open, audited; for a trial initialised without them (before schema version 9). SDTM DM COUNTRY.
   */
  setSiteCountries(ctx: WriteContext, countries: Readonly<Record<string, string>>): Promise<TrialInfo>;
  /**
   * Lengthens every stratum's permuted-block list to at least `perStratum` slots, drawing the new blocks from the same
   * seeded streams (the lists already drawn are their prefixes: docs/trial-operations.md, "Randomization"). The
   * administrator's; answers the slots of each stratum, never an arm.
   */
  extendAllocationList(ctx: WriteContext, perStratum: number): Promise<readonly AllocationCapacity[]>;
  /**
   * Each stratum's list length and slots used (permuted blocks; empty under minimisation). The lengths follow from the
   * block sizes, which blinded staff may not learn: the server gives this to the administrator only.
   */
  allocationCapacity(): Promise<readonly AllocationCapacity[]>;

  // Enrolment
  addScreening(ctx: WriteContext, input: ScreeningInput): Promise<ScreeningEntry>;
  /**
   * Corrects a screening entry's code, date or criterion answers (the context's reason says why) under the rules of a
   * first entry, the verdict derived again; a correction that would make an entry someone is enrolled on not eligible
   * is refused (a protocol deviation to report: the enrolment stands). The audit entry keeps the entry as it was.
   */
  correctScreening(
    ctx: WriteContext,
    screeningId: string,
    changes: ScreeningCorrection,
    /** The version the correction was made on: a record changed since is a conflict (never applied over it). */
    expectedVersion?: number,
  ): Promise<ScreeningEntry>;
  listScreening(filter?: SiteFilter): Promise<ScreeningEntry[]>;
  recordConsent(ctx: WriteContext, input: ConsentInput): Promise<ConsentRecord>;
  /**
   * Corrects a consent's date or form version (the context's reason says why) under the rules of a first entry, and
   * not after the enrolment that rests on it nor after an adverse event's onset (events are collected from consent);
   * the audit entry keeps it as it was.
   */
  correctConsent(
    ctx: WriteContext,
    consentId: string,
    changes: ConsentCorrection,
    /** The version the correction was made on: a record changed since is a conflict (never applied over it). */
    expectedVersion?: number,
  ): Promise<ConsentRecord>;
  /**
   * Voids a consent recorded against the wrong screening entry (with a reason; the audit keeps it): refused once a
   * participant is enrolled from that entry.
   */
  voidConsent(ctx: WriteContext, consentId: string, expectedVersion?: number): Promise<void>;
  /** Needs an eligible screening entry with consent; strata levels must be the plan's. */
  enrol(ctx: WriteContext, input: EnrolInput): Promise<Participant>;
  /**
   * Corrects an enrolment entered wrong (code, date or baseline hs-CRP; the context's reason says why) under the
   * rules of a first entry, the date also not after the infusion or an exit. Before randomization the strata follow
   * the corrected baseline; after it they stay the ones the allocation came from (analysed as randomized). The audit
   * entry keeps the enrolment as it was.
   */
  correctEnrolment(
    ctx: WriteContext,
    participantId: string,
    changes: EnrolmentCorrection,
    /** The version the correction was made on: a record changed since is a conflict (never applied over it). */
    expectedVersion?: number,
  ): Promise<Participant>;
  getParticipant(id: string): Promise<Participant | null>;
  listParticipants(filter?: SiteFilter): Promise<Participant[]>;
  recordDisposition(ctx: WriteContext, input: DispositionInput): Promise<DispositionRecord>;
  /**
   * Corrects a recorded disposition (DispositionCorrectionSchema: event, date, or the participant it belongs to) under
   * the rules of recordDisposition; an exit that would leave recorded data after a withdrawal or death is refused
   * (correct those first). Participant statuses follow; the audit entry keeps the disposition as it was.
   */
  correctDisposition(
    ctx: WriteContext,
    dispositionId: string,
    changes: DispositionCorrection,
    /** The version the correction was made on: a record changed since is a conflict (never applied over it). */
    expectedVersion?: number,
  ): Promise<DispositionRecord>;
  /**
   * Voids a disposition entered for an exit that did not happen, as a correction voids a signature: the record leaves
   * the data (exports, CONSORT), the participant is back to enrolled or randomized, and the audit entry keeps it whole.
   */
  voidDisposition(ctx: WriteContext, dispositionId: string, expectedVersion?: number): Promise<Participant>;
  listDispositions(filter?: SiteFilter & { participantId?: string }): Promise<DispositionRecord[]>;

  // Randomization and kits
  /** Unblinded pharmacist only: the kit list (kit code and the arm it contains). */
  addKits(ctx: WriteContext, kits: readonly KitInput[]): Promise<number>;
  /** Counts of unused kits per arm (unblinded roles) and in total (anyone). */
  kitStock(): Promise<{ total: number; byArm: Record<string, number> }>;
  /**
   * Atomically takes the next slot of the participant's stratum (permuted blocks) or computes the minimisation
   * allocation, assigns an unused kit of that arm and the next consecutive randomization number. A participant is
   * randomized at most once: a second call throws `trial.randomize.already`.
   */
  randomize(ctx: WriteContext, participantId: string): Promise<Allocation>;
  getAllocation(participantId: string): Promise<Allocation | null>;
  listAllocations(): Promise<Allocation[]>;
  /** Emergency unblinding of one participant: investigator only, reason required, audited. */
  emergencyUnblind(ctx: WriteContext, participantId: string): Promise<Allocation>;
  /**
   * Records the infusion; with the alerts it raised in the same transaction, as addLab answers (`dose-above-maximum`,
   * `dose-not-cleared`, and the hold or stop alerts of lab results graded again on the infusion date).
   */
  recordDose(ctx: WriteContext, input: DoseInput): Promise<{ dose: DoseRecord; alerts: AlertRecord[] }>;
  /**
   * Corrects a recorded infusion (DoseCorrectionSchema) under the rules of recordDose; a new date that would put a
   * follow-up record before the infusion is refused (correct those first). The audit entry keeps the first entry.
   * Answers as recordDose: the record with the alerts the correction raised.
   */
  correctDose(
    ctx: WriteContext,
    doseId: string,
    changes: DoseCorrection,
    /** The version the correction was made on: a record changed since is a conflict (never applied over it). */
    expectedVersion?: number,
  ): Promise<{ dose: DoseRecord; alerts: AlertRecord[] }>;

  // Outcome capture (eCRF)
  /**
   * Scores with src/instruments; one form per participant, visit and instrument (then use correctForm). A follow-up
   * visit's form is not dated before the randomization nor the infusion, a pre-treatment visit's (screening,
   * baseline) not after the infusion.
   */
  saveForm(ctx: WriteContext, input: FormInput): Promise<FormRecord>;
  /**
   * Changes item answers and/or the completion date (under saveForm's date rules); keeps every old answer with who,
   * when and why, and the form as it was in the audit; a signed form needs signing again.
   */
  correctForm(
    ctx: WriteContext,
    formId: string,
    answers: Readonly<Record<string, ItemAnswer>>,
    completedOn?: string,
    /** The version the correction was made on: a form changed since is a conflict (never applied over it). */
    expectedVersion?: number,
  ): Promise<FormRecord>;
  /** E-signature of a complete form; the server re-authenticates the signer before calling. */
  /**
   * `version`: the form's version the signer reviewed; a form changed since (a correction) is a conflict, so a
   * signature never attests content its signer did not see (21 CFR 11.50, 11.70).
   */
  signForm(ctx: WriteContext, formId: string, meaning: string, version: number): Promise<FormRecord>;
  getForm(id: string): Promise<FormRecord | null>;
  listForms(filter?: SiteFilter & { participantId?: string }): Promise<FormRecord[]>;
  listCorrections(formId: string): Promise<FormCorrection[]>;

  // Safety
  /** Grades by CTCAE and checks the hold/stop rules of the protocol; raises alerts in the same transaction. */
  addLab(ctx: WriteContext, input: LabInput): Promise<{ lab: LabRecord; alerts: AlertRecord[] }>;
  /** Corrects a result (LabCorrectionSchema) and grades it again; alerts when its action becomes hold or stop. */
  correctLab(
    ctx: WriteContext,
    labId: string,
    changes: LabCorrection,
    /** The version the correction was made on: a record changed since is a conflict (never applied over it). */
    expectedVersion?: number,
  ): Promise<{ lab: LabRecord; alerts: AlertRecord[] }>;
  listLabs(filter?: SiteFilter & { participantId?: string }): Promise<LabRecord[]>;
  addAdverseEvent(
    ctx: WriteContext,
    input: AdverseEventInput,
  ): Promise<{ event: AdverseEventRecord; alerts: AlertRecord[] }>;
  /** A follow-up (AdverseEventUpdateSchema); alerts when the event becomes serious or a SUSAR. */
  updateAdverseEvent(
    ctx: WriteContext,
    eventId: string,
    changes: AdverseEventUpdate,
    /** The version the correction was made on: a record changed since is a conflict (never applied over it). */
    expectedVersion?: number,
  ): Promise<{ event: AdverseEventRecord; alerts: AlertRecord[] }>;
  listAdverseEvents(filter?: SiteFilter & { participantId?: string }): Promise<AdverseEventRecord[]>;
  listAlerts(filter?: SiteFilter & { openOnly?: boolean }): Promise<AlertRecord[]>;
  /** Closes an open alert with what was done about it (`AlertAcknowledgementSchema`: a short text, required). */
  acknowledgeAlert(ctx: WriteContext, alertId: string, acknowledgement: unknown): Promise<AlertRecord>;

  // Users and sessions (for the server's authentication; sessions are not trial data and are not audited)
  createUser(ctx: WriteContext, input: UserInput): Promise<UserRecord>;
  countUsers(): Promise<number>;
  getUser(id: string): Promise<UserRecord | null>;
  getUserByUsername(username: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  setUserActive(ctx: WriteContext, userId: string, active: boolean): Promise<UserRecord>;
  setPasswordHash(ctx: WriteContext, userId: string, passwordHash: string): Promise<void>;
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** Sliding expiry: sets expiresAt and lastSeenAt. */
  touchSession(id: string, expiresAt: string, lastSeenAt: string): Promise<void>;
  deleteSession(id: string): Promise<void>;
  /** Deletes sessions whose expiresAt is before `now` (ISO); returns how many. */
  deleteExpiredSessions(now: string): Promise<number>;
  /**
   * Counts one sign-in attempt from a client (its address) in a fixed window of `windowMs` that starts at its first
   * attempt; returns the attempts in the current window and the milliseconds left in it (by the store's clock).
   * Atomic across processes: the servers of one database share the count. Windows that have ended are deleted.
   */
  countSignInAttempt(clientKey: string, windowMs: number): Promise<{ attempts: number; msLeft: number }>;
  /** Drops a client's count (an e-signature whose password matched: only failed ones count against the signer). */
  forgetSignInAttempts(clientKey: string): Promise<void>;
  /**
   * Takes back one attempt counted in the client's current window (a sign-in that succeeded: only failures count
   * against an address, which many users may share), never below zero; the others stay, so an account of one's own
   * cannot wipe the count of one's guesses at another.
   */
  uncountSignInAttempt(clientKey: string): Promise<void>;

  // Audit
  /** An audit-only event (login, failed login, export, view of unblinded data): no other table changes. */
  recordEvent(ctx: WriteContext, action: string, detail: unknown): Promise<void>;
  listAudit(options?: { fromSeq?: number; limit?: number }): Promise<AuditEntry[]>;
  /** Recomputes the chain: an edited, deleted, inserted or reordered row is reported. */
  verifyAudit(): Promise<AuditVerification>;

  // Exports
  /** Everything, read in one transaction, optionally one site's participants only. */
  snapshot(filter?: SiteFilter): Promise<TrialSnapshot>;

  close(): Promise<void>;
}

export interface OpenOptions {
  /** The store's clock (ISO timestamps of writes); tests pass a fixed one. Default: the system clock. */
  readonly clock?: () => Date;
  /** What the store reads from the knowledge (storeKnowledgeFor, open.ts); default: the bundled pathway's. */
  readonly knowledge?: StoreKnowledge;
}
