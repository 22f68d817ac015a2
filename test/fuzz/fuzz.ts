/**
 * An in-process mutation fuzzer over real-shape inputs: FHIR Bundles (the seed, the vignettes, a Synthea excerpt),
 * trial CSVs for `trd analyze` and care-pathway files. fast-check draws mutations (replace a value somewhere in the
 * document with a hostile one, delete it, duplicate an entry); each mutated input goes through the real doors (the
 * engine's assess and match, the knowledge parser, the whole `trd analyze` command line) and must satisfy:
 * - the only exception is InputError (src/record/issues.ts), with one printable line;
 * - no result holds a non-finite number;
 * - the same input gives the same output;
 * - a refused CLI run prints exactly one line `trd: ...` and exits 2.
 * test/fuzz.test.ts runs it with a fixed seed and a small budget; `npm run fuzz` runs it longer.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createEngine, InputError } from '../../src/engine/index.ts';
import { engineFrom } from '../../src/engine/engine.ts';
import { parseKnowledge, type KnowledgeFile } from '../../src/knowledge/parse.ts';
import { loadTrials } from '../../src/trials/load.ts';
import { trd } from '../../src/cli/run.test-support.ts';
import { MADRS_ANALYZE_OPTIONS, MADRS_CSV } from '../../src/stats/golden.test-support.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const AS_OF = '2026-11-27';

/** Values an attacker or a broken export puts where a field should be. */
const HOSTILE: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  -0.5,
  1e-300,
  2e301,
  1.7976931348623157e308,
  2 ** 53,
  '',
  ' ',
  'toString',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '0000-01-01',
  '0045-06-01T00:00:00Z',
  '9999-12-31',
  '2026-02-30',
  '2026-11-27T25:61:00+99:00',
  '\u001b[31mred\u001b[0m',
  '\u202eevil',
  'x'.repeat(5000),
  'Patient/other',
  'urn:uuid:00000000-0000-0000-0000-000000000000',
  [],
  {},
  [null],
  { resourceType: 'Patient', id: 'dup' },
  { value: -5, unit: 'mg/L', system: 'http://unitsofmeasure.org', code: 'mg/L' },
  { value: 5, unit: 'toString', system: 'http://unitsofmeasure.org', code: 'toString' },
  { value: 2e301, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
  { value: 1e308, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' },
  { start: '2026-12-31', end: '2020-01-01' },
];

/** Whole resources about the patient, each with hostile fields, appended to a Bundle by the `append` mutation. */
const HOSTILE_RESOURCES: readonly Record<string, unknown>[] = [
  {
    resourceType: 'MedicationDispense',
    id: 'fz-dispense',
    status: 'completed',
    subject: { reference: 'Patient/seed-patient' },
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '36437' }] },
    whenHandedOver: '2026-06-01',
    daysSupply: { value: 30, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' },
    quantity: {
      value: 30,
      unit: 'tablet',
      system: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm',
      code: 'TAB',
    },
  },
  {
    resourceType: 'MedicationRequest',
    id: 'fz-request',
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/seed-patient' },
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '321988' }] },
    authoredOn: '2026-01-01',
    dosageInstruction: [
      {
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        doseAndRate: [{ doseQuantity: { value: 20, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
      },
    ],
    dispenseRequest: {
      numberOfRepeatsAllowed: 2,
      expectedSupplyDuration: { value: 30, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' },
    },
  },
  {
    resourceType: 'MedicationAdministration',
    id: 'fz-administration',
    status: 'completed',
    subject: { reference: 'Patient/seed-patient' },
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '612865' }] },
    effectiveDateTime: '2026-10-01',
  },
  {
    resourceType: 'Observation',
    id: 'fz-crp',
    status: 'final',
    subject: { reference: 'Patient/seed-patient' },
    code: { coding: [{ system: 'http://loinc.org', code: '30522-7' }] },
    effectiveDateTime: '2026-11-01',
    valueQuantity: { value: 4, unit: 'mg/L', system: 'http://unitsofmeasure.org', code: 'mg/L' },
  },
];

type Json = unknown;
type Path = readonly (string | number)[];

/** Every path in a JSON document (depth-first), the root excluded. */
function pathsOf(doc: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => {
      out.push([...prefix, i]);
      pathsOf(v, [...prefix, i], out);
    });
  } else if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}

