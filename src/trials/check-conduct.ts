/**
 * Cross-checks of a protocol's conduct blocks (src/trials/schema-conduct.ts): citations resolve, ids are unique,
 * visits and outcomes refer to each other, and a trial that has arms also has the rest it needs to run. Pure.
 */
import { issue, type Issue } from '../record/index.ts';
import type { TrialProtocol } from './schema.ts';

export function checkConduct(protocol: TrialProtocol, known: (citation: string) => boolean, path: string): Issue[] {
  const issues: Issue[] = [];
  const bad = (field: string, message: string): void => {
    issues.push(issue('trials.conduct.invalid', `${path}: ${field}: ${message}`));
  };
  const cite = (field: string, key: string): void => {
    if (!known(key)) issues.push(issue('trials.citation.unknown', `${path}: ${field}: unknown citation "${key}"`));
  };
  const unique = (field: string, ids: readonly string[]): void => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) bad(field, `"${id}" repeats`);
      seen.add(id);
    }
  };
  const { arms, stratification, visits, outcomes, safety } = protocol;
  arms?.forEach((a, i) => {
    cite(`arms[${i}].citation`, a.citation);
    if (a.dose !== null) cite(`arms[${i}].dose.citation`, a.dose.citation);
  });
  unique('arms', arms?.map((a) => a.id) ?? []);
  stratification?.forEach((f, i) => {
    cite(`stratification[${i}].citation`, f.citation);
    unique(
      `stratification[${i}].levels`,
      f.levels.map((l) => l.id),
    );
  });
  unique('stratification', stratification?.map((f) => f.id) ?? []);
  visits?.forEach((v, i) => cite(`visits[${i}].citation`, v.citation));
  unique('visits', visits?.map((v) => v.id) ?? []);
  const visitIds = new Set(visits?.map((v) => v.id) ?? []);
  if (outcomes !== undefined) {
    [outcomes.primary, ...outcomes.secondary].forEach((o, i) => {
      const field = i === 0 ? 'outcomes.primary' : `outcomes.secondary[${i - 1}]`;
      cite(`${field}.citation`, o.citation);
      for (const v of o.visits) if (!visitIds.has(v)) bad(`${field}.visits`, `unknown visit "${v}"`);
      const collected = visits?.some((v) => o.visits.includes(v.id) && v.instruments.includes(o.instrument));
      if (collected !== true) bad(`${field}.instrument`, `"${o.instrument}" is not collected at its visits`);
    });
  }
  safety?.rules.forEach((r, i) => cite(`safety.rules[${i}].citation`, r.citation));
  unique('safety.rules', safety?.rules.map((r) => r.id) ?? []);
  if (arms !== undefined) {
    for (const [name, block] of [
      ['visits', visits],
      ['safety', safety],
      ['stratification', stratification],
    ] as const) {
      if (block === undefined) bad(name, 'a protocol with arms needs this block to run the trial');
    }
    if (visits !== undefined && visits.filter((v) => v.dosing).length !== 1) {
      bad('visits', 'exactly one visit must be the dosing visit');
    }
  }
  return issues;
}
