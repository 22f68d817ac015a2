/**
 * OMOP keeps vaccinations in `drug_exposure` (there is no immunization table); the FHIR path reads them as
 * Immunization resources, which the live-vaccine caution reads (care pathway: a live vaccine in the last 4 weeks). The
 * screen on OMOP must read a vaccine's drug_exposure row as an Immunization: recorded by its CVX concept (standard, or
 * as the source concept of an RxNorm vaccine), or as an RxNorm vaccine product the vocabulary links to its CVX vaccine
 * ("RxNorm - CVX").
 *
 * Each scenario runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is
 * set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import { fromDayNumber, toDayNumber } from '../record/index.ts';
import { personId } from '../synth/omop.ts';
import { AS_OF, type assessPersons, omopScenario, populationForFile } from './fixtures.test-support.ts';

const population = populationForFile(300, 20261202);

const daysBefore = (n: number): string => fromDayNumber((toDayNumber(AS_OF) as number) - n);

type Four = [number, number, number, number];

/** Four living adults by OMOP person_id. */
function adults(): Four {
  const out = population()
    .patients.filter((p) => p.deceasedDate === undefined && p.birthDate < daysBefore(20 * 366))
    .slice(0, 4)
    .map((p) => personId(p));
  assert.equal(out.length, 4);
  return out as Four;
}

/**
 * A site's vaccine rows, as SQL against tables qualified by `t`: MMR as an RxNorm product with its CVX source concept
 * (10 days ago, and 60 days ago for the last person: outside the window), varicella as an RxNorm product linked to
 * CVX 21 by "RxNorm - CVX" only, and live zoster as the CVX concept itself.
 */
function siteRows(t: (table: string) => string, [mmr, varicella, zoster, old]: Four): string[] {
  const ids = { cvxMmr: 2100000201, cvxVaricella: 2100000202, cvxZoster: 2100000203, mmr: 2100000204, var: 2100000205 };
  const concept = (id: number, name: string, vocabulary: string, cls: string, code: string): string =>
    `(${id}, '${name}', 'Drug', '${vocabulary}', '${cls}', 'S', '${code}', DATE '1970-01-01', DATE '2099-12-31', NULL)`;
  const relationship = (a: number, b: number, id: string): string =>
    `(${a}, ${b}, '${id}', DATE '1970-01-01', DATE '2099-12-31', NULL)`;
  const exposure = (person: number, drug: number, source: number, ago: number): string =>
    `(${person * 100 + 96}, ${person}, ${drug}, DATE '${daysBefore(ago)}', DATE '${daysBefore(ago)}', 32817, 1, 1,
      NULL, 'vaccine', ${source})`;
  return [
    `INSERT INTO ${t('concept')} VALUES
      ${concept(ids.cvxMmr, 'measles, mumps and rubella virus vaccine', 'CVX', 'CVX', '03')},
      ${concept(ids.cvxVaricella, 'varicella virus vaccine', 'CVX', 'CVX', '21')},
      ${concept(ids.cvxZoster, 'zoster vaccine, live', 'CVX', 'CVX', '121')},
      ${concept(ids.mmr, 'measles, mumps and rubella vaccine Injection', 'RxNorm', 'Clinical Drug', 'synth-mmr')},
      ${concept(ids.var, 'varicella vaccine Injection', 'RxNorm', 'Clinical Drug', 'synth-varicella')}`,
    `INSERT INTO ${t('concept_relationship')} VALUES
      ${[ids.cvxMmr, ids.cvxVaricella, ids.cvxZoster, ids.mmr, ids.var].map((id) => relationship(id, id, 'Maps to')).join(', ')},
      ${relationship(ids.var, ids.cvxVaricella, 'RxNorm - CVX')}, ${relationship(ids.cvxVaricella, ids.var, 'CVX - RxNorm')}`,
    `INSERT INTO ${t('drug_exposure')} VALUES ${exposure(mmr, ids.mmr, ids.cvxMmr, 10)},
      ${exposure(varicella, ids.var, 0, 12)}, ${exposure(zoster, ids.cvxZoster, 0, 20)}, ${exposure(old, ids.mmr, ids.cvxMmr, 60)}`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, [mmr, varicella, zoster, old]: Four): void {
  for (const [person, what] of [
    [mmr, 'MMR as an RxNorm product with its CVX source concept'],
    [varicella, 'varicella as an RxNorm product linked to its CVX vaccine'],
    [zoster, 'live zoster as its CVX concept'],
  ] as const) {
    const cautions = results.get(person)?.cautions ?? [];
    const caution = cautions.find((c) => c.code === 'recent-live-vaccine');
    assert.ok(caution !== undefined, `${what}: ${JSON.stringify(cautions.map((c) => c.code))}`);
    assert.match(caution.evidence.join(' '), /^Immunization\//, what);
  }
  const late = results.get(old)?.cautions ?? [];
  assert.equal(
    late.some((c) => c.code === 'recent-live-vaccine'),
    false,
    'MMR 60 days ago is outside the window',
  );
}

omopScenario(
  'a live vaccine in drug_exposure is an immunization, for the live-vaccine caution',
  population,
  adults,
  siteRows,
  check,
);
