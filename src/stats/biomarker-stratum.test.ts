/** The stratum (biomarker >= cut) of a value reported beyond an assay limit, at the cut's boundary. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { biomarkerStratum, type BiomarkerLimit } from './biomarker-stratum.ts';

const limit = (side: BiomarkerLimit['side'], value: number, inclusive = false): BiomarkerLimit => ({
  side,
  limit: value,
  inclusive,
});

test('biomarkerStratum: a censored value has a stratum only when its limit places it against the cut', () => {
  const cases: [string, BiomarkerLimit, 0 | 1 | null][] = [
    ['<0.2', limit('below', 0.2), 0],
    ['<3 (below 3 is below the cut)', limit('below', 3), 0],
    ['<=3 (may be 3, in the high stratum)', limit('below', 3, true), null],
    ['<5 (either side)', limit('below', 5), null],
    ['>10', limit('above', 10), 1],
    ['>3', limit('above', 3), 1],
    ['>=3', limit('above', 3, true), 1],
    ['>2.9 (either side)', limit('above', 2.9), null],
  ];
  for (const [label, censored, expected] of cases) assert.equal(biomarkerStratum(null, censored, 3), expected, label);
  assert.equal(biomarkerStratum(3, undefined, 3), 1);
  assert.equal(biomarkerStratum(2.99, undefined, 3), 0);
  assert.equal(biomarkerStratum(null, undefined, 3), null);
});
