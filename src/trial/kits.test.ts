/**
 * The kit list follows the plan's allocation ratio: with 2:1 the larger arm has twice the kits, so randomization does
 * not stop when it runs out while the smaller arm still has stock. Codes stay arm-free; the seeded order reproducible.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shuffled, streamFor } from '../randomization/index.ts';
import { generateKits } from './kits.ts';
import { as, enrolOne, insightProtocol, sqliteFactory } from './store/stores.test-support.ts';
import { planArms, planFactors } from './strata.ts';

const count = (kits: readonly { arm: string }[], arm: string): number => kits.filter((k) => k.arm === arm).length;

test('kits are made in the allocation ratio in lowest terms, with arm-free codes', () => {
  const twoToOne = generateKits(
    [
      { id: 'active', ratio: 2 },
      { id: 'placebo', ratio: 1 },
    ],
    50,
    11,
  );
  assert.equal(count(twoToOne, 'active'), 100);
  assert.equal(count(twoToOne, 'placebo'), 50);
  assert.ok(twoToOne.every((k, i) => k.kitCode === `K${String(i + 1).padStart(4, '0')}`));
  const fourToTwo = generateKits(
    [
      { id: 'active', ratio: 4 },
      { id: 'placebo', ratio: 2 },
    ],
    50,
    11,
  );
  assert.deepEqual(fourToTwo, twoToOne, '4:2 is 2:1');
  // 1:1 keeps N per arm and the list a seed gave before: the arms in plan order, shuffled with stream 0.
  const oneToOne = generateKits(
    [
      { id: 'active', ratio: 1 },
      { id: 'placebo', ratio: 1 },
    ],
    30,
    7,
  );
  const contents = [...Array<string>(30).fill('active'), ...Array<string>(30).fill('placebo')];
  assert.deepEqual(
    oneToOne.map((k) => k.arm),
    shuffled(contents, streamFor(7, 0)),
  );
  assert.deepEqual(
    generateKits(
      [
        { id: 'active', ratio: 2 },
        { id: 'placebo', ratio: 1 },
      ],
      50,
      11,
    ),
    twoToOne,
  );
});

test('a 2:1 trial randomizes every participant its kit list allows', async () => {
  const opened = await sqliteFactory.open(() => new Date(Date.UTC(2026, 10, 20, 9)));
  try {
    const { store } = opened;
    const insight = insightProtocol();
    const protocol = {
      ...insight,
      arms: (insight.arms ?? []).map((a) => (a.id === 'tocilizumab' ? { ...a, ratio: 2 } : a)),
    };
    const arms = planArms(protocol);
    await store.init(as('administrator'), {
      protocol,
      plan: {
        method: 'permuted-blocks',
        arms,
        factors: planFactors(protocol, ['A', 'B']),
        seed: 5,
        blockSizes: [3],
        perStratum: 6,
      },
    });
    await store.addKits(as('unblinded-pharmacist'), generateKits(arms, 3, 7));
    const ctx = as('coordinator', 'A', 'randomization');
    // One stratum (site A, high CRP): two blocks of 3 give 4 tocilizumab and 2 placebo, within the 6 and 3 kits (3
    // kits each would leave tocilizumab out after its third and refuse the next participant).
    for (let i = 0; i < 6; i++) {
      await store.randomize(ctx, await enrolOne(store, protocol, `R21-${i}`, 'A'));
    }
    assert.deepEqual((await store.kitStock()).byArm, { tocilizumab: 2, placebo: 1 });
  } finally {
    await opened.cleanup();
  }
});
