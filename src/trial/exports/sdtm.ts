/**
 * CDISC SDTM-style domains as CSV: DM (demographics/arms; every subject who consented, screen failures included), DS
 * (disposition and milestones), IE (the criteria each subject did not meet), EX (exposure), QS
 * (questionnaire items, totals and subscales), LB (safety labs with CTCAE term and grade), SUPPLB (the CTCAE version
 * that graded each result), AE and SUPPAE (each event's expectedness, which SDTMIG 3.3 gives no AE variable), TV (the
 * protocol's visits, trial design: each VISITNUM of the subject datasets defined once), TI (the protocol's criteria,
 * trial design: each IETESTCD of IE defined once), TS (the trial summary parameters the protocol file and the store
 * hold). The variables of each dataset, in file order with their SDTMIG 3.3 metadata, are
 * those of sdtm-variables.ts (the Define-XML of define.ts describes the same list); LB test codes (NEUT, PLAT, ALT,
 * AST) are CDISC controlled terminology; QS test codes are built from each instrument's `code` (BDI2I16, BDI2TOT;
 * qsItemTest and its siblings in sdtm-variables.ts, QSTEST within 40 characters) and are this project's, not CDISC's QS terminology (licensed per instrument). DM's demographics (SEX, AGE, BRTHDTC, COUNTRY) are the ones
 * entered at enrolment and the site's country, empty where not recorded (dmDemographicsNotes says so). From
 * a blinded snapshot ARM/ACTARM read CONCEALED and EX carries the kit but not the treatment. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import type { InstrumentDefinition } from '../../instruments/index.ts';
import { InputError } from '../../record/issues.ts';
import { convertQuantity, enzymeActivityUnit } from '../../units/index.ts';
import { censoredEnds, type CensoredComparator } from '../../safety/schema.ts';
import type { Visit } from '../../trials/schema-conduct.ts';
import { ieTestCode } from '../../trials/criterion-code.ts';
import { ageInYears, toDayNumber } from '../../record/dates.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { Participant, ScreeningEntry, TrialSnapshot } from '../model.ts';
import {
  AE_CAUSALITY,
  AGE_UNIT,
  cdiscUnit,
  AE_OUTCOMES,
  ARM_NULL_REASONS,
  DS_MILESTONES,
  DS_SCREEN_FAILURE,
  DS_TERMS,
  IE_CATEGORIES,
  ieTestName,
  ieWording,
  SDTM_IETEST_MAX,
  LB_TESTS,
  REGISTRY_NAMES,
  TS_PARAMETERS,
  type TsParameter,
  qsItemTest,
  qsSubscaleTest,
  qsTotalTest,
  SDTM_DOMAINS,
  sdtmColumns,
  SDTM_DATASETS,
  SDTMIG_VERSION,
  sdtmVariables,
  splitTsValue,
  suppQualifiers,
  type QsTest,
  type SuppDomain,
  type SdtmDomain,
} from './sdtm-variables.ts';

export { SDTM_DOMAINS, type SdtmDomain } from './sdtm-variables.ts';

export type Cell = string | number | null;

/**
 * A result in the test's standard unit (UCUM conversion, src/units), or null when the unit does not convert: a
 * standard result column mixing 800 /uL and 0.8 10*9/L would mislead any summary of it. An ALT or AST in [IU]/L,
 * which the store takes as the enzyme unit laboratories report, is in U/L (enzymeActivityUnit). 12 significant digits
 * drop the conversion's floating-point tail.
 */
function standardResult(value: number, unit: string, standardUnit: string): number | null {
  if (unit === standardUnit) return value;
  const c = convertQuantity({ value, ucum: enzymeActivityUnit(unit) }, standardUnit);
  return c.ok ? Number(c.value.toPrecision(12)) : null;
}

/**
 * Rows as CSV, each value as it is, or, `spreadsheetSafe`, with a leading apostrophe on a text cell beginning with
 * = + - @ (or a tab or carriage return; csv-stringify's escape_formulas), so that entered text cannot run as a
 * formula when a person opens the file in a spreadsheet; numbers, negative study days included, are written as they
 * are either way. The SDTM datasets are data (a validator, SAS or R reads them): their verbatim values ("-2", "+ve")
 * are written exactly unless a spreadsheet copy is asked for (`trd trial export --format sdtm --spreadsheet-safe`);
 * the analysis CSV, which people open and edit in spreadsheets before `trd analyze` reads it, is always escaped.
 */
export const csvText = (rows: readonly (readonly Cell[])[], spreadsheetSafe: boolean): string =>
  stringify(
    rows.map((r) => r.map((c) => (c === null ? '' : c))),
    { escape_formulas: spreadsheetSafe },
  );

/**
 * Each participant's end of participation, by participant id: the date of their latest disposition (the exit that
 * ended it); none while no exit is recorded. DM RFPENDTC and the FHIR ResearchSubject's period end.
 */
