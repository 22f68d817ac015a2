/**
 * The trial's JSON API under /trial/api: one route per trial operation, each declaring the permission the guard
 * checks (auth.ts), each write carrying the session's user and a reason into the store, which audits it in the same
 * transaction. Allocations reach a response only through allocationView (blinding.ts); participant records carry
 * kit codes only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError } from '../../record/issues.ts';
import { blindAuditEntry, blindAuditVerification } from '../../trial/blinding.ts';
import {
  AdverseEventInputSchema,
  AdverseEventUpdateSchema,
  AlertAcknowledgementSchema,
  ConsentInputSchema,
  DispositionCorrectionSchema,
  DispositionInputSchema,
  ConsentCorrectionSchema,
  DoseCorrectionSchema,
  EnrolmentCorrectionSchema,
  DoseInputSchema,
  EnrolInputSchema,
  IsoDate,
  FormInputSchema,
  ItemAnswerSchema,
  KitInputSchema,
  LabCorrectionSchema,
  LabInputSchema,
} from '../../trial/model.ts';
import type { Participant } from '../../trial/model.ts';
import { NotFound, userOf } from './auth.ts';
import { can } from './permissions.ts';
import { allocationView, viewerSeesArms } from './blinding.ts';
import {
  participantInScope,
  participantView,
  randomize,
  screen,
  ScreeningCorrectionRequestSchema,
  ScreeningRequestSchema,
} from './operations.ts';
import {
  currentProtocol,
  parseBody,
  trialInfo,
  trialInfoChanged,
  reasonFrom,
  siteFilter,
  viewerOf,
  writeContext,
} from './context.ts';
import type { TrialDeps } from './context.ts';
import { consortView } from './consort-view.ts';
import { exportFile, exportNames } from './exports.ts';
import type { LoginRateLimit } from './auth-routes.ts';
import { MAX_PASSWORD_LENGTH, verifyPassword } from './password.ts';
import { signatureKey } from './sign-in-limit.ts';
import { safetyDashboard } from './safety-view.ts';
import { dosingRecord, participantSchedule } from './schedule.ts';

const IdParam = z.strictObject({ id: z.string().min(1).max(120) });
/** A whole number in a query string: digits only (z.coerce.number would take "0x10" as 16). */
const QueryCount = z.string().regex(/^\d+$/).transform(Number);

/** A correction's body: the changed fields (checked by `schema`) beside the required `reason`. */
function changesWithReason<S extends z.ZodType>(schema: S, body: unknown): { reason: string; changes: z.infer<S> } {
  const reason = reasonFrom(body);
  const { reason: _reason, ...fields } = body as Record<string, unknown>;
  return { reason, changes: parseBody(schema, fields) };
}

/** The version a correction was made on (read with the record): one changed since is refused with 409. */
const RecordVersion = z.number().int().positive();

/** The optional `version` a correction or a void was made on, beside the body's other fields. */
const versionOf = (body: unknown): number | undefined =>
  parseBody(z.object({ version: RecordVersion.optional() }), body ?? {}).version;

/** A correction of a versioned record: `changesWithReason` and the optional `version` it was made on. */
function versionedChanges<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { reason: string; changes: z.infer<S>; version: number | undefined } {
  const { version: _version, ...rest } = (body ?? {}) as Record<string, unknown>;
  return { ...changesWithReason(schema, rest), version: versionOf(body) };
}

/**
 * Whether the answer carries the body the handler builds: Fastify answers a HEAD request with a GET route's handler
 * and sends no body, so reading the allocation list or downloading an export is audited only when it was sent.
 */
const sendsBody = (request: FastifyRequest): boolean => request.method !== 'HEAD';

