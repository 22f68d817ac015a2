/**
 * A vignette: one synthetic patient (a FHIR Bundle), the as-of date it is assessed on, what it tests, and the result
 * fields the care pathway (docs/care-pathway.md) demands for it. The expectations come from the spec, not
 * from running the engine.
 */
import type { Bundle } from '@medplum/fhirtypes';
import type { ScopeResultReason } from '../../../src/knowledge/schema-pathway.ts';

export type ExpectedRecommendation =
  | 'out-of-scope'
  | 'confirm-history'
  | 'not-trd'
  | 'contraindicated'
  | 'measure-crp'
  | 'repeat-crp'
  | 'not-inflamed'
  | 'refer-to-trial';

export type ExpectedInflammation = 'unknown' | 'indeterminate' | 'acute' | 'elevated' | 'normal';

export interface Expected {
  readonly recommendation: ExpectedRecommendation;
  readonly adequateTrials: number;
  readonly unverifiedTrials: number;
  readonly inflammation: ExpectedInflammation;
  /** mg/L of the CRP the status rests on (the censoring limit for a censored result); absent when none is used. */
  readonly crpMgPerL?: number;
  /** Exact sets of codes (order-insensitive). */
  readonly contraindications: readonly string[];
  readonly cautions: readonly string[];
  /**
   * The cautions that rest only on records naming their medicine without a listed code (`toConfirm`: docs/care-pathway.md,
   * "Medications named without a listed code"); compared only when given.
   */
  readonly cautionsToConfirm?: readonly string[];
  readonly missingWorkup: readonly string[];
  /** Informational comorbid IL-6-responsive diseases (definition 10); compared only when given. */
  readonly comorbidIl6Disease?: readonly string[];
  /** Definition 0: `in-scope` or the out-of-scope reason; compared only when given. */
  readonly scope?: ScopeResultReason;
  /** Definition 7a: the exact set of safety-alert codes; compared only when given. */
  readonly safetyAlerts?: readonly string[];
  /** Data-issue codes the result must list (others may be listed too); compared only when given. */
  readonly issuesInclude?: readonly string[];
  /** The care-pathway definition the expectation tests, e.g. 'care-pathway 1.1 def 3a'. */
  readonly cite?: string;
}

export interface Vignette {
  /** Kebab-case, also the file name: test/fixtures/vignettes/<id>.json. */
  readonly id: string;
  readonly asOf: string;
  /** What the vignette tests, one sentence. */
  readonly tests: string;
  readonly build: () => Bundle;
  readonly expected: Expected;
}