export function participationEnds(s: Pick<TrialSnapshot, 'dispositions'>): Map<string, string> {
  const ends = new Map<string, string>();
  for (const d of s.dispositions) {
    const end = ends.get(d.participantId);
    if (end === undefined || d.on > end) ends.set(d.participantId, d.on);
  }
  return ends;
}

/**
 * A UCUM unit as SDTM writes it: its CDISC UNIT submission value (CDISC_UNITS, `10*9/L` as `10^9/L`), or the unit as
 * entered when the table has none (sdtmUnitNotes names it), never respelt by a rule.
 */
const asCdiscUnit = (ucum: string): string => cdiscUnit(ucum) ?? ucum;

/**
 * The units of LB results the CDISC_UNITS table has no submission value for (a UCUM unit the store took because it
 * converts to the test's, `10*6/L`): LBORRESU keeps them as entered, which is no CDISC UNIT term, and the person
 * exporting is told which, to map by hand or add to the table.
 */
export function sdtmUnitNotes(s: Pick<TrialSnapshot, 'labs'>): string[] {
  const unmapped = [...new Set(s.labs.map((l) => l.unit).filter((u) => cdiscUnit(u) === null))].sort();
  return unmapped.length === 0
    ? []
    : [
        `SDTM LB: unit(s) ${unmapped.join(', ')} have no CDISC UNIT submission value in the export's table: LBORRESU keeps them as entered (UCUM), which a validator will not find in codelist UNIT (C71620)`,
      ];
}

/**
 * DM AGE (SDTM_METHODS.AGE): completed years at the consent, from the birth date when entered, else the age at
 * consent entered; null when neither is recorded (or, from a birth date, without a consent date), never estimated.
 */
function ageAtConsent(p: Participant, consentedOn: string | null): number | null {
  if (p.birthDate !== null) {
    const day = consentedOn === null ? undefined : toDayNumber(consentedOn);
    return day === undefined ? null : (ageInYears(p.birthDate, day) ?? null);
  }
  return p.ageAtConsent;
}

/**
 * What DM leaves empty for want of data, in words for the person exporting: the participants enrolled without sex or
 * age (an enrolment made before the trial store recorded them, schema version 8 and earlier, or entered without),
 * the people consented but never enrolled (demographics are recorded at enrolment) and the sites without a country.
 * SEX and COUNTRY are Required in SDTMIG 3.3, AGE Expected: the values are left empty, never guessed, and said here.
 */
export function dmDemographicsNotes(s: TrialSnapshot): string[] {
  const codes = (ps: readonly Participant[]) =>
    `${ps.length} participant(s) (${ps
      .slice(0, 10)
      .map(participantSubjid)
      .join(', ')}${ps.length > 10 ? ', ...' : ''})`;
  const consentOn = new Map(s.consents.map((c) => [c.screeningId, c.consentedOn]));
  const noSex = s.participants.filter((p) => p.sex === null);
  const noAge = s.participants.filter((p) => ageAtConsent(p, consentOn.get(p.screeningId) ?? null) === null);
  const notes: string[] = [];
  if (noSex.length > 0)
    notes.push(`SDTM DM: ${codes(noSex)} have no sex recorded: SEX (Required) is empty; correct the enrolment`);
  if (noAge.length > 0)
    notes.push(
      `SDTM DM: ${codes(noAge)} have no birth date or age at consent recorded: AGE, AGEU and BRTHDTC are empty; correct the enrolment`,
    );
  const neverEnrolled = consentedNotEnrolled(s).length;
  if (neverEnrolled > 0)
    notes.push(
      `SDTM DM: ${neverEnrolled} subject(s) consented but never enrolled have no SEX or AGE: the trial store records demographics at enrolment`,
    );
  const sites = [
    ...new Set([...s.participants.map((p) => p.site), ...consentedNotEnrolled(s).map((x) => x.entry.site)]),
  ].filter((site) => s.trial.siteCountries[site] === undefined);
  if (sites.length > 0)
    notes.push(
      `SDTM DM: site(s) ${sites.sort().join(', ')} have no country: COUNTRY (Required) is empty for their subjects; set it with trd trial site-countries`,
    );
  return notes;
}

/**
 * SDTM SUBJID of a subject: the site, a hyphen and the code the site gave them (the participant code, or the
 * screening code of a person consented but never enrolled). Both codes are unique only within a site (each site
 * numbers its own), and SDTMIG 3.3 has SUBJID unique within the study: USUBJID is then STUDYID-SITEID-code. The
 * analysis CSV's `subject` and the FHIR ResearchSubject's identifier are the same value.
 */
export const siteSubjid = (site: string, code: string): string => `${site}-${code}`;

/** A participant's SDTM SUBJID (siteSubjid): its site and participant code. */
export const participantSubjid = (p: Pick<Participant, 'site' | 'participantCode'>): string =>
  siteSubjid(p.site, p.participantCode);

