import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SDTM_DOMAINS } from '../../trial/exports/index.ts';
import { exportNames } from './exports.ts';

test('every SDTM dataset the export writes (IE included) is a download, as the define names it', () => {
  for (const d of SDTM_DOMAINS) assert.ok(exportNames.includes(`sdtm-${d.toLowerCase()}.csv` as never), d);
  assert.ok(exportNames.includes('sdtm-ie.csv' as never));
});
