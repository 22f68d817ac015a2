/**
 * Agreement on 10,000 synthetic patients: `trd screen` on FHIR NDJSON, on OMOP in DuckDB and on OMOP in PostgreSQL
 * gives every patient the recommendation, scope and contraindications that the engine gives on that patient's own
 * Bundle (what `trd assess` reads), and the recommendation of the generator's ground truth (src/synth/truth.ts,
 * derived from what was generated, not from the engine). The population holds every contraindication, a tocilizumab
 * allergy among them (some recorded as a tocilizumab product: a Branded Drug, the brand name Actemra), and deliveries
 * after positive pregnancy tests: facts OMOP keeps in tables of their own (observation, procedure_occurrence), which
 * the screen on OMOP must read as the FHIR path does.
 *
 * PostgreSQL: PGlite in-process by default; the real server when TRD_PG_URL is set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CONTRAINDICATION_CODES, RECOMMENDATION_CODES } from '../knowledge/schema-pathway.ts';
import { patientBundle } from '../synth/fhir.ts';
import { personId } from '../synth/omop.ts';
import type { SynthPatient } from '../synth/population.ts';
import { truthOf, thresholdsFrom, type Truth, type TruthThresholds } from '../synth/truth.ts';
import { AS_OF, postgresWithOmop, readLines, writePopulation, type Population } from './fixtures.test-support.ts';
import type { ScreenLine } from './result-line.ts';
import { runScreen, screenPaths, type RunIdentity } from './run.ts';
import { openNdjsonSource } from './sources/ndjson.ts';
import { duckDbRunner, openOmopSource } from './sources/omop.ts';
import type { ScreenSource } from './sources/source.ts';

const N = 10_000;
const CUT_OFFS = [1, 2, 5];
let pop: Population;
/** Per patient id: the engine's verdict on the patient's own Bundle. */
const expected = new Map<string, { code: string; scope?: string; contraindications: string[] }>();
const truths = new Map<string, Truth>();
let thresholds: TruthThresholds;

before(async () => {
  pop = await writePopulation(N, 20261127);
  thresholds = thresholdsFrom(pop.engine.knowledge);
  for (const p of pop.patients) {
    const a = pop.engine.assess(patientBundle(p, AS_OF), { asOf: AS_OF }) as ReturnType<typeof pop.engine.assess> & {
      scope?: { reason: string };
    };
    expected.set(p.id, {
      code: a.recommendation.code,
      ...(a.scope === undefined ? {} : { scope: a.scope.reason }),
      contraindications: a.contraindications.map((c) => c.code),
    });
    truths.set(p.id, truthOf(p, AS_OF, thresholds));
  }
});

after(() => rmSync(pop.dir, { recursive: true, force: true }));

/** Scope reasons of pathway 1.1 that a 1.0 engine does not know: compared with the truth only from 1.1 on. */
const SCOPE_1_1 = new Set(['deceased', 'minor', 'bipolar', 'psychotic-disorder']);
const engineHasScope = (): boolean => !pop.engine.pathway.version.startsWith('1.0');

/** `workers`: worker threads for the engine (the CLI's default), or 0 for the screen's own thread. */
async function screen(name: string, open: () => Promise<ScreenSource>, workers = 2): Promise<ScreenLine[]> {
  const paths = screenPaths(join(pop.dir, `${name}.ndjson`));
  const identity: RunIdentity = {
    source: name,
    asOf: AS_OF,
    pathway: pop.engine.pathway,
    engine: 'test',
    shard: '1/1',
    cutOffs: CUT_OFFS,
  };
  const outcome = await runScreen({
    openSource: open,
    paths,
    identity,
    engine: pop.engine,
    asOf: AS_OF,
    cutOffs: CUT_OFFS,
    workers,
  });
  assert.equal(outcome.completed, true);
  return readLines<ScreenLine>(paths.out);
}

