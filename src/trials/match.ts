/**
 * Trial matching: each protocol criterion is evaluated by the one tested evaluator of its test type (the dispatcher
 * below), turned into a criterion status by its kind, and the statuses into a verdict:
 * - inclusion: `met` when the test holds, `not-met` when it fails, `unknown` otherwise;
 * - exclusion: `met` (excluded) when the test fails, i.e. the excluding fact is present; `not-met` when it holds on
 *   recorded data, or on the EHR's silence only if the criterion says `absentIfNotRecorded`; `unknown` otherwise.
 *   `manual` criteria are always `unknown`.
 * - a criterion with `appliesTo` that the record places the patient outside of (a male, a child, for a pregnancy
 *   exclusion) is not asked: an inclusion is `met`, an exclusion `not-met`, and the reason says why; unless its test
 *   fails on recorded data (a recorded pregnancy), which decides whatever appliesTo says, or a record on file leaves it
 *   undecided (an unreadable hCG), which stays `unknown`.
 * - verdict: `ineligible` if any inclusion is not met or any exclusion is met; `eligible` if every inclusion is met and
 *   every exclusion is not met; `needs-data` otherwise, with the items to collect.
 * The clinical derivations come from the care pathway (deriveFacts), computed once per patient for all protocols.
 */
import type { Knowledge } from '../knowledge/index.ts';
import type { Citation } from '../knowledge/schema-codesets.ts';
import { evidenceDates, evidenceDatesOf } from '../pathway/evidence-dates.ts';
import { deriveFacts } from '../pathway/index.ts';
import type { ClinicalFacts } from '../pathway/index.ts';
import { toDayNumber } from '../record/index.ts';
import type { PatientRecord } from '../record/index.ts';
import type { MatchContext, TestOutcome } from './context.ts';
import { checkProtocol } from './parse.ts';
import type { CriterionResult, CriterionStatus, TrialMatchResult, TrialVerdict } from './result.ts';
import { TRIAL_MATCH_SCHEMA } from './result.ts';
import type { Applicability, Criterion, CriterionTest, TrialProtocol } from './schema.ts';
import { adequateTrialsAtLeast, currentAntidepressant } from './tests/antidepressants.ts';
import { diagnosisIn, noConditionIn, noInfectionWithin } from './tests/conditions.ts';
import { noContraindication } from './tests/contraindications.ts';
import { noPathwayCaution } from './tests/cautions.ts';
import { crpThreshold } from './tests/crp.ts';
import { ageBetween, notPregnantOrBreastfeeding } from './tests/demographics.ts';
import { labThreshold } from './tests/labs.ts';
import { antidepressantStableIfTaking } from './tests/antidepressant-if-taking.ts';
import { noMedicationIn } from './tests/medications.ts';
import { scaleThreshold } from './tests/scales.ts';

/** The single dispatcher over the closed set of test types. */
export function evaluateTest(ctx: MatchContext, test: CriterionTest): TestOutcome {
  switch (test.type) {
    case 'age-between':
      return ageBetween(ctx, test);
    case 'diagnosis-in':
      return diagnosisIn(ctx, test);
    case 'crp-at-least':
    case 'crp-below':
      return crpThreshold(ctx, test);
    case 'adequate-trials-at-least':
      return adequateTrialsAtLeast(ctx, test);
    case 'current-adequate-antidepressant':
    case 'current-antidepressant':
      return currentAntidepressant(ctx, test);
    case 'scale-total-at-least':
    case 'scale-total-below':
      return scaleThreshold(ctx, test);
    case 'antidepressant-stable-if-taking':
      return antidepressantStableIfTaking(ctx, test);
    case 'lab-at-least':
    case 'measurement-at-most':
      return labThreshold(ctx, test);
    case 'no-contraindication':
      return noContraindication(ctx, test);
    case 'not-pregnant-or-breastfeeding':
      return notPregnantOrBreastfeeding(ctx);
    case 'no-condition-in':
      return noConditionIn(ctx, test);
    case 'no-medication-in':
      return noMedicationIn(ctx, test);
    case 'no-pathway-caution':
      return noPathwayCaution(ctx, test);
    case 'no-infection-within':
      return noInfectionWithin(ctx, test);
    case 'manual':
      return {
        holds: undefined,
        reason: 'Not recorded in the EHR: ask the patient',
        evidence: [],
        collect: test.question,
      };
  }
}

