/**
 * Which role may call which trial operation: the permission matrix as data, read by the guard (`requireRole` in
 * auth.ts) on every endpoint and printed in docs/trial-server.md. The roles, site binding and the blinding rule
 * itself are defined once in src/trial/roles.ts.
 */
import { z } from 'zod';
import { EMERGENCY_UNBLINDING_ROLES } from '../../trial/roles.ts';
import type { TrialRole } from '../../trial/roles.ts';

export const permissionSchema = z.enum([
  /** Participant lists and records, screening log, visits, labs, AEs, safety dashboard, CONSORT. */
  'trial.read',
  'screening.write',
  'consent.write',
  'enrolment.write',
  'randomize',
  /** Visit forms (eCRF) and their corrections. */
  'visit.write',
  /** E-signature of a completed form (the investigator's attestation). */
  'form.sign',
  'lab.write',
  'adverse-event.write',
  /** Break the blind for one participant, with a reason (audited). */
  'emergency-unblind',
  /** The allocation list (kit code -> arm) while the trial runs. */
  'allocation.read',
  /** Exports: analysis CSV, SDTM-style domains, FHIR ResearchStudy/ResearchSubject (they carry arms). */
  'export.read',
  'database.lock',
  'audit.read',
]);
export type Permission = z.infer<typeof permissionSchema>;

const clinicalWrites: readonly Permission[] = [
  'screening.write',
  'consent.write',
  'enrolment.write',
  'randomize',
  'visit.write',
  'lab.write',
  'adverse-event.write',
];

/** A role not listing a permission is refused it on the server, whatever a page shows. */
const matrix: Readonly<Record<TrialRole, readonly Permission[]>> = {
  coordinator: ['trial.read', ...clinicalWrites],
  investigator: ['trial.read', ...clinicalWrites, 'form.sign'],
  'unblinded-pharmacist': ['trial.read', 'allocation.read'],
  monitor: ['trial.read', 'audit.read'],
  // Exports carry arms: the route also requires seesAllocation (after database lock).
  statistician: ['trial.read', 'export.read'],
  // The database lock is the administrator's (the store allows no one else); it unblinds the statistician.
  administrator: ['trial.read', 'audit.read', 'database.lock'],
};

export const rolePermissions: Readonly<Record<TrialRole, readonly Permission[]>> = Object.fromEntries(
  Object.entries(matrix).map(([role, permissions]) => [
    role,
    EMERGENCY_UNBLINDING_ROLES.includes(role as TrialRole) ? [...permissions, 'emergency-unblind'] : permissions,
  ]),
) as Record<TrialRole, readonly Permission[]>;

export function can(role: TrialRole, permission: Permission): boolean {
  return rolePermissions[role].includes(permission);
}
