/**
 * FHIR R4 ResearchStudy (the protocol, its arms and the sites of its subjects) and one ResearchSubject per participant, then one per
 * person who consented but was never enrolled (the SDTM DM subjects without a participant code: `ineligible` for a
 * screen failure, `eligible` or `screening` otherwise), in a collection Bundle. `individual` is a logical reference
 * by site and participant code, or by site and screening code for those never enrolled: the trial store holds no Patient
 * resources.
 * From a blinded snapshot `assignedArm`/`actualArm` are left out. Pure.
 */
import type { Bundle, ResearchStudy, ResearchSubject } from '@medplum/fhirtypes';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { Participant, TrialSnapshot } from '../model.ts';
import { consentedNotEnrolled, participantSubjid, participationEnds } from './sdtm.ts';

/** A participant, by site and participant code (`A-P001`, SDTM SUBJID: participant codes are unique per site). */
export const PARTICIPANT_SYSTEM = 'urn:precision-trd:trial-participant';
/** A consented person never enrolled, by site and screening code (`A-X1`, SDTM SUBJID). */
export const SCREENING_SYSTEM = 'urn:precision-trd:trial-screening';

/** R4 research-subject-status of a screening entry's verdict, for a person consented but never enrolled. */
const SCREENED_STATUS = {
  ineligible: 'ineligible',
  eligible: 'eligible',
  'needs-data': 'screening',
} as const satisfies Record<string, ResearchSubject['status']>;

const REGISTRY_SYSTEMS: Record<string, string> = {
  ISRCTN: 'https://www.isrctn.com',
  NCT: 'https://clinicaltrials.gov',
};

/**
 * ResearchSubject.status (R4 research-subject-status) from the participant's state. An enrolled participant who left
 * (withdrew consent, was lost to follow-up, died) is `off-study`, "ended their participation ... through withdrawal,
 * non-compliance and/or adverse event", as one who completed is; R4's `withdrawn` is a withdrawal before registration,
 * which no enrolled participant is.
 */
function subjectStatus(p: Participant, dosed: boolean): ResearchSubject['status'] {
  switch (p.status) {
    case 'completed':
    case 'discontinued':
      return 'off-study';
    case 'randomized':
      return dosed ? 'on-study-intervention' : 'on-study';
    case 'enrolled':
      // Enrolled under a participant code, awaiting randomization: R4's on-study, "enrolled or registered on a
      // study", not pending-on-study, which is "pre-registered".
      return 'on-study';
  }
}

export function fhirResearchBundle(s: TrialSnapshot, protocol: TrialProtocol): Bundle {
  const studyId = protocol.id;
  const neverEnrolled = consentedNotEnrolled(s);
  const study: ResearchStudy = {
    resourceType: 'ResearchStudy',
    id: studyId,
    identifier: protocol.registry.map((r) => ({ system: REGISTRY_SYSTEMS[r.system] ?? r.system, value: r.id })),
    title: protocol.title,
    status: s.trial.lockedAt !== null ? 'completed' : 'active',
    phase: { text: protocol.phase },
    description: protocol.design,
    // Every site with a subject in the bundle: a site whose consented people were all screen failures (or not yet
    // enrolled) conducts the study too.
    site: [...new Set([...s.participants.map((p) => p.site), ...neverEnrolled.map(({ entry }) => entry.site)])].map(
      (site) => ({ display: site }),
    ),
    arm: (protocol.arms ?? []).map((a) => ({ name: a.id, description: `${a.label}: ${a.intervention}` })),
  };
  const arms = new Map(s.allocations.map((a) => [a.participantId, a.arm]));
  const dosed = new Set(s.doses.map((d) => d.participantId));
  // The period ends with the exit that ended participation (DM RFPENDTC): ResearchSubject.period is when the subject
  // began and ended their participation.
  const ended = participationEnds(s);
  const subjects = s.participants.map((p): ResearchSubject => {
    const arm = arms.get(p.id);
    const subjid = participantSubjid(p);
    return {
      resourceType: 'ResearchSubject',
      id: p.id,
      identifier: [{ system: PARTICIPANT_SYSTEM, value: subjid }],
      status: subjectStatus(p, dosed.has(p.id)),
      period: { start: p.enrolledOn, ...(ended.has(p.id) && { end: ended.get(p.id) }) },
      study: { reference: `ResearchStudy/${studyId}` },
      individual: { identifier: { system: PARTICIPANT_SYSTEM, value: subjid } },
      ...(arm !== undefined && { assignedArm: arm }),
      ...(arm !== undefined && dosed.has(p.id) && { actualArm: arm }),
    };
  });
  // Consented, never enrolled (DM's subjects without a participant code): no arm; a screen failure's period ends
  // when it failed, as DM RFPENDTC does (left open when the store does not say when).
  const screened = neverEnrolled.map(({ entry, subjid, consentedOn, failedOn }): ResearchSubject => ({
    resourceType: 'ResearchSubject',
    id: entry.id,
    identifier: [{ system: SCREENING_SYSTEM, value: subjid }],
    status: SCREENED_STATUS[entry.verdict],
    period: { start: consentedOn, ...(failedOn !== null && { end: failedOn }) },
    study: { reference: `ResearchStudy/${studyId}` },
    individual: { identifier: { system: SCREENING_SYSTEM, value: subjid } },
  }));
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [study, ...subjects, ...screened].map((resource) => ({ resource })),
  };
}