function statusOf(criterion: Criterion, outcome: TestOutcome): { status: CriterionStatus; silenceNote?: string } {
  if (outcome.holds === undefined) return { status: 'unknown' };
  if (criterion.kind === 'inclusion') return { status: outcome.holds ? 'met' : 'not-met' };
  if (!outcome.holds) return { status: 'met' };
  if (outcome.bySilence === true && !criterion.absentIfNotRecorded) return { status: 'unknown' };
  if (outcome.bySilence === true)
    return { status: 'not-met', silenceNote: ' (nothing recorded; the protocol accepts that)' };
  return { status: 'not-met' };
}

/**
 * Why the record places the patient outside the people the criterion applies to (a male, or a 7-year-old, for a
 * pregnancy exclusion), or undefined when it applies or the record cannot say (unknown sex or age: it applies).
 */
function outsideOf(ctx: MatchContext, applicability: Applicability): string | undefined {
  const { sex, age, ageRange } = ctx.facts.patient;
  if (applicability.sex !== undefined && sex !== undefined && sex !== 'unknown' && !applicability.sex.includes(sex)) {
    return `${sex} patient`;
  }
  if (age === undefined) return undefined;
  // A birth date given as a year or month allows two ages: outside only if both are (born in 1965: 60 or 61 may be
  // inside 10-60), as the age criterion reads it (tests/demographics.ts ageBetween).
  const youngest = ageRange?.youngest ?? age;
  const oldest = ageRange?.oldest ?? age;
  const shown = ageRange === undefined ? `age ${age}` : `age ${youngest} or ${oldest}`;
  if (applicability.minAgeYears !== undefined && oldest < applicability.minAgeYears) return shown;
  if (applicability.maxAgeYears !== undefined && youngest > applicability.maxAgeYears) return shown;
  return undefined;
}

/** A criterion that does not apply: an inclusion holds, an exclusion's excluding fact cannot be present. */
function notApplicable(ctx: MatchContext, applicability: Applicability, why: string): TestOutcome {
  const outcome = {
    holds: true,
    reason: `Does not apply: ${why} (applies to ${applicability.who})`,
    evidence: [ctx.facts.patient.reference],
  };
  if (applicability.verified) return outcome;
  return {
    ...outcome,
    unverifiedNotes: [`who the criterion applies to (${applicability.who}) [${applicability.citation}]`],
  };
}

export function evaluateCriterion(ctx: MatchContext, criterion: Criterion): CriterionResult {
  const outside = criterion.appliesTo === undefined ? undefined : outsideOf(ctx, criterion.appliesTo);
  const tested = evaluateTest(ctx, criterion.test);
  // `appliesTo` only stops asking (no pregnancy test for a man or a 61-year-old); it never overrides a finding on
  // record: a test that fails on recorded data (a positive pregnancy test, the pathway's pregnancy contraindication)
  // decides whoever the patient is, and one left undecided by a record it cannot read (an hCG without an
  // interpretation at 62: its evidence) stays unknown, since the age range is a default [U] and someone tested.
  const onRecord = tested.holds === false || (tested.holds === undefined && tested.evidence.length > 0);
  const outcome =
    criterion.appliesTo !== undefined && outside !== undefined && !onRecord
      ? notApplicable(ctx, criterion.appliesTo, outside)
      : tested;
  const { status, silenceNote } = statusOf(criterion, outcome);
  const notes = outcome.unverifiedNotes ?? [];
  const unverifiedNotes = criterion.verified
    ? [...notes]
    : [criterion.note ?? 'criterion not verified against the primary source', ...notes];
  const reason = silenceNote === undefined ? outcome.reason : outcome.reason + silenceNote;
  const verified = criterion.verified && notes.length === 0;
  // One literal (one object shape for every criterion of every protocol, per patient); `collect` is undefined unless
  // the status is unknown, and JSON leaves an undefined field out.
  return {
    id: criterion.id,
    kind: criterion.kind,
    text: criterion.text,
    registryText: criterion.registryText,
    test: criterion.test.type,
    status,
    reason,
    evidence: outcome.evidence,
    collect: status === 'unknown' ? (outcome.collect ?? criterion.text) : undefined,
    citation: criterion.citation,
    verified,
    unverifiedNotes,
  };
}