function checkAgreement(lines: readonly ScreenLine[], idOf: (patient: string) => string): void {
  assert.equal(lines.length, N, 'one line per patient');
  let truthCompared = 0;
  const disagreements: string[] = [];
  for (const line of lines) {
    const id = idOf(line.patient);
    const e = expected.get(id);
    assert.ok(e !== undefined, `unknown patient in the output`);
    const got = {
      code: line.recommendation.code,
      scope: line.scope?.reason,
      contraindications: line.contraindications,
    };
    const want = { code: e.code, scope: e.scope, contraindications: e.contraindications };
    if (JSON.stringify(got) !== JSON.stringify(want))
      disagreements.push(`${id}: screen ${JSON.stringify(got)} engine ${JSON.stringify(want)}`);
    const t = truths.get(id) as Truth;
    const patient = pop.patients[Number(id.replace(/\D/g, ''))] as SynthPatient;
    // A later remission code ending the episode is also new in 1.1.
    if (engineHasScope() || (!SCOPE_1_1.has(t.scope) && patient.remissionDate === undefined)) {
      truthCompared++;
      if (t.code !== line.recommendation.code)
        disagreements.push(`${id}: screen ${line.recommendation.code} truth ${t.code}`);
      if (t.code === 'contraindicated') assert.deepEqual(line.contraindications, t.contraindications, id);
      if (line.atCutOff !== undefined) {
        for (const c of CUT_OFFS) {
          const tc = truthOf(patient, AS_OF, { ...thresholds, cutOffMgPerL: c });
          if (tc.code !== line.atCutOff[String(c)])
            disagreements.push(`${id}: at cut-off ${c} screen ${line.atCutOff[String(c)]} truth ${tc.code}`);
        }
      }
    }
  }
  assert.deepEqual(disagreements.slice(0, 20), [], `${disagreements.length} disagreements`);
  // Before pathway 1.1 (scope rules), minors, deceased, bipolar, psychotic and remitted patients are left out.
  assert.ok(truthCompared >= (engineHasScope() ? N : N * 0.7), `compared with the ground truth: ${truthCompared}`);
  // The population exercises every recommendation, so agreement is not agreement on one easy case.
  const codes = new Set(lines.map((l) => l.recommendation.code));
  for (const c of RECOMMENDATION_CODES) {
    assert.ok(codes.has(c), `no patient with ${c}`);
  }
  // And every contraindication, a tocilizumab allergy among them (OMOP: an allergy observation naming tocilizumab).
  const contraindications = new Set(lines.flatMap((l) => l.contraindications));
  for (const c of CONTRAINDICATION_CODES) assert.ok(contraindications.has(c), `no patient with ${c}`);
  // A delivery after a positive pregnancy test (OMOP: procedure_occurrence) ends the pregnancy the test stood for.
  const ended = new Set(pop.patients.filter((p) => p.pregnancyEnded !== undefined).map((p) => p.id));
  const endedLines = lines.filter((l) => ended.has(idOf(l.patient)));
  assert.ok(endedLines.length >= 20, `patients with a delivery after a positive test: ${endedLines.length}`);
  for (const l of endedLines) assert.ok(!l.contraindications.includes('pregnancy'), `${l.patient}: pregnancy ended`);
  // A tocilizumab allergy recorded as a product, a Branded Drug or the brand name Actemra (OMOP: reached through
  // drug_strength and "Brand name of"; FHIR: by the product's name), is the hypersensitivity contraindication.
  for (const kind of ['branded-drug', 'brand-name'] as const) {
    const ids = new Set(pop.patients.filter((p) => p.allergyProduct === kind).map((p) => p.id));
    const found = lines.filter((l) => ids.has(idOf(l.patient)));
    assert.ok(found.length >= 3, `patients with a tocilizumab allergy recorded as ${kind}: ${found.length}`);
    for (const l of found) assert.ok(l.contraindications.includes('hypersensitivity'), `${l.patient}: ${kind}`);
  }
}

const fhirId = (patient: string): string => patient.slice('Patient/'.length);
const omopId = (patient: string): string => `p${patient.slice('Patient/'.length).padStart(8, '0')}`;

test('NDJSON: every patient as the engine on its own Bundle and as the ground truth', async () => {
  const lines = await screen('ndjson', () =>
    openNdjsonSource({ dir: pop.ndjson, knowledge: pop.engine.knowledge, workDb: join(pop.dir, 'ndjson.work.duckdb') }),
  );
  checkAgreement(lines, fhirId);
});

test('OMOP in DuckDB: every patient as the engine on its own Bundle and as the ground truth', async () => {
  const lines = await screen('omop-duckdb', async () =>
    openOmopSource({ runner: await duckDbRunner(pop.omopDuckDb), knowledge: pop.engine.knowledge, asOf: AS_OF }),
  );
  checkAgreement(lines, omopId);
  assert.equal(personId(pop.patients[42] as never), 42);
});

test("OMOP in PostgreSQL (the engine in the screen's own thread): every patient as the engine on its own Bundle and as the ground truth", async (t) => {
  const pgdb = await postgresWithOmop(pop.omopCsv);
  t.diagnostic(`PostgreSQL: ${pgdb.kind}`);
  const lines = await screen(
    'omop-postgres',
    async () =>
      openOmopSource({
        runner: pgdb.runner,
        knowledge: pop.engine.knowledge,
        asOf: AS_OF,
        ...(pgdb.schema === undefined ? {} : { schema: pgdb.schema }),
      }),
    0,
  );
  checkAgreement(lines, omopId);
});
