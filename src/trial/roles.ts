/**
 * Trial roles and what each may see. One definition: the store, the server and the exports read these. Pure.
 *
 * Blinding: only the unblinded pharmacist sees allocations at any time; the statistician sees them once the database
 * is locked; every other role sees the kit code only, and reaches the arm through emergency unblinding (reason
 * required, audited). The outcome rater sees no safety data either: tocilizumab lowers neutrophils (and CRP), so a
 * rater who saw the post-dose labs or adverse events could guess the arm and rate accordingly (docs/trial-server.md,
 * "Roles").
 */
import { z } from 'zod';

export const TRIAL_ROLES = [
  'coordinator',
  'investigator',
  'unblinded-pharmacist',
  'monitor',
  'statistician',
  'administrator',
  /** Rates the outcome scales (MADRS, BDI-II, ...) blind to safety data as well as to the arm. */
  'outcome-rater',
] as const;
export const TrialRoleSchema = z.enum(TRIAL_ROLES);
export type TrialRole = z.infer<typeof TrialRoleSchema>;

/** Roles restricted to their own site's participants (a null site means all sites). */
export const SITE_BOUND_ROLES: readonly TrialRole[] = ['coordinator', 'investigator', 'outcome-rater'];

/**
 * The one site an account reads and writes, or undefined when it has all sites: a role not bound to a site, or a
 * site-bound account whose site is null. The server's reads (siteScope) and the store's writes use this one rule.
 */
export function boundSite(role: TrialRole, site: string | null): string | undefined {
  return SITE_BOUND_ROLES.includes(role) && site !== null ? site : undefined;
}

/** Roles that may perform emergency unblinding of one participant (with a reason; audited). */
export const EMERGENCY_UNBLINDING_ROLES: readonly TrialRole[] = ['investigator'];

/** Whether `role` may see allocated arms, given whether the database is locked. */
export function seesAllocation(role: TrialRole, databaseLocked: boolean): boolean {
  return role === 'unblinded-pharmacist' || (role === 'statistician' && databaseLocked);
}

/**
 * Which role may do which trial operation: the permission matrix as data, checked by the server's guard on every
 * route (src/server/trial/auth.ts) and again by the store on every write (src/trial/store/sql-store.ts), so that an
 * unblinded role never enters or corrects blinded outcome data whatever calls the store.
 */
export const permissionSchema = z.enum([
  /** Participant lists and records, screening log, visit schedule and forms, infusions, exits, CONSORT. */
  'trial.read',
  /** Safety labs, adverse events, safety alerts and the safety dashboard: every role but the outcome rater. */
  'safety.read',
  'screening.write',
  'consent.write',
  'enrolment.write',
  'randomize',
  /** Outcome forms (the eCRF's rating scales) and their corrections. */
  'form.write',
  /** The infusion record and its corrections. */
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
  /**
   * Lengthen the concealed permuted-block lists (more slots per stratum, drawn from the same seed): an operation on the
   * list, never a view of it.
   */
  'allocation-list.extend',
  'audit.read',
]);
export type Permission = z.infer<typeof permissionSchema>;

const clinicalWrites: readonly Permission[] = [
  'screening.write',
  'consent.write',
  'enrolment.write',
  'randomize',
  'form.write',
  'visit.write',
  'lab.write',
  'adverse-event.write',
];

/** A role not listing a permission is refused it, on the server and in the store, whatever a page shows. */
const matrix: Readonly<Record<TrialRole, readonly Permission[]>> = {
  coordinator: ['trial.read', 'safety.read', ...clinicalWrites],
  investigator: ['trial.read', 'safety.read', ...clinicalWrites, 'form.sign'],
  'unblinded-pharmacist': ['trial.read', 'safety.read', 'allocation.read'],
  monitor: ['trial.read', 'safety.read', 'audit.read'],
  // Exports carry arms: the route also requires seesAllocation (after database lock).
  statistician: ['trial.read', 'safety.read', 'export.read'],
  // The database lock is the administrator's (the store allows no one else); it unblinds the statistician.
  administrator: ['trial.read', 'safety.read', 'audit.read', 'database.lock', 'allocation-list.extend'],
  'outcome-rater': ['trial.read', 'form.write'],
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
