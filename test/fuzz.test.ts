/**
 * The mutation fuzzer (test/fuzz/fuzz.ts) with a fixed seed and a small budget, so the suite stays quick and a
 * failure is reproducible; `npm run fuzz` runs the same properties with a larger budget and a chosen seed.
 */
import { test } from 'node:test';
import { fuzzBundles, fuzzCsv, fuzzPathways } from './fuzz/fuzz.ts';

const options = { seed: 20261129, bundleRuns: 150, pathwayRuns: 40, csvRuns: 12 };

test('fuzz: mutated Bundles through assess and match', () => fuzzBundles(options));
test('fuzz: mutated care-pathway files through the knowledge parser and the engine', () => fuzzPathways(options));
test('fuzz: mutated trial CSVs through trd analyze', () => fuzzCsv(options));
