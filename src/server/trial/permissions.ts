/**
 * Which role may call which trial operation: the permission matrix, defined once in src/trial/roles.ts (the store
 * checks it again on every write), read by the guard (`requireRole` in auth.ts) on every endpoint and printed in
 * docs/trial-server.md.
 */
export { can, permissionSchema, rolePermissions } from '../../trial/roles.ts';
export type { Permission } from '../../trial/roles.ts';