export function registerApi(app: FastifyInstance, deps: TrialDeps, passwordLimit: LoginRateLimit): void {
  const { store } = deps;

  const participantFor = (request: FastifyRequest, id: string): Promise<Participant> =>
    participantInScope(deps, request, id);

  app.get('/api/session', { config: { trialAccess: 'authenticated' } }, async (request, reply) => {
    const viewer = await viewerOf(request, deps);
    const trial = await trialInfo(deps);
    return {
      user: viewer.user,
      csrfToken: reply.generateCsrf(),
      seesAllocation: viewerSeesArms(viewer),
      trial:
        trial === null
          ? null
          : {
              protocolId: trial.protocolId,
              protocolVersion: trial.protocolVersion,
              method: trial.method,
              armCount: trial.arms.length,
              factors: trial.factors,
              lockedAt: trial.lockedAt,
            },
    };
  });

  // Enrolment
  app.get('/api/screening', { config: { trialAccess: 'trial.read' } }, async (request) =>
    store.listScreening(siteFilter(userOf(request))),
  );

  app.post('/api/screening', { config: { trialAccess: 'screening.write' } }, async (request, reply) => {
    const entry = await screen(deps, request, parseBody(ScreeningRequestSchema, request.body));
    return reply.code(201).send(entry);
  });

  // A screening entry entered wrong (a criterion answer, the code, the date): the changed fields and a reason; the
  // verdict is derived again and the audit keeps the entry as first entered.
  app.post('/api/screening/:id/corrections', { config: { trialAccess: 'screening.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const { reason, changes, version } = versionedChanges(ScreeningCorrectionRequestSchema, request.body);
    if (!(await store.listScreening(siteFilter(userOf(request)))).some((e) => e.id === id)) throw new NotFound();
    const { criteria, ...fields } = changes;
    return store.correctScreening(
      writeContext(request, reason),
      id,
      {
        ...fields,
        ...(criteria === undefined ? {} : { criteria: criteria.map((c) => ({ ...c, source: 'entered' as const })) }),
      },
      version,
    );
  });

  app.post('/api/consents', { config: { trialAccess: 'consent.write' } }, async (request, reply) => {
    const input = parseBody(ConsentInputSchema, request.body);
    return reply.code(201).send(await store.recordConsent(writeContext(request, 'consent recorded'), input));
  });

  app.get(
    '/api/consents',
    { config: { trialAccess: 'trial.read' } },
    async (request) => (await store.snapshot(siteFilter(userOf(request)))).consents,
  );

  /** A consent of the caller's sites (another site's is "not found", as its participants are). */
  const consentInScope = async (request: FastifyRequest, id: string): Promise<void> => {
    if (!(await store.snapshot(siteFilter(userOf(request)))).consents.some((c) => c.id === id)) throw new NotFound();
  };

  // A consent entered wrong (its date or form version): the changed fields and a reason; the audit keeps the first.
  app.post('/api/consents/:id/corrections', { config: { trialAccess: 'consent.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const { reason, changes, version } = versionedChanges(ConsentCorrectionSchema, request.body);
    await consentInScope(request, id);
    return store.correctConsent(writeContext(request, reason), id, changes, version);
  });

  // A consent recorded against the wrong screening entry: voided with a reason, before anyone is enrolled on it.
  app.post('/api/consents/:id/void', { config: { trialAccess: 'consent.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const reason = reasonFrom(request.body);
    await consentInScope(request, id);
    await store.voidConsent(writeContext(request, reason), id, versionOf(request.body));
    return { voided: id };
  });

  app.get('/api/participants', { config: { trialAccess: 'trial.read' } }, async (request) => {
    const user = userOf(request);
    return (await store.listParticipants(siteFilter(user))).map((p) => participantView(p, user.role));
  });

  app.post('/api/participants', { config: { trialAccess: 'enrolment.write' } }, async (request, reply) => {
    const input = parseBody(EnrolInputSchema, request.body);
    return reply.code(201).send(await store.enrol(writeContext(request, 'enrolment'), input));
  });

  app.get('/api/participants/:id', { config: { trialAccess: 'trial.read' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const participant = await participantFor(request, id);
    // The outcome rater gets no safety data (src/trial/roles.ts): the keys are left out, never sent empty, and the
    // participant without its emergency-unblinding flag (participantView).
    const safety = can(userOf(request).role, 'safety.read');
    const [forms, labs, adverseEvents, dispositions, allocation] = await Promise.all([
      store.listForms({ participantId: id }),
      safety ? store.listLabs({ participantId: id }) : undefined,
      safety ? store.listAdverseEvents({ participantId: id }) : undefined,
      store.listDispositions({ participantId: id }),
      store.getAllocation(id),
    ]);
    const viewer = await viewerOf(request, deps);
    const protocol = await currentProtocol(deps);
    return {
      participant: participantView(participant, viewer.user.role),
      allocation: allocation === null ? null : allocationView(allocation, viewer),
      schedule: participantSchedule(
        protocol,
        participant,
        allocation?.randomizedOn ?? null,
        (await dosingRecord(store, protocol, participant))?.administeredOn ?? null,
      ),
      forms,
      ...(labs === undefined ? {} : { labs }),
      ...(adverseEvents === undefined ? {} : { adverseEvents }),
      dispositions,
    };
  });

  // An enrolment entered wrong (the code, the date, the baseline hs-CRP): the changed fields and a reason; the audit
  // keeps it as first entered.
  app.post('/api/participants/:id/corrections', { config: { trialAccess: 'enrolment.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const { reason, changes, version } = versionedChanges(EnrolmentCorrectionSchema, request.body);
    await participantFor(request, id);
    return store.correctEnrolment(writeContext(request, reason), id, changes, version);
  });

  app.post('/api/participants/:id/randomize', { config: { trialAccess: 'randomize' } }, async (request, reply) => {
    const { id } = parseBody(IdParam, request.params);
    return reply.code(201).send(await randomize(deps, request, id));
  });

  app.post(
    '/api/participants/:id/emergency-unblind',
    { config: { trialAccess: 'emergency-unblind', disclosesAllocation: true } },
    async (request) => {
      const { id } = parseBody(IdParam, request.params);
      await participantFor(request, id);
      const reason = reasonFrom(request.body);
      const allocation = await store.emergencyUnblind(writeContext(request, reason), id);
      request.log.warn({ code: 'trial.emergency-unblinding' }, 'emergency unblinding');
      return { participantId: allocation.participantId, kitCode: allocation.kitCode, arm: allocation.arm };
    },
  );

  app.post('/api/dispositions', { config: { trialAccess: 'enrolment.write' } }, async (request, reply) => {
    const input = parseBody(DispositionInputSchema, request.body);
    await participantFor(request, input.participantId);
    return reply.code(201).send(await store.recordDisposition(writeContext(request, 'disposition'), input));
  });

  // A disposition entered wrong (the reason, the date or the participant): the changed fields and a reason; the audit
  // keeps it as first entered. Both participants, when it moves, must be in the caller's site.
  app.post('/api/dispositions/:id/corrections', { config: { trialAccess: 'enrolment.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const { reason, changes, version } = versionedChanges(DispositionCorrectionSchema, request.body);
    const scope = siteFilter(userOf(request));
    if (!(await store.listDispositions(scope)).some((d) => d.id === id)) throw new NotFound();
    if (changes.participantId !== undefined) await participantFor(request, changes.participantId);
    return store.correctDisposition(writeContext(request, reason), id, changes, version);
  });

  // An exit that did not happen: voided with a reason; the participant is back to enrolled or randomized.
  app.post('/api/dispositions/:id/void', { config: { trialAccess: 'enrolment.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const reason = reasonFrom(request.body);
    if (!(await store.listDispositions(siteFilter(userOf(request)))).some((d) => d.id === id)) throw new NotFound();
    return store.voidDisposition(writeContext(request, reason), id, versionOf(request.body));
  });

  // The infusion record with the alerts it raised (`alerts`, as a lab result's: a dose above the maximum, one given
  // without pre-dose clearance, a lab graded again on its date); the record's fields stay at the top level.
  app.post('/api/doses', { config: { trialAccess: 'visit.write' } }, async (request, reply) => {
    const input = parseBody(DoseInputSchema, request.body);
    await participantFor(request, input.participantId);
    const { dose, alerts } = await store.recordDose(writeContext(request, 'study drug administered'), input);
    return reply.code(201).send({ ...dose, alerts });
  });

  // A correction of a recorded infusion (a mistyped date or dose): the changed fields and a reason; the audit keeps
  // the first entry, and the visit windows follow the corrected date.
  app.post('/api/doses/:id/corrections', { config: { trialAccess: 'visit.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const { reason, changes, version } = versionedChanges(DoseCorrectionSchema, request.body);
    const dose = (await store.snapshot(siteFilter(userOf(request)))).doses.find((d) => d.id === id);
    if (dose === undefined) throw new NotFound();
    const fixed = await store.correctDose(writeContext(request, reason), id, changes, version);
    return { ...fixed.dose, alerts: fixed.alerts };
  });

  // Outcome capture
  app.post('/api/forms', { config: { trialAccess: 'form.write' } }, async (request, reply) => {
    const input = parseBody(FormInputSchema, request.body);
    await participantFor(request, input.participantId);
    return reply.code(201).send(await store.saveForm(writeContext(request, 'visit form'), input));
  });

  app.get('/api/forms/:id', { config: { trialAccess: 'trial.read' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const form = await store.getForm(id);
    if (form === null) throw new NotFound();
    await participantFor(request, form.participantId);
    return { form, corrections: await store.listCorrections(id) };
  });

  app.post('/api/forms/:id/corrections', { config: { trialAccess: 'form.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const body = parseBody(
      z.strictObject({
        reason: z.string(),
        answers: z.record(z.string().regex(/^\d+$/), ItemAnswerSchema).default({}),
        completedOn: IsoDate.optional(),
        /** The version the correction was made on (GET /api/forms/:id): one changed since is a 409. */
        version: RecordVersion.optional(),
      }),
      request.body,
    );
    const form = await store.getForm(id);
    if (form === null) throw new NotFound();
    await participantFor(request, form.participantId);
    return store.correctForm(writeContext(request, reasonFrom(body)), id, body.answers, body.completedOn, body.version);
  });

  // Password guessing is limited as at sign-in, per signing user (counted after the session guard: preHandler);
  // a matching password clears the count, so only failures add up.
  const signatureLimit = {
    max: passwordLimit.max,
    timeWindow: passwordLimit.windowMs,
    hook: 'preHandler' as const,
    keyGenerator: (request: FastifyRequest) => signatureKey(userOf(request).id),
  };
  app.post(
    '/api/forms/:id/sign',
    { config: { trialAccess: 'form.sign', rateLimit: signatureLimit } },
    async (request) => {
      const { id } = parseBody(IdParam, request.params);
      const body = parseBody(
        z.strictObject({
          password: z.string().max(MAX_PASSWORD_LENGTH),
          meaning: z.string().trim().min(1).max(500),
          /** The form's version the signer reviewed (GET /api/forms/:id): a form corrected since is not signed. */
          version: z.number().int().positive(),
        }),
        request.body,
      );
      const form = await store.getForm(id);
      if (form === null) throw new NotFound();
      await participantFor(request, form.participantId);
      // An e-signature re-authenticates the signer (21 CFR 11.200(a)(1)).
      const user = userOf(request);
      const account = await store.getUser(user.id);
      if (!(await verifyPassword(body.password, account?.passwordHash))) {
        // Every failed attempt is audited (21 CFR 11.300(d)); what was typed is not.
        await store.recordEvent(
          writeContext(request, 'e-signature refused: password did not match'),
          'e-signature-failed',
          {
            formId: id,
          },
        );
        request.log.warn({ code: 'trial.e-signature.failed' }, 'e-signature refused');
        throw new InputError('the password does not match', 'trial.forbidden');
      }
      await store.forgetSignInAttempts(signatureKey(user.id));
      return store.signForm(writeContext(request, 'e-signature'), id, body.meaning, body.version);
    },
  );

  // Safety
  app.post('/api/labs', { config: { trialAccess: 'lab.write' } }, async (request, reply) => {
    const input = parseBody(LabInputSchema, request.body);
    await participantFor(request, input.participantId);
    return reply.code(201).send(await store.addLab(writeContext(request, 'lab result'), input));
  });

  // A correction of a recorded result: the changed fields and a reason; graded again, the first entry kept in the audit.
  app.post('/api/labs/:id/corrections', { config: { trialAccess: 'lab.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const { reason, changes, version } = versionedChanges(LabCorrectionSchema, request.body);
    const lab = (await store.listLabs(siteFilter(userOf(request)))).find((l) => l.id === id);
    if (lab === undefined) throw new NotFound();
    return store.correctLab(writeContext(request, reason), id, changes, version);
  });

  app.post('/api/adverse-events', { config: { trialAccess: 'adverse-event.write' } }, async (request, reply) => {
    const input = parseBody(AdverseEventInputSchema, request.body);
    await participantFor(request, input.participantId);
    return reply.code(201).send(await store.addAdverseEvent(writeContext(request, 'adverse event'), input));
  });

  // A follow-up of a recorded event: the changed fields and a reason; the audit entry keeps the event as it was.
  app.post('/api/adverse-events/:id/updates', { config: { trialAccess: 'adverse-event.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const { reason, changes, version } = versionedChanges(AdverseEventUpdateSchema, request.body);
    const event = (await store.listAdverseEvents(siteFilter(userOf(request)))).find((e) => e.id === id);
    if (event === undefined) throw new NotFound();
    return store.updateAdverseEvent(writeContext(request, reason), id, changes, version);
  });

  app.get('/api/alerts', { config: { trialAccess: 'safety.read' } }, async (request) =>
    store.listAlerts(siteFilter(userOf(request))),
  );

  // An acknowledgement says what was done about the alert (`actionTaken`, required).
  app.post('/api/alerts/:id/acknowledge', { config: { trialAccess: 'lab.write' } }, async (request) => {
    const { id } = parseBody(IdParam, request.params);
    const acknowledgement = parseBody(AlertAcknowledgementSchema, request.body);
    const alert = (await store.listAlerts(siteFilter(userOf(request)))).find((a) => a.id === id);
    if (alert === undefined) throw new NotFound();
    return store.acknowledgeAlert(writeContext(request, 'alert acknowledged'), id, acknowledgement);
  });

  app.get('/api/safety', { config: { trialAccess: 'safety.read' } }, async (request) =>
    safetyDashboard(store, siteFilter(userOf(request)), await currentProtocol(deps)),
  );

  app.get('/api/consort', { config: { trialAccess: 'trial.read' } }, async (request) => {
    const viewer = await viewerOf(request, deps);
    return consortView(
      await store.snapshot(siteFilter(viewer.user)),
      await currentProtocol(deps),
      viewerSeesArms(viewer),
    );
  });

  // Kits and allocations: the unblinded pharmacist
  app.get('/api/kits/stock', { config: { trialAccess: 'trial.read' } }, async (request) => {
    const stock = await store.kitStock();
    return viewerSeesArms(await viewerOf(request, deps)) ? stock : { total: stock.total };
  });

  app.post('/api/kits', { config: { trialAccess: 'allocation.read' } }, async (request, reply) => {
    const kits = parseBody(z.array(KitInputSchema).min(1).max(10_000), request.body);
    return reply.code(201).send({ added: await store.addKits(writeContext(request, 'kits received'), kits) });
  });

  app.get('/api/allocations', { config: { trialAccess: 'allocation.read' } }, async (request) => {
    const viewer = await viewerOf(request, deps);
    const allocations = await store.listAllocations();
    // Who read the allocation list, and when, is audited as an export is (the list is the trial's unblinded key); a
    // HEAD request (answered by this handler) is sent no list, so it records no reading.
    if (viewerSeesArms(viewer) && sendsBody(request)) {
      await store.recordEvent(writeContext(request, 'allocation list viewed'), 'allocation-list-viewed', {
        allocations: allocations.length,
      });
    }
    return allocations.map((a) => allocationView(a, viewer));
  });

  // Exports and database lock: the statistician
  app.get('/api/exports', { config: { trialAccess: 'export.read' } }, async () => exportNames);

  app.get('/api/exports/:name', { config: { trialAccess: 'export.read' } }, async (request, reply) => {
    const { name } = parseBody(z.strictObject({ name: z.enum(exportNames) }), request.params);
    // `?spreadsheetSafe=true`: an SDTM dataset's copy to open in a spreadsheet (trd trial export --spreadsheet-safe).
    const query = parseBody(z.strictObject({ spreadsheetSafe: z.enum(['true', 'false']).optional() }), request.query);
    const spreadsheetSafe = query.spreadsheetSafe === 'true';
    const viewer = await viewerOf(request, deps);
    if (!viewerSeesArms(viewer)) throw new InputError('exports open at database lock', 'trial.forbidden');
    const file = exportFile(
      name,
      await store.snapshot(),
      await currentProtocol(deps),
      deps.instruments,
      deps.engine.knowledge.pathway,
      { spreadsheetSafe },
    );
    if (sendsBody(request)) {
      await store.recordEvent(writeContext(request, 'export downloaded'), 'export', {
        name,
        ...(spreadsheetSafe && { spreadsheetSafe: true }),
      });
    }
    // What the dataset leaves empty or unmapped, as the command line says it on stderr: one `X-Export-Note` header
    // a note (printable ASCII, as a header must be), so that a download through the API is not silently incomplete.
    if (file.notes.length > 0) {
      void reply.header(
        'x-export-note',
        file.notes.map((n) => n.replace(/[^\x20-\x7e]/g, '?')),
      );
    }
    return reply
      .type(file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .send(file.content);
  });

  app.post('/api/lock', { config: { trialAccess: 'database.lock' } }, async (request) => {
    const reason = reasonFrom(request.body);
    const trial = await store.lock(writeContext(request, reason));
    trialInfoChanged(deps);
    return { lockedAt: trial.lockedAt };
  });

  // The concealed lists' capacity, and their extension from the seed when a stratum runs short: the administrator's.
  app.get('/api/allocation-list/capacity', { config: { trialAccess: 'allocation-list.extend' } }, async () =>
    store.allocationCapacity(),
  );

  app.post('/api/allocation-list/extend', { config: { trialAccess: 'allocation-list.extend' } }, async (request) => {
    const { perStratum } = parseBody(z.looseObject({ perStratum: z.number().int().min(1).max(100_000) }), request.body);
    return store.extendAllocationList(writeContext(request, reasonFrom(request.body)), perStratum);
  });

  // Audit
  app.get('/api/audit', { config: { trialAccess: 'audit.read' } }, async (request) => {
    const query = parseBody(
      z.strictObject({
        fromSeq: QueryCount.pipe(z.number().int().min(0)).optional(),
        limit: QueryCount.pipe(z.number().int().min(1).max(1000)).optional(),
      }),
      request.query,
    );
    const viewer = await viewerOf(request, deps);
    const entries = await store.listAudit({
      limit: query.limit ?? 200,
      ...(query.fromSeq === undefined ? {} : { fromSeq: query.fromSeq }),
    });
    return viewerSeesArms(viewer) ? entries : entries.map(blindAuditEntry);
  });

  // The head hash (for `--expect-head`) is printed by `trd trial verify-audit`, for whoever runs the database.
  app.get('/api/audit/verify', { config: { trialAccess: 'audit.read' } }, async (request) => {
    const verification = await store.verifyAudit();
    return viewerSeesArms(await viewerOf(request, deps)) ? verification : blindAuditVerification(verification);
  });
}
