/**
 * Password hashing (scrypt) and the permission matrix's invariants.
 * Run: node --import tsx --test src/server/trial/password.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seesAllocation, TRIAL_ROLES } from '../../trial/roles.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { can, permissionSchema, rolePermissions } from './permissions.ts';

const cost = { N: 2 ** 14, r: 8, p: 1 };

test('scrypt: the right password verifies, a wrong or malformed one does not; salts differ', async () => {
  const a = await hashPassword('correct horse battery', cost);
  const b = await hashPassword('correct horse battery', cost);
  assert.match(a, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.notEqual(a, b, 'a fresh salt per hash');
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('', a), false);
  assert.equal(await verifyPassword('correct horse battery', undefined), false, 'unknown user');
  assert.equal(await verifyPassword('x', 'scrypt$1$1$1$AA$AA'), false, 'a cost outside the accepted range');
  assert.equal(await verifyPassword('x', 'bcrypt$whatever'), false);
  const [, , , , salt, hash] = a.split('$');
  assert.equal(await verifyPassword('correct horse battery', `scrypt$16384$8$1$${salt}$${hash?.slice(0, -2)}`), false);
});

test('the matrix: the monitor writes nothing, only the pharmacist reads allocations, no role is unknown', () => {
  const writes = permissionSchema.options.filter((p) => p.endsWith('.write') || p === 'randomize');
  for (const p of writes) assert.equal(can('monitor', p), false, p);
  for (const role of TRIAL_ROLES) {
    assert.ok(rolePermissions[role].includes('trial.read'), role);
    assert.equal(can(role, 'allocation.read'), role === 'unblinded-pharmacist', role);
    // Whoever may read allocations sees arms; exports need arms, so they open only when the role sees them.
    if (can(role, 'allocation.read')) assert.equal(seesAllocation(role, false), true);
  }
  assert.equal(can('investigator', 'emergency-unblind'), true);
  assert.equal(can('coordinator', 'emergency-unblind'), false);
  assert.equal(seesAllocation('statistician', false), false);
  assert.equal(seesAllocation('statistician', true), true);
});
