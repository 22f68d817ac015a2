import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { createEngine } from '../engine/index.ts';
import { codeLinePattern, pathwayCodes } from './pathway-codes.ts';
import { sqlString } from './sources/source.ts';

const knowledge = createEngine().knowledge;

/** The pattern as DuckDB runs it (RE2), on each line: which lines it keeps. */
async function kept(lines: readonly string[]): Promise<boolean[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    const values = lines.map((l, i) => `(${i}, ${sqlString(l)})`).join(', ');
    const rows = await c.runAndReadAll(
      `SELECT i, regexp_matches(j, ${sqlString(codeLinePattern(knowledge))}) FROM (VALUES ${values}) t(i, j) ORDER BY i`,
    );
    return rows.getRows().map((r) => r[1] === true);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

const observation = (coding: string, extra = ''): string =>
  `{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[${coding}]},"subject":{"reference":"Patient/p1"}${extra}}`;

test('the raw-text pattern keeps every pathway code as the engine would match it, whatever the spelling', async () => {
  const lines: string[] = [];
  for (const c of pathwayCodes(knowledge)) {
    const variants = [c.code, ` ${c.code.toLowerCase()} `];
    if (/^[A-Z]\d\d\.\d/.test(c.code)) variants.push(c.code.replace('.', ''));
    if (/^\d+$/.test(c.code)) variants.push(`00${c.code}`);
    if (c.prefix) variants.push(`${c.code}${c.code.includes('.') ? '' : '.'}9`);
    for (const v of variants) lines.push(observation(`{"system":"urn:other","code" : "${v}"}`));
  }
  const result = await kept(lines);
  const missed = lines.filter((_, i) => result[i] !== true);
  assert.deepEqual(missed, []);
});

test('the raw-text pattern drops lines with no pathway code, and keeps codes in components and escaped codes', async () => {
  const vital = observation(
    '{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}',
    ',"valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}',
  );
  const crp = pathwayCodes(knowledge).find((c) => c.system === 'http://loinc.org') as { code: string };
  const component = observation(
    '{"system":"http://loinc.org","code":"85354-9"}',
    `,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"${crp.code}"}]}}]`,
  );
  const escaped = observation('{"system":"http://loinc.org","code":"88\\u00367-4"}');
  const noCode = observation('{"system":"http://loinc.org","display":"F32.1"}');
  assert.deepEqual(await kept([vital, component, escaped, noCode]), [false, true, true, false]);
});