/** The verdict rule, shared with the trial's screening log (src/trial/screening.ts). */
export function verdictOf(criteria: readonly Pick<CriterionResult, 'id' | 'kind' | 'status'>[]): {
  verdict: TrialVerdict;
  failed: string[];
} {
  const failed = criteria
    .filter((c) => (c.kind === 'inclusion' && c.status === 'not-met') || (c.kind === 'exclusion' && c.status === 'met'))
    .map((c) => c.id);
  if (failed.length > 0) return { verdict: 'ineligible', failed };
  return { verdict: criteria.some((c) => c.status === 'unknown') ? 'needs-data' : 'eligible', failed };
}

function summaryOf(protocol: TrialProtocol, verdict: TrialVerdict, criteria: readonly CriterionResult[]): string {
  const count = (pred: (c: CriterionResult) => boolean): number => criteria.filter(pred).length;
  const unknown = count((c) => c.status === 'unknown');
  const name = protocol.registry[0]?.id ?? protocol.id;
  switch (verdict) {
    case 'ineligible': {
      const failed = criteria.filter(
        (c) => (c.kind === 'inclusion' && c.status === 'not-met') || (c.kind === 'exclusion' && c.status === 'met'),
      );
      // Each criterion by its wording, as the page and the card's reader know it, never its id in the protocol file.
      return `Not eligible for ${name}: ${failed.map((c) => `${c.kind} "${c.text}" (${c.reason})`).join('; ')}`;
    }
    case 'needs-data':
      return `Possibly eligible for ${name}: no criterion excludes the patient, ${unknown} need data (${count((c) => c.status === 'unknown' && c.test === 'manual')} only the patient or clinician can answer)`;
    case 'eligible':
      return `Eligible for ${name} on the recorded data: all ${count((c) => c.kind === 'inclusion')} inclusion criteria met, no exclusion present`;
  }
}

/** The citations the criteria use: the protocol's own block first, then the registry (checked at load). */
function citationsOf(knowledge: Knowledge, protocol: TrialProtocol): Readonly<Record<string, Citation>> {
  const out: Record<string, Citation> = {};
  for (const { citation: key } of protocol.criteria) {
    const found = protocol.citations[key] ?? knowledge.citations.get(key);
    if (found !== undefined) out[key] = found;
  }
  return Object.freeze(out);
}

/** One row per criterion with something to collect (a loop: Array.prototype.flatMap is several times slower here). */
function toCollectOf(criteria: readonly CriterionResult[]): TrialMatchResult['toCollect'] {
  const rows: { criterion: string; item: string }[] = [];
  for (const c of criteria) if (c.collect !== undefined) rows.push({ criterion: c.id, item: c.collect });
  return rows;
}

/** One protocol's match (matchTrials shares one lookup of the evidence dates between its protocols). */
export function matchProtocol(ctx: MatchContext, protocol: TrialProtocol): TrialMatchResult {
  return matchedWith(
    ctx,
    protocol,
    protocol.criteria.map((c) => evaluateCriterion(ctx, c)),
    undefined,
  );
}