export interface Mutation {
  readonly op: 'replace' | 'delete' | 'duplicate' | 'append';
  readonly at: number;
  readonly value: number;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'duplicate', 'append'),
  at: fc.nat(),
  value: fc.nat(HOSTILE.length - 1),
});
export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });

/** Applies the mutations to a copy of `doc`, each at a path chosen among the copy's current paths. */
export function mutate(doc: Json, mutations: readonly Mutation[]): Json {
  const copy = structuredClone(doc);
  // Appended resources come first, so that the other mutations can then reach their fields.
  const ordered = [...mutations.filter((m) => m.op === 'append'), ...mutations.filter((m) => m.op !== 'append')];
  // After an append, the other mutations aim inside the appended resources (hostile fields in a new medication record).
  let appended: number | undefined;
  for (const m of ordered) {
    if (m.op === 'append') {
      const entries = (copy as { entry?: unknown })?.entry;
      if (Array.isArray(entries)) {
        appended ??= entries.length;
        entries.push({ resource: structuredClone(HOSTILE_RESOURCES[m.value % HOSTILE_RESOURCES.length]) });
      }
      continue;
    }
    const all = pathsOf(copy);
    const first = appended;
    const inside =
      first === undefined ? [] : all.filter((p) => p[0] === 'entry' && Number(p[1]) >= first && p.length > 3);
    const paths = inside.length > 0 ? inside : all;
    if (paths.length === 0) break;
    const path = paths[m.at % paths.length]!;
    const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], copy);
    const key = path[path.length - 1]!;
    const container = parent as Record<string | number, Json>;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete container[key];
    } else if (m.op === 'duplicate' && Array.isArray(parent)) {
      parent.splice(key as number, 0, structuredClone(parent[key as number]));
    } else {
      // A string is replaced by a hostile string (a code, a date, a reference) more often than by another type.
      const strings = HOSTILE.filter((h) => typeof h === 'string');
      const value =
        typeof container[key] === 'string' && m.value % 2 === 0 ? strings[m.value % strings.length] : HOSTILE[m.value];
      container[key] = structuredClone(value);
    }
  }
  return copy;
}

