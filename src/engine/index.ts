/**
 * The library entry point (package export "."): `createEngine()` loads and validates the bundled knowledge once and
 * returns an Engine whose `assess` and `match` take a parsed FHIR Bundle. This file reads the knowledge files; the
 * engine itself (engine.ts) is pure.
 *
 *   import { createEngine } from 'precision-trd';
 *   const engine = createEngine();
 *   const assessment = engine.assess(bundle, { asOf: '2026-11-27' });
 *   console.log(assessment.recommendation.code);
 */
import { resolve } from 'node:path';
import { displayPath, KnowledgeError, loadKnowledge } from '../knowledge/load.ts';
import { InputError } from '../record/index.ts';
import { loadTrials, TrialsError } from '../trials/load.ts';
import { engineFrom } from './engine.ts';
import type { Engine } from './engine.ts';

export type { Engine, EvaluateOptions } from './engine.ts';
export { InputError } from '../record/index.ts';
export type { Assessment, MissingWorkup } from '../pathway/index.ts';
export type { TrialMatchResult } from '../trials/index.ts';

export interface EngineOptions {
  /** A care-pathway JSON file to use instead of the bundled one. */
  readonly pathway?: string;
}

/**
 * Loads the knowledge (bundled, or with `options.pathway`) and the trial protocols. An invalid pathway file throws
 * InputError (the caller chose it); a broken bundled knowledge file throws KnowledgeError or TrialsError.
 */
export function createEngine(options: EngineOptions = {}): Engine {
  let knowledge;
  try {
    knowledge = loadKnowledge(options.pathway === undefined ? {} : { pathwayFile: options.pathway });
  } catch (error) {
    if (error instanceof KnowledgeError && options.pathway !== undefined) {
      throw new InputError(`invalid pathway: ${error.message}`, 'input.pathway.invalid');
    }
    throw error;
  }
  let trials;
  try {
    trials = loadTrials(knowledge);
  } catch (error) {
    // The bundled protocols read the pathway's cautions: one the given pathway file lacks is that file's problem (the
    // protocols load with the bundled pathway), not a broken bundled file.
    const ofPathway = error instanceof TrialsError && error.issues.every((i) => PATHWAY_ISSUES.has(i.code));
    if (ofPathway && options.pathway !== undefined) {
      const first = error.issues[0]?.message ?? '';
      const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
      throw new InputError(
        `invalid pathway: ${displayPath(resolve(options.pathway))}: lacks what a trial protocol reads: ${first}${more}`,
        'input.pathway.invalid',
      );
    }
    throw error;
  }
  return engineFrom(knowledge, trials.knowledge, trials.protocols);
}

/** Protocol load problems that name something only the pathway file defines (a caution a criterion reads). */
const PATHWAY_ISSUES: ReadonlySet<string> = new Set(['trials.caution.unknown']);

export { KnowledgeError, TrialsError };
