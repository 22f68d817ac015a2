/**
 * Trial roles and what each may see. One definition: the store, the server and the exports read these. Pure.
 *
 * Blinding: only the unblinded pharmacist sees allocations at any time; the statistician sees them once the database
 * is locked; every other role sees the kit code only, and reaches the arm through emergency unblinding (reason
 * required, audited).
 */
import { z } from 'zod';

export const TRIAL_ROLES = [
  'coordinator',
  'investigator',
  'unblinded-pharmacist',
  'monitor',
  'statistician',
  'administrator',
] as const;
export const TrialRoleSchema = z.enum(TRIAL_ROLES);
export type TrialRole = z.infer<typeof TrialRoleSchema>;

/** Roles that may write trial data (the monitor is read-only). */
export const WRITING_ROLES: readonly TrialRole[] = [
  'coordinator',
  'investigator',
  'unblinded-pharmacist',
  'administrator',
];

/** Roles restricted to their own site's participants (a null site means all sites). */
export const SITE_BOUND_ROLES: readonly TrialRole[] = ['coordinator', 'investigator'];

/** Roles that may perform emergency unblinding of one participant (with a reason; audited). */
export const EMERGENCY_UNBLINDING_ROLES: readonly TrialRole[] = ['investigator'];

/** Whether `role` may see allocated arms, given whether the database is locked. */
export function seesAllocation(role: TrialRole, databaseLocked: boolean): boolean {
  return role === 'unblinded-pharmacist' || (role === 'statistician' && databaseLocked);
}
