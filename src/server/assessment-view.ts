/**
 * Fields of the assessment that pathway 1.1 adds (`scope`, `safetyAlerts`), read defensively so the service works
 * with a 1.0 engine too: an absent field means "not reported", never "no risk".
 */
import type { Assessment } from '../engine/index.ts';

export interface SafetyAlert {
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly evidence: readonly string[];
  readonly citation?: string;
}

export interface Scope {
  readonly inScope: boolean;
  readonly reason: string;
}

export function safetyAlertsOf(assessment: Assessment): readonly SafetyAlert[] {
  const alerts = (assessment as { safetyAlerts?: unknown }).safetyAlerts;
  return Array.isArray(alerts) ? (alerts as SafetyAlert[]) : [];
}

export function scopeOf(assessment: Assessment): Scope {
  const scope = (assessment as { scope?: Scope }).scope;
  if (scope !== undefined) return scope;
  const outOfScope = assessment.recommendation.code === 'out-of-scope';
  return { inScope: !outOfScope, reason: outOfScope ? 'no-depression' : 'in-scope' };
}
