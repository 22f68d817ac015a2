/**
 * `npm run golden -- write <dir>` / `npm run golden -- check <dir>`: the assessment and trial-match JSON of every
 * vignette (test/fixtures/vignettes), every demo patient (examples/), and a few hundred distinct bench patients
 * (bench/population.ts: typical and Synthea-shape), through the engine's public door. `write` stores one JSON file per
 * patient; `check` recomputes them and lists every patient whose output differs, with the first differing path.
 * Run `write` before a change to the engine and `check` after it: a change meant to be invisible leaves nothing listed.
 *
 * `--ignore-skipped` leaves out the wording of the adapter's "skipped N resources" information issue, whose counts
 * move when the adapter reads fewer resource kinds (docs/care-pathway.md, "What goes in").
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../src/engine/index.ts';
import { syntheaPatients, typicalPatients } from './population.ts';

const AS_OF = '2026-11-27';
const root = fileURLToPath(new URL('..', import.meta.url));

interface Case {
  readonly id: string;
  readonly text: string;
  readonly asOf: string;
}

function cases(): Case[] {
  const out: Case[] = [];
  const vignetteDir = join(root, 'test/fixtures/vignettes');
  const manifest = JSON.parse(readFileSync(join(vignetteDir, 'manifest.json'), 'utf8')) as {
    vignettes: { id: string; file: string; asOf: string }[];
  };
  for (const v of manifest.vignettes) {
    out.push({ id: `vignette-${v.id}`, text: readFileSync(join(vignetteDir, v.file), 'utf8'), asOf: v.asOf });
  }
  const demoDir = join(root, 'examples/demo');
  const demo = JSON.parse(readFileSync(join(demoDir, 'index.json'), 'utf8')) as {
    asOf: string;
    patients: { id: string; file: string }[];
  };
  for (const p of demo.patients) {
    out.push({ id: `demo-${p.id}`, text: readFileSync(join(demoDir, p.file), 'utf8'), asOf: demo.asOf });
  }
  const seedPath = join(root, 'examples/seed-vignette.json');
  out.push({ id: 'seed-vignette', text: readFileSync(seedPath, 'utf8'), asOf: AS_OF });
  for (const f of readdirSync(join(root, 'test/fixtures/synthea')).filter((f) => f.endsWith('.json'))) {
    out.push({ id: `synthea-${f}`, text: readFileSync(join(root, 'test/fixtures/synthea', f), 'utf8'), asOf: AS_OF });
  }
  typicalPatients(seedPath, 300, 5).forEach((p, i) => out.push({ id: `typical-${i}`, text: p.text, asOf: AS_OF }));
  syntheaPatients(90, 300, AS_OF, 17).forEach((p, i) => out.push({ id: `synthea300-${i}`, text: p.text, asOf: AS_OF }));
  syntheaPatients(6, 2000, AS_OF, 19).forEach((p, i) =>
    out.push({ id: `synthea2000-${i}`, text: p.text, asOf: AS_OF }),
  );
  return out;
}

const SKIPPED = 'fhir.resource.skipped';

function outputOf(engine: ReturnType<typeof createEngine>, c: Case, ignoreSkipped: boolean): unknown {
  const run = (f: () => unknown): unknown => {
    try {
      return f();
    } catch (error) {
      return { threw: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  };
  const assessment = run(() => engine.assess(JSON.parse(c.text), { asOf: c.asOf }));
  const match = run(() => engine.match(JSON.parse(c.text), { asOf: c.asOf }));
  const out = { assessment, match };
  return ignoreSkipped ? JSON.parse(JSON.stringify(out), (k, v: unknown) => dropSkipped(v)) : out;
}

/** An issue list without the skipped-resources information issue. */
function dropSkipped(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.filter((x) => !(typeof x === 'object' && x !== null && (x as { code?: unknown }).code === SKIPPED));
}

function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path}: ${JSON.stringify(a)?.slice(0, 200)} -> ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== undefined) return d;
  }
  if (JSON.stringify(Object.keys(a)) !== JSON.stringify(Object.keys(b))) return `${path}: key order differs`;
  return undefined;
}

const [mode, dir] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const ignoreSkipped = process.argv.includes('--ignore-skipped');
if ((mode !== 'write' && mode !== 'check') || dir === undefined) {
  console.error('usage: tsx bench/golden.ts write|check <dir> [--ignore-skipped]');
  process.exit(2);
}
const engine = createEngine();
const all = cases();
if (mode === 'write') mkdirSync(dir, { recursive: true });
let differing = 0;
let added = 0;
for (const c of all) {
  const file = join(dir, `${c.id}.json`);
  const output = outputOf(engine, c, ignoreSkipped);
  if (mode === 'write') {
    writeFileSync(file, JSON.stringify(output, null, 1));
    continue;
  }
  if (!existsSync(file)) {
    added++; // a case written after the golden (a new vignette): nothing to compare it with
    continue;
  }
  const stored = readFileSync(file, 'utf8');
  const expected = (
    ignoreSkipped ? JSON.parse(stored, (k, v: unknown) => dropSkipped(v)) : JSON.parse(stored)
  ) as unknown;
  const got = JSON.parse(JSON.stringify(output)) as unknown;
  const d = firstDifference(expected, got);
  if (d !== undefined) {
    differing++;
    if (differing <= 40) console.log(`${c.id}${d}`);
  }
}
console.log(
  mode === 'write'
    ? `wrote ${all.length} patients to ${dir}`
    : `${all.length - added} patients compared, ${differing} differ${differing === 0 ? '' : ' (first 40 listed)'}${added === 0 ? '' : `; ${added} new, not in the golden`}`,
);
process.exit(differing === 0 ? 0 : 1);
