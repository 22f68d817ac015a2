/**
 * The engine's door, pure: given validated knowledge and trial protocols, `assess` and `match` take a parsed FHIR
 * Bundle (any JSON value; it is checked here) and return the result objects that `trd assess --json` and
 * `trd match --json` print. Bad input throws InputError with the same one-line reason the CLI prints. Every adapter
 * (the CLI, the HTTP service, population screening) calls these two functions and nothing below them.
 */
import { bundleToRecord } from '../fhir/index.ts';
import type { CodeRelevance } from '../fhir/index.ts';
import { usesCoding } from '../knowledge/index.ts';
import type { Knowledge } from '../knowledge/index.ts';
import { assess as assessRecord, assessFacts, deriveFacts } from '../pathway/index.ts';
import type { Assessment, MissingWorkup } from '../pathway/index.ts';
import { InputError, isIsoDate } from '../record/index.ts';
import type { PatientRecord } from '../record/index.ts';
import { matchTrials } from '../trials/index.ts';
import type { TrialMatchResult, TrialProtocol } from '../trials/index.ts';

export interface EvaluateOptions {
  /** YYYY-MM-DD: nothing dated after it is used. */
  readonly asOf: string;
  /** Only these trials (protocol id or registry id, case-insensitive); default all. */
  readonly trials?: readonly string[];
}

export interface Engine {
  /** The pathway this engine applies. */
  readonly pathway: { readonly id: string; readonly version: string };
  /** The care-pathway knowledge (with the trial code sets added), for adapters that read code sets. */
  readonly knowledge: Knowledge;
  readonly protocols: readonly TrialProtocol[];
  /** One patient's Bundle -> the care-pathway assessment (schema precision-trd/assessment@1). */
  assess(bundle: unknown, options: EvaluateOptions): Assessment;
  /** One patient's Bundle -> one result per trial (schema precision-trd/trial-match@1). */
  match(bundle: unknown, options: EvaluateOptions): TrialMatchResult[];
  /**
   * One patient's Bundle -> the normalized record `assess` and `match` read: only the resources the knowledge can use
   * (the others are counted in the `fhir.resource.skipped` information issue). Pass it to assessRecord and
   * matchRecord to assess and match one Bundle with one read. InputError as `assess`.
   */
  read(bundle: unknown): PatientRecord;
  /** A normalized record -> the assessment, for adapters that build records themselves (screening). */
  assessRecord(record: PatientRecord, options: EvaluateOptions): Assessment;
  matchRecord(record: PatientRecord, options: EvaluateOptions): TrialMatchResult[];
  /**
   * Both for one record with the care pathway's facts derived once (CDS Hooks patient-view and the web app show
   * both): the assessment, and the trial matches computed on the first call of `matches` (a patient outside the
   * pathway's scope may need none). Equal to assessRecord and matchRecord called separately.
   */
  assessAndMatchRecord(
    record: PatientRecord,
    options: EvaluateOptions,
  ): { assessment: Assessment; matches: () => TrialMatchResult[] };
  /**
   * The assessment and the work-up still missing whatever the decision (CDS Hooks order-sign and order-select): the
   * assessment lists the missing work-up only on the referral track (docs/care-pathway.md, definition 8), but a draft
   * order of an IL-6 blocker needs it on every track. One derivation of the facts for both.
   */
  assessForOrder(
    record: PatientRecord,
    options: EvaluateOptions,
  ): { assessment: Assessment; missingWorkup: readonly MissingWorkup[] };
}

/**
 * The Bundle as a normalized record, or InputError with the first fatal reason. Without `relevance` every resource
 * of a type the pathway reads is read (a timeline shows them all); with it, resources coded outside the knowledge
 * are skipped (Engine.read).
 */
export function readBundle(bundle: unknown, relevance?: CodeRelevance): PatientRecord {
  const record = bundleToRecord(bundle, relevance);
  if (!record.ok) {
    const first = record.issues.find((i) => i.severity === 'error') ?? record.issues[0];
    throw new InputError(first?.message ?? 'not a usable FHIR Bundle', first?.code ?? 'fhir.bundle.invalid');
  }
  return record.value;
}

/** The as-of date as given, or InputError `input.as-of.invalid`: the one check of its form, for every caller. */
export function checkAsOf(asOf: unknown): string {
  if (typeof asOf !== 'string' || !isIsoDate(asOf)) {
    throw new InputError('asOf must be a calendar date YYYY-MM-DD', 'input.as-of.invalid');
  }
  return asOf;
}

/** Protocols chosen by protocol id or registry id (case-insensitive), in the order asked. */
export function selectProtocols(
  protocols: readonly TrialProtocol[],
  wanted: readonly string[] | undefined,
): TrialProtocol[] {
  if (wanted === undefined || wanted.length === 0) return [...protocols];
  return wanted.map((w) => {
    const key = w.trim().toLowerCase();
    const found = protocols.find((p) => p.id === key || p.registry.some((r) => r.id.toLowerCase() === key));
    if (found === undefined) {
      // The id asked for is named (a word the caller typed, never file content), so that one typo in a list is found.
      throw new InputError(
        `unknown trial '${w}' (known: ${protocols.map((p) => p.id).join(', ')})`,
        'input.trial.unknown',
      );
    }
    return found;
  });
}

/**
 * `pathwayKnowledge` drives `assess`; `trialKnowledge` is the same knowledge with the trial code sets added, which
 * `match` needs. Both come from one load (see index.ts).
 */
export function engineFrom(
  pathwayKnowledge: Knowledge,
  trialKnowledge: Knowledge,
  protocols: readonly TrialProtocol[],
): Engine {
  const assessR = (record: PatientRecord, options: EvaluateOptions): Assessment =>
    assessRecord(record, pathwayKnowledge, { asOf: checkAsOf(options.asOf) });
  const matchR = (record: PatientRecord, options: EvaluateOptions): TrialMatchResult[] =>
    matchTrials(record, trialKnowledge, selectProtocols(protocols, options.trials), {
      asOf: checkAsOf(options.asOf),
    });
  // The trial knowledge holds every pathway code set too: a code either door may use is read.
  const relevance: CodeRelevance = (system, code) => usesCoding(trialKnowledge, system, code);
  const read = (bundle: unknown): PatientRecord => readBundle(bundle, relevance);
  return {
    pathway: { id: pathwayKnowledge.pathway.id, version: pathwayKnowledge.pathway.version },
    knowledge: trialKnowledge,
    protocols,
    read,
    assess: (bundle, options) => assessR(read(bundle), options),
    match: (bundle, options) => matchR(read(bundle), options),
    assessRecord: assessR,
    matchRecord: matchR,
    assessAndMatchRecord: (record, options) => {
      const asOf = checkAsOf(options.asOf);
      const selected = selectProtocols(protocols, options.trials);
      // The trial knowledge only adds code sets to the pathway's: the facts derived with either are the same.
      const facts = deriveFacts(record, pathwayKnowledge, asOf);
      let matches: TrialMatchResult[] | undefined;
      return {
        assessment: assessFacts(record, facts, pathwayKnowledge, { asOf }),
        matches: () => (matches ??= matchTrials(record, trialKnowledge, selected, { asOf, facts })),
      };
    },
    assessForOrder: (record, options) => {
      const asOf = checkAsOf(options.asOf);
      const facts = deriveFacts(record, pathwayKnowledge, asOf);
      return { assessment: assessFacts(record, facts, pathwayKnowledge, { asOf }), missingWorkup: facts.missingWorkup };
    },
  };
}