/** A person who consented on a screening entry no one was enrolled on: a subject without a participant code. */
export interface ScreenedSubject {
  readonly entry: ScreeningEntry;
  /** The site, a hyphen and the screening code (screening codes are unique only within a site): SDTM SUBJID. */
  readonly subjid: string;
  readonly consentedOn: string;
  /** A screen failure: the criteria make the entry ineligible. */
  readonly failed: boolean;
  /** A screen failure's date, null when unknown (or not a failure). */
  readonly failedOn: string | null;
}

/**
 * Every consented screening entry no one was enrolled on, in the log's order: SDTM DM and DS subjects (SDTMIG 3.3:
 * DM holds every subject who gave consent) and FHIR ResearchSubjects. An entry without a consent is the screening
 * log's (CONSORT), not a subject. A screen failure (ineligible) is dated when the eligibility was assessed (the
 * entry's date) if on or after the consent; an entry dated before it (screened from the record, then consented, then
 * found ineligible) does not say when, after the consent, it failed: no date rather than one before the consent. One
 * eligible or still needing data has no outcome in the store.
 */
export function consentedNotEnrolled(
  s: Pick<TrialSnapshot, 'screening' | 'consents' | 'participants'>,
): ScreenedSubject[] {
  const consentOn = new Map(s.consents.map((c) => [c.screeningId, c.consentedOn]));
  const enrolled = new Set(s.participants.map((p) => p.screeningId));
  return s.screening.flatMap((entry): ScreenedSubject[] => {
    const consentedOn = consentOn.get(entry.id);
    if (consentedOn === undefined || enrolled.has(entry.id)) return [];
    const failed = entry.verdict === 'ineligible';
    return [
      {
        entry,
        subjid: siteSubjid(entry.site, entry.screeningCode),
        consentedOn,
        failed,
        failedOn: failed && entry.screenedOn >= consentedOn ? entry.screenedOn : null,
      },
    ];
  });
}

