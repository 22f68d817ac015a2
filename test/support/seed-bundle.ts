/**
 * The seed vignette (examples/seed-vignette.json: hs-CRP 7 mg/L on 2026-11-06, two adequate antidepressant trials,
 * referred to a trial) as raw FHIR, for tests that add resources to it or change one of its own.
 */
import { readFileSync } from 'node:fs';

export interface SeedResource {
  resourceType: string;
  id: string;
  [key: string]: unknown;
}

export const seed = JSON.parse(readFileSync(new URL('../../examples/seed-vignette.json', import.meta.url), 'utf8')) as {
  entry: { fullUrl?: string; resource: SeedResource }[];
};

/** The seed vignette with extra resources. */
export function seedWith(...extra: SeedResource[]): unknown {
  return { ...seed, entry: [...seed.entry, ...extra.map((resource) => ({ resource }))] };
}
