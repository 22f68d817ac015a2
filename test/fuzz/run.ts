/**
 * `npm run fuzz`: the fuzzer of test/fuzz/fuzz.ts with a larger budget. FUZZ_SEED picks the seed (default: the time),
 * FUZZ_SCALE multiplies the budget (default 20 x the suite's). A failure prints fast-check's counterexample and seed.
 */
import { fuzzBundles, fuzzCsv, fuzzPathways } from './fuzz.ts';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const scale = Number(process.env.FUZZ_SCALE ?? 20);
const options = { seed, bundleRuns: 150 * scale, pathwayRuns: 40 * scale, csvRuns: 12 * scale };
console.log(
  `fuzz: seed ${seed}, ${options.bundleRuns} bundles, ${options.pathwayRuns} pathways, ${options.csvRuns} CSVs`,
);
const started = performance.now();
fuzzBundles(options);
console.log(`  bundles ok (${((performance.now() - started) / 1000).toFixed(1)} s)`);
fuzzPathways(options);
console.log(`  pathways ok (${((performance.now() - started) / 1000).toFixed(1)} s)`);
await fuzzCsv(options);
console.log(`  CSVs ok (${((performance.now() - started) / 1000).toFixed(1)} s)`);
