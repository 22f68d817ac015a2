/**
 * The committed vignette bundles read back from test/fixtures/vignettes/ with their manifest entries, and a one-call
 * `assessBundle` (bundleToRecord -> assess with the bundled knowledge), for the property and CLI tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { bundleToRecord } from '../../src/fhir/index.ts';
import type { Knowledge } from '../../src/knowledge/index.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';
import type { Assessment } from '../../src/pathway/assessment.ts';
import { assess } from '../../src/pathway/index.ts';
import { MANIFEST_FILE, VIGNETTE_DIR } from './vignettes/index.ts';
import type { Expected } from './vignettes/index.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface LoadedVignette {
  readonly id: string;
  readonly asOf: string;
  readonly expected: Expected;
  readonly bundle: Bundle;
}

export function loadVignettes(): LoadedVignette[] {
  const dir = join(REPO_ROOT, VIGNETTE_DIR);
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as {
    vignettes: { id: string; file: string; asOf: string; expected: Expected }[];
  };
  return manifest.vignettes.map((v) => ({
    id: v.id,
    asOf: v.asOf,
    expected: v.expected,
    bundle: JSON.parse(readFileSync(join(dir, v.file), 'utf8')) as Bundle,
  }));
}

let knowledge: Knowledge | undefined;

/** Assess a bundle with the bundled knowledge (loaded once); throws if the bundle is not a valid one-patient Bundle. */
export function assessBundle(bundle: Bundle, asOf: string): Assessment {
  knowledge ??= loadKnowledge();
  const record = bundleToRecord(bundle);
  if (!record.ok) throw new Error(record.issues.map((i) => i.message).join('; '));
  return assess(record.value, knowledge, { asOf });
}

/** A copy of the bundle with extra resources appended (each under its own fullUrl). */
export function withResources(bundle: Bundle, resources: readonly Resource[]): Bundle {
  const added: BundleEntry[] = resources.map((resource) => ({
    fullUrl: `https://example.org/fhir/${resource.resourceType}/${resource.id ?? ''}`,
    resource,
  }));
  return { ...bundle, entry: [...(bundle.entry ?? []), ...added] };
}

/**
 * The assessment as order-free data: every array sorted by its elements' canonical JSON, recursively. Two results
 * that differ only in the order of list items (which carries no meaning for evidence lists) compare equal.
 */
export function orderFree(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(orderFree).sort((a, b) => {
      const ja = JSON.stringify(a);
      const jb = JSON.stringify(b);
      return ja < jb ? -1 : ja > jb ? 1 : 0;
    });
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, orderFree(v)]));
  }
  return value;
}