/** The rows of each dataset, cells in the order of its variables (sdtm-variables.ts). */
export function sdtmRows(
  s: TrialSnapshot,
  protocol: TrialProtocol,
  instruments: ReadonlyMap<string, InstrumentDefinition>,
): Record<SdtmDomain, Cell[][]> {
  const study = protocol.registry[0]?.id ?? protocol.id;
  const usubjid = (p: Participant): string => `${study}-${participantSubjid(p)}`;
  const byId = new Map(s.participants.map((p) => [p.id, p]));
  /** One SUPP-- record: qualifier QNAM of the parent record numbered `seq` (IDVAR --SEQ). */
  const qualifier = (supp: SuppDomain, qnam: string, subject: string, seq: number, value: string): Cell[] => {
    const parent = SDTM_DATASETS[supp].domain;
    const q = suppQualifiers(supp).find(([name]) => name === qnam)?.[1];
    if (q === undefined) throw new Error(`${supp} has no qualifier ${qnam} (sdtm-variables.ts)`);
    return [study, parent, subject, `${parent}SEQ`, String(seq), qnam, q.label, value, q.origin, null];
  };
  const allocation = new Map(s.allocations.map((a) => [a.participantId, a]));
  // Kept when the arms are not: the date of randomization reveals no arm (DS RANDOMIZED in a blinded export).
  const randomization = new Map(s.randomizations.map((r) => [r.participantId, r]));
  const armLabel = (id: string): string =>
    protocol.arms?.find((a) => a.id === id)?.label.toUpperCase() ?? id.toUpperCase();
  const visitOf = (id: string) => protocol.visits?.find((v) => v.id === id);
  // VISITNUM: the visit's position in time order (by day, the protocol's order among equal days), from 1.
  const visitsInTime = [...(protocol.visits ?? [])].sort((a, b) => a.day - b.day);
  const visitNumber = (id: string): number | null => {
    const index = visitsInTime.findIndex((v) => v.id === id);
    return index < 0 ? null : index + 1;
  };
  // The first infusion: the reference of study days (RFSTDTC).
  const dosingDate = new Map<string, string>();
  for (const d of s.doses) {
    const first = dosingDate.get(d.participantId);
    if (first === undefined || d.administeredOn < first) dosingDate.set(d.participantId, d.administeredOn);
  }
  const studyDay = (pid: string, date: string): number | null => {
    const ref = dosingDate.get(pid);
    if (ref === undefined) return null;
    return noDayZero(Math.round((Date.parse(date) - Date.parse(ref)) / 86_400_000));
  };
  // VISITDY: the visit's planned day on the study-day scale of --DY (the protocol's day 0, the infusion, is day 1;
  // its day 7 is day 8), so that a visit done on its planned day has --DY = VISITDY.
  const plannedDay = (visitId: string): number | null => {
    const day = visitOf(visitId)?.day;
    return day === undefined ? null : noDayZero(day);
  };
  const consentOn = new Map(s.consents.map((c) => [c.screeningId, c.consentedOn]));
  // DM's reference dates (SDTMIG 3.3): first and last study drug, end of participation (the participant's last
  // disposition, which ends it), and death.
  const lastDose = new Map<string, string>();
  for (const d of s.doses) {
    const last = lastDose.get(d.participantId);
    if (last === undefined || d.administeredOn > last) lastDose.set(d.participantId, d.administeredOn);
  }
  const endOfParticipation = participationEnds(s);
  const deathOn = new Map<string, string>();
  for (const d of s.dispositions) if (d.event === 'death') deathOn.set(d.participantId, d.on);
  // A fatal adverse event (AEOUT FATAL, AESDTH Y) is a death too, before the disposition is entered: DTHFL says so,
  // DTHDTC stays empty (the event's onset is not the date of death).
  const diedOf = new Set(s.adverseEvents.filter((e) => e.outcome === 'fatal').map((e) => e.participantId));

  const dm = s.participants.map((p): Cell[] => {
    const a = allocation.get(p.id);
    const randomized = p.randomizationNumber !== null;
    // SDTMIG 3.3: the arm variables are empty, with the reason in ARMNRS, for a subject not randomized (all four) or
    // randomized without an infusion (ACTARMCD/ACTARM).
    const arm = !randomized ? null : a === undefined ? 'CONCEALED' : armLabel(a.arm);
    const armcd = !randomized ? null : a === undefined ? 'CONCEALED' : a.arm.toUpperCase();
    const dosed = dosingDate.has(p.id);
    const firstDose = dosingDate.get(p.id) ?? null;
    const finalDose = lastDose.get(p.id) ?? null;
    const died = deathOn.get(p.id) ?? null;
    const consented = consentOn.get(p.screeningId) ?? null;
    const age = ageAtConsent(p, consented);
    return [
      study,
      'DM',
      usubjid(p),
      participantSubjid(p),
      p.site,
      firstDose,
      finalDose,
      consented,
      firstDose,
      finalDose,
      endOfParticipation.get(p.id) ?? null,
      died,
      died !== null || diedOf.has(p.id) ? 'Y' : null,
      p.birthDate,
      age,
      age === null ? null : AGE_UNIT,
      p.sex,
      armcd,
      arm,
      dosed ? armcd : null,
      dosed ? arm : null,
      !randomized ? ARM_NULL_REASONS.notAssigned : dosed ? null : ARM_NULL_REASONS.notTreated,
      s.trial.siteCountries[p.site] ?? null,
    ];
  });

  // SDTMIG 3.3 DM holds every subject who gave consent, screen failures included (consentedNotEnrolled): no arm
  // (ARMNRS says why), no study drug; a screen failure's disposition ends participation.
  const neverEnrolled = consentedNotEnrolled(s);
  for (const { entry, subjid, consentedOn, failed, failedOn } of neverEnrolled) {
    dm.push([
      study,
      'DM',
      `${study}-${subjid}`,
      subjid,
      entry.site,
      null,
      null,
      consentedOn,
      null,
      null,
      failedOn,
      null,
      null,
      // No demographics: the store records them at enrolment (dmDemographicsNotes counts these subjects).
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      failed ? ARM_NULL_REASONS.screenFailure : ARM_NULL_REASONS.notAssigned,
      s.trial.siteCountries[entry.site] ?? null,
    ]);
  }
  // One record per subject: two subjects with one SUBJID (a participant code the same as a screening code of a
  // person of that site consented but never enrolled, or a site and code that read as another's, site A-1's code 2
  // as site A's 1-2) would share a USUBJID, and their DS records would read as one subject's. Refused, naming both.
  const subjects = new Map<string, string>();
  for (const [subjid, who] of [
    ...s.participants.map((p): [string, string] => [
      participantSubjid(p),
      `site ${p.site}'s participant code ${p.participantCode}`,
    ]),
    ...neverEnrolled.map(({ subjid, entry }): [string, string] => [
      subjid,
      `site ${entry.site}'s screening code ${entry.screeningCode} of a person consented but never enrolled`,
    ]),
  ]) {
    const first = subjects.get(subjid);
    if (first !== undefined) {
      throw new InputError(
        `SDTM DM: ${first} and ${who} would both be SUBJID ${subjid}, one USUBJID for two people; correct the screening code or the participant code`,
        'trial.conflict',
      );
    }
    subjects.set(subjid, who);
  }

  const ds: Cell[][] = [];
  for (const p of s.participants) {
    const events: [string, string, string, string | null][] = [];
    const consented = consentOn.get(p.screeningId);
    if (consented !== undefined) events.push([DS_MILESTONES[0], DS_MILESTONES[0], 'PROTOCOL MILESTONE', consented]);
    const r = randomization.get(p.id);
    if (p.randomizationNumber !== null)
      events.push([DS_MILESTONES[1], DS_MILESTONES[1], 'PROTOCOL MILESTONE', r?.randomizedOn ?? null]);
    for (const d of s.dispositions.filter((x) => x.participantId === p.id)) {
      events.push([DS_TERMS[d.event], DS_TERMS[d.event], 'DISPOSITION EVENT', d.on]);
    }
    events.forEach(([term, decod, cat, date], i) => ds.push([study, 'DS', usubjid(p), i + 1, term, decod, cat, date]));
  }
  for (const { subjid, consentedOn, failed, failedOn } of neverEnrolled) {
    const subject = `${study}-${subjid}`;
    ds.push([study, 'DS', subject, 1, DS_MILESTONES[0], DS_MILESTONES[0], 'PROTOCOL MILESTONE', consentedOn]);
    if (failed) ds.push([study, 'DS', subject, 2, DS_SCREEN_FAILURE, DS_SCREEN_FAILURE, 'DISPOSITION EVENT', failedOn]);
  }

  // IE (SDTMIG 3.3): the criteria each subject who consented did not meet, the exceptions only (an inclusion not met,
  // IEORRES N; an exclusion met, Y), as the screening entry records them: a screen failure's, or, a protocol
  // deviation, a participant's enrolled despite one. An answer `unknown` is not a criterion not met and has no record.
  const criteria = ieCriteria(s, protocol);
  const criterionOf = new Map(criteria.map((c) => [c.id, c]));
  const screeningOf = new Map(s.screening.map((e) => [e.id, e]));
  const ie: Cell[][] = [];
  const ieSubjects: [string, ScreeningEntry | undefined, string | undefined][] = [
    ...s.participants.map((p): [string, ScreeningEntry | undefined, string | undefined] => [
      usubjid(p),
      screeningOf.get(p.screeningId),
      consentOn.get(p.screeningId),
    ]),
    ...neverEnrolled.map(({ entry, subjid, consentedOn }): [string, ScreeningEntry, string] => [
      `${study}-${subjid}`,
      entry,
      consentedOn,
    ]),
  ];
  for (const [subject, entry, consentedOn] of ieSubjects) {
    if (entry === undefined) continue;
    const failed = new Set(entry.failed);
    const assessedOn = consentedOn !== undefined && entry.screenedOn >= consentedOn ? entry.screenedOn : null;
    for (const c of entry.criteria.filter((x) => failed.has(x.id))) {
      const t = criterionOf.get(c.id)!;
      ie.push([
        study,
        'IE',
        subject,
        ie.length + 1,
        t.testcd,
        t.test,
        IE_CATEGORIES[c.kind],
        c.kind === 'inclusion' ? 'N' : 'Y',
        c.kind === 'inclusion' ? 'N' : 'Y',
        assessedOn,
      ]);
    }
  }

  const ex = s.doses.map((d, i): Cell[] => {
    const p = byId.get(d.participantId);
    const a = allocation.get(d.participantId);
    // Unblinded, a placebo arm (no dose in the protocol) is EXTRT PLACEBO with EXDOSE 0, 0 mg of the active drug
    // (SDTMIG's placebo convention), whatever the placebo's vehicle (normal saline): its own name would read as a
    // treatment of its own given at 0 mg.
    const placebo = a !== undefined && protocol.arms?.find((x) => x.id === a.arm)?.dose === null;
    const treatment =
      a === undefined
        ? 'BLINDED STUDY TREATMENT'
        : placebo
          ? 'PLACEBO'
          : (protocol.arms?.find((x) => x.id === a.arm)?.intervention.toUpperCase() ?? a.arm);
    const dose = placebo ? 0 : d.doseMg;
    return [
      study,
      'EX',
      p === undefined ? d.participantId : usubjid(p),
      i + 1,
      treatment,
      dose,
      dose === null ? null : asCdiscUnit('mg'),
      'INTRAVENOUS',
      d.administeredOn,
      d.administeredOn, // EXENDTC: a single infusion, ended the day it was given
      d.kitCode,
      visitNumber(d.visit),
      visitOf(d.visit)?.label ?? d.visit,
    ];
  });

  const qs: Cell[][] = [];
  for (const f of s.forms) {
    const p = byId.get(f.participantId);
    const def = instruments.get(f.instrument);
    if (p === undefined || def === undefined) continue;
    const visit = visitOf(f.visit);
    const base = ({ testcd, test }: QsTest, orres: Cell, stresn: number | null): Cell[] => [
      study,
      'QS',
      usubjid(p),
      qs.length + 1,
      testcd,
      test,
      def.name,
      f.scoring,
      orres,
      stresn === null ? null : String(stresn),
      stresn,
      stresn === null && orres === null ? 'NOT DONE' : null,
      null, // QSBLFL, by flagBaselines
      visitNumber(f.visit),
      visit?.label ?? f.visit,
      plannedDay(f.visit),
      f.completedOn,
      studyDay(f.participantId, f.completedOn),
    ];
    // An answer the scoring refused (out of range, not a whole number, a BDI-II 16/18 answer without its option)
    // keeps its QSORRES as entered but has no standard result: it is not a response of the instrument.
    const refused = new Set(f.score.issues.map((i) => i.path));
    for (const item of def.items) {
      const answer = f.answers[String(item.number)] ?? null;
      const options = def.optionItems[String(item.number)];
      const response =
        answer === null || refused.has(`${def.id}.item.${item.number}`)
          ? null
          : options !== undefined
            ? (options[String(answer)] ?? null)
            : Number(answer);
      qs.push(base(qsItemTest(def, item), answer, Number.isFinite(response) ? response : null));
    }
    qs.push(base(qsTotalTest(def, f.scoring), f.score.total, f.score.total));
    for (const sub of def.subscales) {
      const v = f.score.subscales[sub.id] ?? null;
      qs.push(base(qsSubscaleTest(def, sub, f.scoring), v, v));
    }
  }

  // LBTOX is the toxicity LBTOXGR grades, the CTCAE term from the protocol's table (knowledge/safety/), and is empty
  // when no grade could be given; the table's version is a qualifier of each graded result (SUPPLB CTCAEVER), since
  // SDTMIG 3.3 leaves the scale and its version out of LB itself.
  const supplb: Cell[][] = [];
  const lb = s.labs.map((l, i): Cell[] => {
    const p = byId.get(l.participantId);
    const subject = p === undefined ? l.participantId : usubjid(p);
    const graded = l.assessment.grade !== null;
    if (graded) supplb.push(qualifier('SUPPLB', 'CTCAEVER', subject, i + 1, l.assessment.ctcaeVersion));
    const t: { code: string; name: string; category: string; unit: string } = LB_TESTS[l.analyte] ?? {
      code: l.analyte.toUpperCase(),
      name: l.analyte,
      category: 'OTHER',
      unit: l.unit,
    };
    const converted = standardResult(l.value, l.unit, t.unit);
    // A censored result keeps its comparator in LBORRES and LBSTRESC ("<5"); LBSTRESN, numeric, is empty (SDTMIG).
    const censor = l.comparator ?? '';
    const stresn = censor === '' ? converted : null;
    const visit = visitOf(l.visit);
    return [
      study,
      'LB',
      subject,
      i + 1,
      t.code,
      t.name,
      t.category,
      `${censor}${l.value}`,
      asCdiscUnit(l.unit),
      converted === null ? null : `${censor}${converted}`,
      stresn,
      converted === null ? null : asCdiscUnit(t.unit),
      l.lowerLimitOfNormal,
      l.upperLimitOfNormal,
      l.lowerLimitOfNormal === null ? null : standardResult(l.lowerLimitOfNormal, l.unit, t.unit),
      l.upperLimitOfNormal === null ? null : standardResult(l.upperLimitOfNormal, l.unit, t.unit),
      rangeIndicator(l.value, l.lowerLimitOfNormal, l.upperLimitOfNormal, l.comparator ?? undefined),
      null, // LBBLFL, by flagBaselines
      l.assessment.grade,
      graded ? l.assessment.term : null,
      visitNumber(l.visit),
      visit?.label ?? l.visit,
      plannedDay(l.visit),
      l.collectedOn,
      studyDay(l.participantId, l.collectedOn),
    ];
  });

  const yn = (b: boolean): string => (b ? 'Y' : 'N');
  const suppae: Cell[][] = [];
  const ae = s.adverseEvents.map((e, i): Cell[] => {
    const p = byId.get(e.participantId);
    const subject = p === undefined ? e.participantId : usubjid(p);
    const c = new Set(e.seriousCriteria);
    suppae.push(qualifier('SUPPAE', 'AEEXPECT', subject, i + 1, e.expectedness.toUpperCase()));
    return [
      study,
      'AE',
      subject,
      i + 1,
      e.term,
      e.onsetOn,
      studyDay(e.participantId, e.onsetOn),
      e.grade,
      yn(e.serious),
      AE_CAUSALITY[e.relatedness],
      AE_OUTCOMES[e.outcome],
      yn(c.has('death')),
      yn(c.has('life-threatening')),
      yn(c.has('hospitalisation')),
      yn(c.has('disability')),
      yn(c.has('congenital-anomaly')),
      yn(c.has('important-medical-event')),
    ];
  });

  // TV: the protocol's visits in VISITNUM order, the same in every arm (ARMCD empty); the start rule in words from
  // the visit's day and window (the protocol's day 0 is the infusion).
  const tv = visitsInTime.map((v, i): Cell[] => [
    study,
    'TV',
    i + 1,
    v.label,
    noDayZero(v.day),
    null,
    visitStartRule(v),
  ]);

  // TI: the protocol's criteria at its version, then any IE names that it does not define (ieCriteria), each with the
  // IETESTCD, IETEST and IECAT that IE writes.
  const ti = criteria.map((c): Cell[] => [study, 'TI', c.testcd, c.test, IE_CATEGORIES[c.kind], c.version]);

  // TS: the trial's characteristics the protocol file and the store hold (TS_PARAMETERS), each written only with its
  // value: none is guessed. The planned ages only from a verified inclusion criterion that gives both bounds as
  // allowed ages (an unverified [U] one, or bounds exclusive, would state a planned age the protocol may not have).
  // A value over SDTMIG's 200 characters (a long title) continues in TSVAL1 ... TSVALn (splitTsValue), columns after
  // TSVAL that every TS row then has (sdtmVariables), empty where its value fits.
  const ts: Cell[][] = [];
  const continued: string[][] = [];
  const parameter = (code: TsParameter, value: string, valueCode: string | null = null, ref: string | null = null) => {
    const [first, ...more] = splitTsValue(value);
    continued.push(more);
    ts.push([
      study,
      'TS',
      ts.filter((r) => r[3] === code).length + 1,
      code,
      TS_PARAMETERS[code].name,
      first!,
      valueCode,
      ref,
      null,
    ]);
  };
  parameter('TITLE', protocol.title);
  for (const r of protocol.registry) parameter('REGID', r.id, r.id, REGISTRY_NAMES[r.system]);
  if (protocol.arms !== undefined) parameter('NARMS', String(protocol.arms.length));
  const ages = protocol.criteria.flatMap((c) =>
    c.kind === 'inclusion' && c.test.type === 'age-between' ? [{ ...c.test, verified: c.verified }] : [],
  );
  const age = ages.length === 1 && ages[0]!.verified && ages[0]!.inclusive ? ages[0]! : undefined;
  if (age !== undefined) {
    parameter('AGEMIN', `P${age.minYears}Y`);
    parameter('AGEMAX', `P${age.maxYears}Y`);
  }
  const studyStart = s.participants
    .map((p) => consentOn.get(p.screeningId))
    .filter((d): d is string => d !== undefined)
    .sort()[0];
  if (studyStart !== undefined) parameter('SSTDTC', studyStart);
  parameter('SDTIGVER', SDTMIG_VERSION);
  const tsvalAt = sdtmColumns('TS').indexOf('TSVAL') + 1;
  const pieces = Math.max(...continued.map((c) => c.length));
  ts.forEach((row, i) => row.splice(tsvalAt, 0, ...Array.from({ length: pieces }, (_, k) => continued[i]![k] ?? null)));

  const firstDoseOf = new Map(s.participants.map((p) => [usubjid(p), dosingDate.get(p.id)]));
  flagBaselines('QS', qs, firstDoseOf);
  flagBaselines('LB', lb, firstDoseOf);
  return {
    DM: dm,
    DS: ds,
    IE: ie,
    EX: ex,
    QS: qs,
    LB: lb,
    SUPPLB: supplb,
    AE: ae,
    SUPPAE: suppae,
    TV: tv,
    TI: ti,
    TS: ts,
  };
}