/** `dates`: the evidence dates already looked up for the record; undefined: looked up for these criteria. */
function matchedWith(
  ctx: MatchContext,
  protocol: TrialProtocol,
  criteria: CriterionResult[],
  dates: Readonly<Record<string, string>> | undefined,
): TrialMatchResult {
  const { verdict, failed } = verdictOf(criteria);
  return {
    schema: TRIAL_MATCH_SCHEMA,
    trial: {
      id: protocol.id,
      version: protocol.version,
      title: protocol.title,
      registry: protocol.registry,
      population: protocol.population,
    },
    patient: { reference: ctx.facts.patient.reference },
    asOf: ctx.asOf,
    verdict,
    summary: summaryOf(protocol, verdict, criteria),
    failed,
    toCollect: toCollectOf(criteria),
    criteria,
    unverified: criteria.filter((c) => !c.verified).map((c) => c.id),
    citations: resolvedCitations(ctx.knowledge, protocol),
    evidenceDates:
      dates === undefined
        ? evidenceDates(ctx.record, citedRefs(criteria))
        : evidenceDatesOf(dates, citedRefs(criteria)),
  };
}

function citedRefs(criteria: readonly CriterionResult[], into = new Set<string>()): Set<string> {
  for (const c of criteria) for (const r of c.evidence) into.add(r);
  return into;
}

/**
 * Protocols already checked against a knowledge object, with the citations their criteria use: the check and the
 * citations cost nothing on repeated calls, and every result of a protocol shares its (frozen) citations.
 */
const checked = new WeakMap<Knowledge, WeakMap<TrialProtocol, Readonly<Record<string, Citation>>>>();

/**
 * Every code set and citation a protocol names must be in the knowledge (loadTrials / addTrialCodeSets add the trial
 * code sets); otherwise a lookup would fail mid-match. A programmer error, so it throws.
 */
function assertResolvable(protocols: readonly TrialProtocol[], knowledge: Knowledge): void {
  let seen = checked.get(knowledge);
  if (seen === undefined) {
    seen = new WeakMap();
    checked.set(knowledge, seen);
  }
  for (const protocol of protocols) {
    if (seen.has(protocol)) continue;
    const problems = checkProtocol(protocol, knowledge);
    if (problems.length > 0) {
      const hint = 'load the knowledge with loadTrials() or addTrialCodeSets()';
      throw new Error(`${problems.map((p) => p.message).join('; ')} (${hint})`);
    }
    seen.set(protocol, citationsOf(knowledge, protocol));
  }
}

/** The citations of a protocol that assertResolvable has checked against this knowledge. */
function resolvedCitations(knowledge: Knowledge, protocol: TrialProtocol): Readonly<Record<string, Citation>> {
  return checked.get(knowledge)?.get(protocol) ?? citationsOf(knowledge, protocol);
}

/**
 * Match one patient against trial protocols as of a date (nothing dated after it is used).
 * @param options.asOf YYYY-MM-DD; throws on anything else (a programmer error: the CLI validates it first).
 * @param options.facts the care pathway's facts already derived from this record on this asOf (the engine's
 *   assessAndMatchRecord shares them with the assessment); derived here when absent.
 */
export function matchTrials(
  record: PatientRecord,
  knowledge: Knowledge,
  protocols: readonly TrialProtocol[],
  options: { asOf: string; facts?: ClinicalFacts },
): TrialMatchResult[] {
  const asOfDay = toDayNumber(options.asOf);
  if (asOfDay === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf)) {
    throw new Error(`asOf must be a YYYY-MM-DD date, got "${options.asOf}"`);
  }
  assertResolvable(protocols, knowledge);
  const facts = options.facts ?? deriveFacts(record, knowledge, options.asOf);
  const ctx: MatchContext = { record, knowledge, facts, asOf: options.asOf, asOfDay, memo: new Map() };
  const criteria = protocols.map((p) => p.criteria.map((c) => evaluateCriterion(ctx, c)));
  // One pass over the record for the evidence of every protocol (a Synthea-size record holds thousands of resources).
  const cited = new Set<string>();
  for (const list of criteria) citedRefs(list, cited);
  const dates = evidenceDates(record, cited);
  return protocols.map((p, i) => matchedWith(ctx, p, criteria[i] as CriterionResult[], dates));
}