/** Throws when `value` holds a non-finite number anywhere. */
export function assertFinite(value: unknown, where = '$'): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `non-finite number at ${where}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertFinite(v, `${where}[${i}]`));
  else if (value instanceof Map) for (const [k, v] of value) assertFinite(v, `${where}.${String(k)}`);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) assertFinite(v, `${where}.${k}`);
  }
}

/** An InputError with one printable line; anything else is rethrown as a finding. */
function expectInputError(error: unknown, label: string): string {
  if (!(error instanceof InputError)) {
    throw new Error(`${label}: threw ${(error as Error)?.name ?? typeof error}: ${(error as Error)?.message}`, {
      cause: error,
    });
  }
  // eslint-disable-next-line no-control-regex -- refusals must not carry control characters
  assert.doesNotMatch(error.message, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/, `${label}: control character`);
  assert.ok(error.message.length > 0 && error.message.length <= 400, `${label}: message length`);
  return error.message;
}

/** The outcome of one engine call, as a string to compare between two runs. */
function outcome(run: () => unknown, label: string): string {
  try {
    const result = run();
    assertFinite(result);
    return JSON.stringify(result);
  } catch (error) {
    return `InputError: ${expectInputError(error, label)}`;
  }
}

const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;

export function bundleSeeds(): Json[] {
  const vignettes = join(ROOT, 'test', 'fixtures', 'vignettes');
  const picked = readdirSync(vignettes)
    .filter((name) => name.endsWith('.json') && name !== 'manifest.json')
    .sort()
    .filter((_, i) => i % 6 === 0)
    .map((name) => readJson(join(vignettes, name)));
  return [
    readJson(join(ROOT, 'examples', 'seed-vignette.json')),
    readJson(join(ROOT, 'test', 'fixtures', 'synthea', 'Flavia315_Walker122-excerpt.json')),
    ...picked,
  ];
}

export interface FuzzOptions {
  readonly seed: number;
  readonly bundleRuns: number;
  readonly pathwayRuns: number;
  readonly csvRuns: number;
}

/** Bundles through engine.assess and engine.match: InputError only, finite numbers, deterministic. */
export function fuzzBundles(options: FuzzOptions): void {
  const engine = createEngine();
  const seeds = bundleSeeds();
  fc.assert(
    fc.property(fc.nat(seeds.length - 1), mutationsArb, (which, mutations) => {
      const bundle = mutate(seeds[which], mutations);
      for (const door of ['assess', 'match'] as const) {
        const run = () => engine[door](structuredClone(bundle), { asOf: AS_OF });
        const first = outcome(run, door);
        assert.equal(outcome(run, door), first, `${door}: same input, same output`);
      }
    }),
    { seed: options.seed, numRuns: options.bundleRuns },
  );
}

/** Pathway files through the knowledge parser, then (when accepted) the engine on the seed. */
export function fuzzPathways(options: FuzzOptions): void {
  const dir = join(ROOT, 'knowledge');
  const codeSets = readdirSync(join(dir, 'codesets'))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name): KnowledgeFile => ({
      path: `knowledge/codesets/${name}`,
      json: readJson(join(dir, 'codesets', name)),
    }));
  const base: KnowledgeFile[] = [
    { path: 'knowledge/citations.json', json: readJson(join(dir, 'citations.json')) },
    ...codeSets,
  ];
  const pathway = readJson(join(dir, 'pathway', 'care-pathway.json'));
  const seed = readJson(join(ROOT, 'examples', 'seed-vignette.json'));
  fc.assert(
    fc.property(mutationsArb, (mutations) => {
      const files = [...base, { path: 'pathway.json', json: mutate(pathway, mutations) }];
      const parsed = parseKnowledge(files);
      if (!parsed.ok) {
        assert.ok(parsed.issues.length > 0);
        for (const i of parsed.issues) assert.doesNotMatch(i.message, /\n/, 'one line per issue');
        return;
      }
      const trials = loadTrials(parsed.value);
      const engine = engineFrom(parsed.value, trials.knowledge, trials.protocols);
      const first = outcome(() => engine.assess(structuredClone(seed), { asOf: AS_OF }), 'assess (mutated pathway)');
      assert.equal(
        outcome(() => engine.assess(structuredClone(seed), { asOf: AS_OF }), 'assess'),
        first,
      );
    }),
    { seed: options.seed, numRuns: options.pathwayRuns },
  );
}

/** A trial CSV with cells, headers or rows mutated, through the whole `trd analyze` command line (in-process). */
export async function fuzzCsv(options: FuzzOptions): Promise<void> {
  const text = readFileSync(MADRS_CSV, 'utf8');
  const rows = text
    .trim()
    .split('\n')
    .slice(0, 121)
    .map((line) => line.split(','));
  const cellsArb = fc.array(
    fc.record({
      row: fc.nat(rows.length - 1),
      col: fc.nat(rows[0]!.length - 1),
      value: fc.oneof(
        fc.constantFrom(
          '',
          'NA',
          '-1',
          '0',
          '1e-300',
          '2e301',
          'toString',
          '__proto__',
          'constructor',
          '0',
          'baseline',
          '"',
          '\u001b[2J',
        ),
        fc.string({ maxLength: 8 }),
      ),
    }),
    { minLength: 1, maxLength: 6 },
  );
  const args = [...MADRS_ANALYZE_OPTIONS, '--biomarker', 'crp', '--biomarker-cut', '3', '--json'];
  await fc.assert(
    fc.asyncProperty(cellsArb, async (cells) => {
      const copy = rows.map((r) => [...r]);
      for (const c of cells) copy[c.row]![c.col] = c.value.replace(/[,\n\r]/g, ' ');
      const csv = `${copy.map((r) => r.join(',')).join('\n')}\n`;
      const run = await trd(['analyze', '-', ...args], csv);
      assert.ok(run.code === 0 || run.code === 2, `exit ${run.code}: ${run.stderr}`);
      if (run.code === 2) {
        assert.match(run.stderr, /^trd: [^\n]+\n$/, 'one line per refusal');
        assert.equal(run.stdout, '');
      } else {
        const again = await trd(['analyze', '-', ...args], csv);
        assert.equal(again.stdout, run.stdout, 'same input, same output');
      }
    }),
    { seed: options.seed, numRuns: options.csvRuns },
  );
}
