/**
 * The patients bench/assess.ts times: many DISTINCT records, never one object assessed again and again, so that no
 * cache keyed by an id, a date or a value can make the figures look better than what screening and the service pay.
 *
 * - typical: the typical bundle (bench/typical-bundle.ts, ~31 resources) varied per patient: every resource id,
 *   fullUrl and reference renamed, every date moved by 0-60 days, every lab value scaled, 0-16 older labs added and
 *   up to 4 optional resources dropped (sizes ~27-47), entries shuffled;
 * - synthea: Synthea-shape bundles (test/synthea/generate.ts) from distinct seeds, scenarios and sizes.
 * Seeded (mulberry32), so every run times the same population.
 */
import { generateSyntheaBundle } from '../test/synthea/generate.ts';
import { typicalBundle } from './typical-bundle.ts';

export interface BenchPatient {
  readonly group: string;
  /** The bundle as the service receives it: JSON text. */
  readonly text: string;
  readonly resources: number;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const MS_PER_DAY = 86_400_000;

function shiftDate(value: string, days: number): string {
  const m = DATE.exec(value);
  if (m === null) return value;
  const moved = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - days * MS_PER_DAY);
  return moved.toISOString().slice(0, 10) + value.slice(10);
}

/** A deep copy with ids, references and dates rewritten and quantities scaled. */
function vary(value: unknown, suffix: string, days: number, scale: () => number, key = ''): unknown {
  if (typeof value === 'string') {
    if (key === 'id' || key === 'fullUrl' || key === 'reference') return `${value}-${suffix}`;
    return DATE.test(value) ? shiftDate(value, days) : value;
  }
  if (Array.isArray(value)) return value.map((v) => vary(v, suffix, days, scale));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'valueQuantity' ? scaleQuantity(v, scale()) : vary(v, suffix, days, scale, k);
  }
  return out;
}

function scaleQuantity(q: unknown, factor: number): unknown {
  if (q === null || typeof q !== 'object') return q;
  const quantity = q as { value?: unknown };
  if (typeof quantity.value !== 'number') return q;
  return { ...quantity, value: Number((quantity.value * factor).toFixed(2)) };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

interface Entry {
  resource?: { resourceType?: string; id?: string; effectiveDateTime?: string };
}

/** `count` distinct typical patients. */
export function typicalPatients(seedPath: string, count: number, seed = 1): BenchPatient[] {
  const base = typicalBundle(seedPath);
  const random = prng(seed);
  const labs = base.entry.filter((e) => (e as Entry).resource?.resourceType === 'Observation');
  const optional = (e: object): boolean => {
    const type = (e as Entry).resource?.resourceType;
    return type === 'Encounter' || type === 'Immunization' || type === 'AllergyIntolerance';
  };
  const out: BenchPatient[] = [];
  for (let i = 0; i < count; i++) {
    const entries: object[] = [...base.entry];
    for (let k = Math.floor(random() * 5); k > 0; k--) {
      const at = entries.findIndex(optional);
      if (at >= 0) entries.splice(at, 1);
    }
    const older = Math.floor(random() * 17);
    for (let k = 0; k < older; k++) {
      const lab = labs[Math.floor(random() * labs.length)] as Entry;
      const resource = { ...lab.resource, id: `${lab.resource?.id ?? 'lab'}-old${k}` };
      if (typeof resource.effectiveDateTime === 'string') {
        resource.effectiveDateTime = shiftDate(resource.effectiveDateTime, 90 + Math.floor(random() * 900));
      }
      entries.push({ resource });
    }
    const days = Math.floor(random() * 61);
    const bundle = vary({ ...base, id: `typical-${i}`, entry: shuffle(entries, random) }, `p${i}`, days, () => {
      return 0.5 + random() * 1.2;
    });
    out.push({ group: 'typical', text: JSON.stringify(bundle), resources: entries.length });
  }
  return out;
}

/** Synthea-shape bundles of about `targetResources` each, distinct seeds, both scenarios. */
export function syntheaPatients(count: number, targetResources: number, asOf: string, seed = 7): BenchPatient[] {
  const random = prng(seed);
  const out: BenchPatient[] = [];
  for (let i = 0; i < count; i++) {
    const target = Math.round(targetResources * (0.8 + random() * 0.4));
    const { bundle } = generateSyntheaBundle({
      seed: seed * 100_003 + i,
      targetResources: target,
      scenario: i % 3 === 0 ? 'no-depression' : 'one-ssri',
      asOf,
    });
    const entries = (bundle as { entry?: unknown[] }).entry ?? [];
    out.push({ group: 'synthea', text: JSON.stringify(bundle), resources: entries.length });
  }
  return out;
}