/** A criterion as IE, TI and define.xml name it (ieCriteria). */
export interface IeCriterion {
  readonly id: string;
  readonly kind: 'inclusion' | 'exclusion';
  readonly testcd: string;
  /** IETEST, within SDTMIG's 200 characters. */
  readonly test: string;
  /** The full wording, define.xml's decode of the IETESTCD. */
  readonly wording: string;
  /** TIVERS: the protocol's version; null for a criterion it does not define (the version that did is not held). */
  readonly version: string | null;
}

/**
 * The criteria of IE, TI and define.xml's IETESTCD codelist: the protocol's, in its order, at its version, then each
 * criterion a screening entry of an IE subject records as not met that the protocol no longer defines (an entry
 * screened under an earlier version, before an amendment). SDTMIG 3.3 puts every version's criteria in TI
 * (TIVERS); the store holds only the protocol it was initialised with, not the earlier version's wording, so such a
 * criterion is listed as recorded: its IETESTCD from its id and kind (ieTestCode), its IETEST saying it is not a
 * criterion of this version, TIVERS empty; the IE record stays. Two criteria of one IETESTCD or one IETEST are
 * refused, naming both (the protocol's own are refused when it loads; this is the backstop).
 */
export function ieCriteria(
  s: Pick<TrialSnapshot, 'screening' | 'consents' | 'participants'>,
  protocol: TrialProtocol,
): IeCriterion[] {
  const criteria: IeCriterion[] = protocol.criteria.map((c) => ({
    id: c.id,
    kind: c.kind,
    testcd: ieTestCode(protocol.id, c),
    test: ieTestName(protocol.criteria, c),
    wording: ieWording(protocol.criteria, c),
    version: protocol.version,
  }));
  const defined = new Set(criteria.map((c) => c.id));
  const enrolled = new Set(s.participants.map((p) => p.screeningId));
  const ieEntries = [...s.screening.filter((e) => enrolled.has(e.id)), ...consentedNotEnrolled(s).map((x) => x.entry)];
  for (const entry of ieEntries) {
    const failed = new Set(entry.failed);
    for (const c of entry.criteria) {
      if (!failed.has(c.id) || defined.has(c.id)) continue;
      defined.add(c.id);
      const test = `${c.id}: recorded at screening, not a criterion of protocol ${protocol.id} version ${protocol.version}`;
      criteria.push({
        id: c.id,
        kind: c.kind,
        testcd: ieTestCode(protocol.id, c),
        test: test.slice(0, SDTM_IETEST_MAX),
        wording: test,
        version: null,
      });
    }
  }
  criteria.forEach((c, i) => {
    const code = criteria.slice(0, i).find((x) => x.testcd === c.testcd);
    if (code !== undefined) {
      throw new InputError(
        `SDTM IE: the criteria ${code.id} and ${c.id} of protocol ${protocol.id} give one IETESTCD ${c.testcd}; rename one id so that its words differ`,
        'trial.conflict',
      );
    }
    const name = criteria.slice(0, i).find((x) => x.test === c.test);
    if (name !== undefined) {
      throw new InputError(
        `SDTM IE: the criteria ${name.id} and ${c.id} of protocol ${protocol.id} give one IETEST "${c.test}" (their wording within 200 characters); make their text differ`,
        'trial.conflict',
      );
    }
  });
  return criteria;
}

/**
 * LBNRIND (SDTM_METHODS.LBNRIND): the result against the laboratory's limits, in the unit entered. NORMAL needs both
 * limits: a count at or above its lower limit with no upper one may still be high, and is left empty. A censored
 * result has the indicator every value it allows has ("<5" U/L against 7-40 is LOW), and none when they differ.
 */
function rangeIndicator(
  value: number,
  low: number | null,
  high: number | null,
  comparator?: CensoredComparator,
): string | null {
  if (comparator !== undefined) {
    const [a, b] = censoredEnds(value, comparator).map((v) => rangeIndicator(v, low, high));
    return a === b ? (a ?? null) : null;
  }
  if (low !== null && value < low) return 'LOW';
  if (high !== null && value > high) return 'HIGH';
  return low !== null && high !== null ? 'NORMAL' : null;
}

/**
 * TV TVSTRL: when a visit starts, in the protocol's terms (its day from the infusion, protocol day 0, and its
 * window), e.g. `7 days after the infusion (protocol day 7), window day 5 to day 9`.
 */
function visitStartRule(v: Visit): string {
  const when =
    v.day === 0
      ? 'The day of the infusion (protocol day 0)'
      : `${Math.abs(v.day)} day${Math.abs(v.day) === 1 ? '' : 's'} ${v.day < 0 ? 'before' : 'after'} the infusion (protocol day ${v.day})`;
  return v.windowBefore === 0 && v.windowAfter === 0
    ? when
    : `${when}, window day ${v.day - v.windowBefore} to day ${v.day + v.windowAfter}`;
}

/** A count of days from the reference date (RFSTDTC, the first infusion) as an SDTM study day: there is no day 0. */
const noDayZero = (days: number): number => (days >= 0 ? days + 1 : days);

/**
 * --BLFL (SDTM_METHODS.BLFL): Y on each subject's last record of a test with a result, dated on or before the first
 * infusion (RFXSTDTC); of records on one date, the last written. Nothing for a subject without an infusion.
 */
function flagBaselines(domain: 'QS' | 'LB', rows: Cell[][], firstDoseOf: ReadonlyMap<Cell, string | undefined>): void {
  const columns = sdtmColumns(domain);
  const [subject, testcd, result, date, flag] = ['USUBJID', 'TESTCD', 'ORRES', 'DTC', 'BLFL'].map((name) =>
    columns.indexOf(name === 'USUBJID' ? name : `${domain}${name}`),
  ) as [number, number, number, number, number];
  const baseline = new Map<string, Cell[]>();
  for (const row of rows) {
    const firstDose = firstDoseOf.get(row[subject]!);
    const on = row[date];
    if (firstDose === undefined || typeof on !== 'string' || on.slice(0, 10) > firstDose.slice(0, 10)) continue;
    if (row[result] === null || row[result] === '') continue;
    const key = `${String(row[subject])}\u0000${String(row[testcd])}`;
    const best = baseline.get(key);
    if (best === undefined || on >= (best[date] as string)) baseline.set(key, row);
  }
  for (const row of baseline.values()) row[flag] = 'Y';
}

/**
 * The datasets as CSV, values exactly as in the rows (and as define.xml measures them); `spreadsheetSafe` writes a
 * copy for opening in a spreadsheet instead, its text cells that begin like a formula prefixed with an apostrophe
 * (csvText), which is not the submission data.
 */
export function sdtmDomains(
  s: TrialSnapshot,
  protocol: TrialProtocol,
  instruments: ReadonlyMap<string, InstrumentDefinition>,
  options: { readonly spreadsheetSafe?: boolean } = {},
): Record<SdtmDomain, string> {
  const rows = sdtmRows(s, protocol, instruments);
  const safe = options.spreadsheetSafe === true;
  return Object.fromEntries(
    SDTM_DOMAINS.map((d) => [d, csvText([sdtmVariables(d, rows[d]).map((v) => v.name), ...rows[d]], safe)]),
  ) as Record<SdtmDomain, string>;
}
