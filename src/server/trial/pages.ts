/**
 * The coordinator's pages under /trial, server-rendered in the clinician app's layout (src/server/web/layout.ts):
 * sign-in, participants, screening log, enrolment, randomization, a participant's visits (with each visit's window)
 * and visit forms, lab results with their safety verdicts, adverse events, the safety dashboard and the CONSORT
 * flow. Forms post to page actions that call the same operations as the JSON API (operations.ts) and redirect back
 * (post/redirect/get, the message in a flash cookie), so every page works without JavaScript. Blinded viewers see kit codes; protocol wording that names a study arm is
 * shown with "study drug" in its place, and the records a page shows (text people entered among them) pass through
 * maskStrings first, so each arm name in them reads [concealed] (blinding.ts): a page never carries an arm name to
 * them, and never fails for a term someone typed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { InstrumentDefinition } from '../../instruments/index.ts';
import { InputError } from '../../record/issues.ts';
import {
  AdverseEventInputSchema,
  DISPOSITION_EVENTS,
  LAB_ANALYTES,
  CRP_UNITS,
  LAB_UNITS,
  MAX_AGE_YEARS,
  type BaselineCrp,
  RELATEDNESS,
  SEXES,
  type Sex,
  SERIOUSNESS_CRITERIA,
  ScreeningCriterionSchema,
} from '../../trial/model.ts';
import { baselineCrpMgPerL, baselineCrpText, participantLevels } from '../../trial/strata.ts';
import type {
  AdverseEventInput,
  AdverseEventRecord,
  AlertRecord,
  DispositionRecord,
  DoseRecord,
  FormRecord,
  ItemAnswer,
  LabRecord,
  Participant,
  ScreeningEntry,
} from '../../trial/model.ts';
import { citationText } from '../web/citations.ts';
import { html } from '../web/html.ts';
import type { Html } from '../web/html.ts';
import { PAGE_HEADERS, page, type PageOptions } from '../web/layout.ts';
import { AccessDenied, flashCookie, sessionCookieOptions, userOf } from './auth.ts';
import type { AuthOptions, TrialUser } from './auth.ts';
import { boundSite } from '../../trial/roles.ts';
import { blindAuditEntry, REDACTED } from '../../trial/blinding.ts';
import type { AuditEntry } from '../../trial/audit.ts';
import { aboutParticipant, AUDIT_NONE, AUDIT_PAGE_SIZE, auditChanges, auditPage } from './audit-view.ts';
import { armTerms, maskArms, maskStrings, STUDY_DRUG, viewerSeesArms } from './blinding.ts';
import {
  armLabels,
  currentProtocol,
  parseBody,
  reasonFrom,
  trialInfo,
  siteFilter,
  viewerOf,
  writeContext,
} from './context.ts';
import type { TrialDeps } from './context.ts';
import { consortBoxes, consortView } from './consort-view.ts';
import type { ConsortBox } from './consort-view.ts';
import { participantInScope, participantView, randomize, screen } from './operations.ts';
import type { ParticipantWithoutSafety } from './operations.ts';
import { statusOfCode } from './errors.ts';
import { can } from './permissions.ts';
import {
  acknowledgedLatestFirst,
  alertsClearedSince,
  alertsCorrectedSince,
  safetyDashboard,
  type ClearedDose,
  type CorrectedRecord,
} from './safety-view.ts';
import { dosingRecord, participantSchedule } from './schedule.ts';
import { visitTiming, visitTimingText } from '../../trial/visits.ts';
import { preDoseClearance, preDoseProblems, type PreDoseClearance } from '../../trial/pre-dose.ts';
import { checkDose, type DoseCheck } from '../../trial/dose-check.ts';
import type { Citation } from '../../knowledge/schema-codesets.ts';
import type { TrialProtocol } from '../../trials/schema.ts';

const nav = (user: TrialUser | undefined) =>
  user === undefined
    ? [{ href: '/trial/login', label: 'Sign in' }]
    : [
        { href: '/trial/', label: 'Participants' },
        { href: '/trial/screening', label: 'Screening log' },
        ...(can(user.role, 'safety.read') ? [{ href: '/trial/safety', label: 'Safety' }] : []),
        { href: '/trial/consort', label: 'CONSORT' },
      ];

/** The path of a request's address, without its query: the page shown, whose navigation link is marked current. */
const pathOf = (url: string): string => url.split('?', 1)[0] ?? url;

function send(reply: FastifyReply, user: TrialUser | undefined, title: string, body: Html): FastifyReply {
  const signedIn =
    user === undefined
      ? html``
      : html`<p class="muted">
          Signed in as ${user.displayName} (${user.role}${user.site === null ? '' : html`, site ${user.site}`}).
        </p>`;
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .headers(PAGE_HEADERS)
    .send(page(title, html`${signedIn}${body}`, { ...chrome(reply, user), current: pathOf(reply.request.url) }));
}

/**
 * The label of each fixed field of the pages' forms, by its name: the forms' labels read from here, and so do the
 * pages that list what a form posted (the entries to save after a stale token or an ended session), so a list says
 * "Collected on" as the form did, never `collectedOn`. A reason field's label may say more in its form ("Reason for
 * the correction"). Fields named from data (a criterion, an instrument item, a seriousness criterion): fieldLabels.
 */
const FIELD_LABELS = {
  baselineCrp: 'Baseline hs-CRP',
  baselineCrpUnit: 'Unit, as on the laboratory report',
  participantCode: 'Participant code',
  enrolledOn: 'Enrolled on',
  sex: 'Sex',
  birthDate: 'Date of birth',
  ageAtConsent: 'Or age at consent (completed years), where the date of birth is not collected',
  visit: 'Visit',
  value: 'Value',
  unit: 'Unit (UCUM)',
  collectedOn: 'Collected on',
  term: 'Term (verbatim)',
  onsetOn: 'Onset',
  grade: 'CTCAE grade',
  administeredOn: 'Given on',
  bodyWeightKg: 'Body weight (kg)',
  doseMg: 'Dose given (mg, as prescribed)',
  event: 'Exit',
  on: 'On',
  participantId: 'Participant',
  username: 'User name',
  site: 'Site',
  screeningCode: 'Screening code (no names)',
  screenedOn: 'Screened on',
  screeningId: 'Screening entry',
  consentedOn: 'Consented on',
  formVersion: 'Consent form version',
  kitCode: 'Kit code on the pack given',
  scoring: 'Scoring',
  completedOn: 'Completed on',
  analyte: 'Analyte',
  comparator: 'Result reported as',
  baselineCrpComparator: 'Result reported as',
  lowerLimitOfNormal: 'Lower limit of normal',
  upperLimitOfNormal: 'Upper limit of normal',
  relatedness: 'Relatedness',
  expectedness: 'Expectedness',
  outcome: 'Outcome',
  actionTaken: 'Action taken',
  bundle: 'FHIR R4 Bundle (JSON, optional: criteria the record can decide are evaluated by the engine)',
  reason: 'Reason',
} as const;

const SERIOUS_LEGEND = 'Seriousness criteria met';

/** An instrument item's label, as its visit form shows it. */
const itemLabel = (item: InstrumentDefinition['items'][number]): string => `${item.number}. ${item.label}`;

/** A screening criterion's label, as the screening form shows it (arm names read "study drug"). */
const criterionLabel = (c: TrialProtocol['criteria'][number], terms: readonly string[]): string =>
  `${c.kind} ${c.id}: ${maskArms(c.text, terms, STUDY_DRUG)}`;

/**
 * The entries a form posted, each under the label its form showed (FIELD_LABELS, or the criterion, instrument item or
 * seriousness criterion the field is named from; the name itself only for a field no form of these pages has), hidden
 * fields left out: the list of what was typed, to check or copy, after a stale token or an ended session.
 */
async function typedEntries(
  deps: TrialDeps,
  terms: readonly string[],
  values: Readonly<Record<string, string>>,
  user?: TrialUser,
): Promise<Html> {
  const fixed: Readonly<Record<string, string>> = FIELD_LABELS;
  const instrument = values.instrument === undefined ? undefined : deps.instruments.get(values.instrument);
  const protocol = await currentProtocol(deps);
  const criteria = Object.keys(values).some((name) => name.startsWith('c-')) ? protocol.criteria : [];
  // A record chosen in a select (a participant, a screening entry) by the code its option showed, looked up in the
  // signed-in user's scope only; with no one signed in, or out of scope, it stays as posted.
  const inScope = user === undefined ? undefined : siteFilter(user);
  const participants =
    values.participantId === undefined || inScope === undefined ? [] : await deps.store.listParticipants(inScope);
  const screened =
    values.screeningId === undefined || inScope === undefined ? [] : await deps.store.listScreening(inScope);
  // Named as its option named it: by code, and to a viewer of every site with the site (codeAt), masked as stored text.
  const recordCode = (code: string, site: string): string | undefined =>
    user === undefined ? undefined : (maskStrings({ code: codeAt(user, code, site) }, terms, REDACTED).code as string);
  /** A select's value as its option showed it (the words beside the code); undefined for a field typed in. */
  const optionText = (name: string, value: string): string | undefined => {
    switch (name) {
      case 'comparator':
      case 'baselineCrpComparator':
        return COMPARATOR_WORDS[value];
      case 'unit':
        return LAB_UNIT_WORDS[value];
      case 'baselineCrpUnit':
        return value === '' ? CHOOSE_CRP_UNIT : CRP_UNIT_WORDS[value as (typeof CRP_UNITS)[number]];
      case 'event':
        return EXIT_LABELS[value as (typeof DISPOSITION_EVENTS)[number]];
      case 'sex':
        return value === '' ? SEX_NOT_RECORDED : SEX_WORDS[value as Sex];
      case 'visit': {
        const visit = protocol.visits?.find((v) => v.id === value);
        return visit === undefined ? undefined : maskArms(visit.label, terms, STUDY_DRUG);
      }
      case 'scoring':
        return instrument?.scorings.find((sc) => sc.id === value)?.label;
      case 'participantId': {
        if (user === undefined) return postedOptionWords(values, name);
        const chosen = participants.find((p) => p.id === value);
        return chosen === undefined ? undefined : recordCode(chosen.participantCode, chosen.site);
      }
      case 'screeningId': {
        if (user === undefined) return postedOptionWords(values, name);
        const chosen = screened.find((e) => e.id === value);
        return chosen === undefined ? undefined : recordCode(chosen.screeningCode, chosen.site);
      }
    }
    if (name.startsWith('c-')) return CRITERION_ANSWER_WORDS[value];
    const item = /^item(\d+)$/.exec(name);
    if (item !== null && value === '' && instrument?.optionItems[item[1] as string] !== undefined) return NOT_ANSWERED;
    return undefined;
  };
  const label = (name: string): string => {
    if (Object.hasOwn(fixed, name)) return fixed[name] as string;
    const item = /^item(\d+)$/.exec(name);
    const shownItem = item === null ? undefined : instrument?.items.find((i) => String(i.number) === item[1]);
    if (shownItem !== undefined) return itemLabel(shownItem);
    const criterion = criteria.find((c) => `c-${c.id}` === name);
    if (criterion !== undefined) return criterionLabel(criterion, terms);
    const serious = SERIOUSNESS_CRITERIA.find((c) => `serious-${c}` === name);
    if (serious !== undefined) return `${SERIOUS_LEGEND}: ${serious}`;
    return name;
  };
  // The fields a form carries hidden: posted with it, never shown in the list.
  const hidden = new Set(['_csrf', PAGE_USER_FIELD, 'version', 'instrument']);
  const entries = Object.entries(values).filter(([name]) => !hidden.has(name) && !name.startsWith(OPTION_WORDS_PREFIX));
  return html`<dl>
    ${entries.map(
      ([name, value]) =>
        html`<dt>${label(name)}</dt>
          <dd>${optionText(name, value) ?? (value === '' ? '(empty)' : value)}</dd>`,
    )}
  </dl>`;
}

/**
 * The field naming the user a page was made for (`_user`), beside its CSRF token: a post whose token is stale (the
 * browser signed in again in another tab) is shown again only to that same user (staleFormPage), never to someone
 * else signed in since at a shared computer.
 */
const PAGE_USER_FIELD = '_user';

/**
 * The field beside a select of records (a participant, a screening entry) that carries the words its options showed,
 * keyed by the id each posts (`_words-participantId`): a post that comes with no session the server knows has no one
 * to look a record up for, and lists the choice by these words, which the browser sent back, rather than by the id.
 */
const OPTION_WORDS_PREFIX = '_words-';

const optionWordsField = (name: string, options: readonly { readonly id: string; readonly words: string }[]): Html =>
  html`<input
    type="hidden"
    name="${OPTION_WORDS_PREFIX}${name}"
    value="${JSON.stringify(Object.fromEntries(options.map((o) => [o.id, o.words])))}"
  />`;

/** The words a post's own `_words-` field gives for the option it chose (optionWordsField), or undefined. */
function postedOptionWords(values: Readonly<Record<string, string>>, name: string): string | undefined {
  const chosen = values[name];
  const field = values[`${OPTION_WORDS_PREFIX}${name}`];
  if (chosen === undefined || field === undefined) return undefined;
  try {
    const options = JSON.parse(field) as unknown;
    if (typeof options !== 'object' || options === null || !Object.hasOwn(options, chosen)) return undefined;
    const words = (options as Record<string, unknown>)[chosen];
    return typeof words === 'string' ? words : undefined;
  } catch {
    return undefined;
  }
}

/** The CSRF field every form of a signed-in page carries, with the user the page was made for. */
const csrfField = (reply: FastifyReply) =>
  html`<input type="hidden" name="_csrf" value="${reply.generateCsrf()}" /><input
      type="hidden"
      name="${PAGE_USER_FIELD}"
      value="${reply.request.trialUser?.id ?? ''}"
    />`;

const logoutForm = (reply: FastifyReply) =>
  html`<form method="post" action="/trial/logout" class="no-print">
    ${csrfField(reply)}<button type="submit">Sign out</button>
  </form>`;

/** The header of a trial page: its navigation and, signed in, Sign out (every signed-in page offers it). */
const chrome = (reply: FastifyReply, user: TrialUser | undefined): PageOptions => ({
  nav: nav(user),
  ...(user === undefined ? {} : { headerEnd: logoutForm(reply) }),
});

/**
 * The message a form action sent back (a refusal's reason, or the redirect's flash cookie: shown masked like stored
 * text).
 */
const notice = (q: Readonly<Record<string, string | undefined>>, linkToForm = false): Html => {
  // The answer takes the focus (autofocus, without script), a refusal as a saved write: a screen reader reads it and
  // the keyboard continues from it, rather than from the top of a long page that looks as it did before the post.
  if (q.error !== undefined) {
    return html`<div class="alert warning" role="alert" tabindex="-1" autofocus>
      <p id="${REFUSED_REASON_ID}">${q.error}</p>
      ${linkToForm ? html`<p><a href="#${REFUSED_FORM_ID}">Go to the form, as you typed it</a></p>` : ''}
    </div>`;
  }
  if (q.done !== undefined) {
    return html`<div class="alert ok" role="status" tabindex="-1" autofocus><p>${q.done}</p></div>`;
  }
  return html``;
};

/** How long a redirect's message waits for the page it names (the browser follows a 303 at once). */
const FLASH_SECONDS = 60;

/**
 * The signature that shows a redirect's message is this server's, sent in this session for the page at `path`: a
 * cookie written by anything else would put its words in the trial's own alert box. Keyed by the session's own secret
 * (the one its CSRF tokens come from), so every server process checks it alike and no other session can replay it.
 */
function messageSignature(request: FastifyRequest, kind: string, path: string, message: string): string | undefined {
  const secret = request.session?._csrf;
  if (secret === undefined) return undefined;
  return createHmac('sha256', secret).update(`trial page message\n${kind}\n${path}\n${message}`).digest('base64url');
}

/**
 * The message the last form action left for this page (back), read once: the flash cookie is cleared as it is read,
 * and shown only when its signature is this session's and it names this page.
 */
function flashMessage(
  auth: AuthOptions,
  request: FastifyRequest,
  reply: FastifyReply,
): { error?: string; done?: string } {
  const name = flashCookie(auth);
  const value = request.cookies[name];
  if (value === undefined) return {};
  reply.clearCookie(name, sessionCookieOptions(auth));
  const dot = value.lastIndexOf('.');
  try {
    const { kind, path, message } = JSON.parse(Buffer.from(value.slice(0, dot), 'base64url').toString('utf8')) as {
      kind?: unknown;
      path?: unknown;
      message?: unknown;
    };
    if ((kind !== 'error' && kind !== 'done') || typeof message !== 'string') return {};
    if (path !== (request.url.split('?')[0] ?? '')) return {};
    const expected = Buffer.from(messageSignature(request, kind, path, message) ?? '');
    const sig = Buffer.from(value.slice(dot + 1));
    if (expected.length > 0 && expected.length === sig.length && timingSafeEqual(expected, sig)) {
      return { [kind]: message };
    }
  } catch {
    // Not a cookie this server wrote: nothing to show.
  }
  return {};
}

/**
 * Redirect back with a message (ours, never input), signed for this session and the page: carried in a short-lived
 * httpOnly cookie, never in the URL (a shared ward computer's history would keep a kit code or a score for the next
 * user, a blinded rater among them).
 */
function back(auth: AuthOptions, reply: FastifyReply, path: string, kind: 'done' | 'error', message: string) {
  const sig = messageSignature(reply.request, kind, path, message);
  if (sig !== undefined) {
    const value = `${Buffer.from(JSON.stringify({ kind, path, message })).toString('base64url')}.${sig}`;
    reply.setCookie(flashCookie(auth), value, { ...sessionCookieOptions(auth), maxAge: FLASH_SECONDS });
  }
  return reply.code(303).redirect(path);
}

/**
 * A form post that was refused, to be shown again: the form it came from (its action; a visit form's adds
 * `#instrument`), the fields as they were typed, and why it was not saved. A refusal never costs what was typed.
 */
interface Refused {
  readonly action: string;
  readonly values: Readonly<Record<string, string>>;
  readonly message: string;
  /** The field the refusal is about, when it names one (InputError.field): marked invalid in the form shown again. */
  readonly field?: string;
}

/**
 * The posted fields that are text (a repeated field keeps its last value; the CSRF token and the page's user are the
 * page's own, not typed).
 */
function typedFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [name, value] of Object.entries(body)) {
    const text = Array.isArray(value) ? value.at(-1) : value;
    if (typeof text === 'string' && name !== '_csrf' && name !== PAGE_USER_FIELD) out[name] = text;
  }
  return out;
}

/** The id of the form a refusal came back in, which the refusal's reason links to (noticeFor). */
const REFUSED_FORM_ID = 'refused-form';

/** The id of a refusal's reason, which the field it is about points at (aria-describedby). */
const REFUSED_REASON_ID = 'refused-reason';

/**
 * How to fill the form posting to `action`: what was typed when this very form was refused, else the defaults given.
 * `selected` answers the attribute an option takes.
 */
function typedInto(refused: Refused | undefined, action: string) {
  const values = refused?.action === action ? refused.values : undefined;
  const field = values === undefined ? undefined : refused?.field;
  return {
    refused: values !== undefined,
    /** The refused form's id, which its reason links to (REFUSED_FORM_ID); nothing for any other form. */
    anchor: values === undefined ? html`` : html` id="${REFUSED_FORM_ID}"`,
    value: (name: string, fallback = ''): string => values?.[name] ?? fallback,
    selected: (name: string, option: string, fallback = false): string =>
      (values === undefined ? fallback : values[name] === option) ? 'selected' : '',
    /** On the field the refusal is about: marked invalid and described by the reason (REFUSED_REASON_ID). */
    invalid: (name: string): Html =>
      name === field ? html` aria-invalid="true" aria-describedby="${REFUSED_REASON_ID}"` : html``,
  };
}

/**
 * Runs a form action. A saved write redirects back with a message (post/redirect/get). A refused one answers the
 * form's page again (`again`), with the reason and every field as typed, with the refusal's status; only when that
 * page cannot be shown (the participant is out of the user's scope) does it redirect back with the reason alone.
 */
async function action(
  auth: AuthOptions,
  reply: FastifyReply,
  path: string,
  run: () => Promise<string>,
  again?: (message: string, status: number, field?: string) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    // A page form's fields as a browser posts them; another body (JSON null, a list, a multipart upload) is refused.
    const body = reply.request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InputError('the form was not sent as a form (application/x-www-form-urlencoded)', 'input.body.invalid');
    }
    return back(auth, reply, path, 'done', await run());
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 401) return reply.code(303).redirect('/trial/login');
    // An error that is not a refusal (a fault): logged as the error handler logs one (its class, never its message).
    if (!(error instanceof InputError) && !(typeof status === 'number' && status >= 400 && status < 500)) {
      reply.log.error({ code: 'trial.internal', name: (error as Error).name }, 'trial page action failed');
    }
    const message = `Not saved: ${error instanceof InputError ? error.message : 'not saved'}`;
    if (again !== undefined) {
      try {
        return error instanceof InputError
          ? await again(message, statusOfCode(error.code), error.field)
          : await again(message, status ?? 500);
      } catch {
        // The page itself is refused (out of scope, not found): the reason alone, as before.
      }
    }
    return back(auth, reply, path, 'error', message);
  }
}

/**
 * The version of the record a correction form was opened on (its hidden `version` field): the store refuses the
 * correction if someone changed the record since. The field always carries the version shown, never the one typed
 * into a refused form, so that after a refusal the page shows the record as it now is beside what was typed, and
 * sending it again applies it on purpose.
 */
function formVersion(form: Readonly<Record<string, string>>): number | undefined {
  const text = form.version?.trim() ?? '';
  if (text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new InputError('version: not a whole number', 'input.number');
  return Number(text);
}

/**
 * The reason a correction, a void or an unblinding must give (audited): one field, as every such form writes it,
 * marked when the refusal is about it. `label`: the form's own wording ("Reason for the correction").
 */
function reasonField(id: string, typed: ReturnType<typeof typedInto>, label: string = FIELD_LABELS.reason): Html {
  return inputField(typed, id, 'reason', { label, after: html`required maxlength="500"` });
}

/** What an input of a page form holds besides its id and name (inputField). */
interface InputOptions {
  /** The value shown when the form was not refused: the record as stored (a correction), else empty. */
  readonly shown?: string;
  readonly type?: 'date' | 'number';
  /** Attributes written before the value (`step`, `min`) and after it (`required`, `maxlength`). */
  readonly before?: Html;
  readonly after?: Html;
  /** The label, when the form words it otherwise than FIELD_LABELS ("Reason for the correction"). */
  readonly label?: string;
}

/**
 * A labelled input of a page form, as every one is written: its label (FIELD_LABELS by the field's name, which the
 * lists of what was typed read too), the input filled with what was typed into this very form when it was refused,
 * else `shown`, and marked invalid, described by the reason, when the refusal is about it (typedInto).
 */
function inputField(
  typed: ReturnType<typeof typedInto>,
  id: string,
  name: keyof typeof FIELD_LABELS,
  options: InputOptions = {},
): Html {
  const { shown = '', type, before = html``, after = html``, label = FIELD_LABELS[name] } = options;
  return html`<p>
    <label for="${id}">${label}</label
    ><input
      id="${id}"
      name="${name}"
      ${typed.invalid(name)}
      ${type === undefined ? '' : html`type="${type}"`}
      ${before}
      value="${typed.value(name, shown)}"
      ${after}
    />
  </p>`;
}

/** The hidden field naming the version a correction form shows. */
const versionField = (version: number): Html => html`<input type="hidden" name="version" value="${String(version)}" />`;

const dateOnly = (iso: string | null): string => (iso === null ? '' : iso.slice(0, 10));

/**
 * Text with each date in it (YYYY-MM-DD) marked as a date (`<time>`), which the layout keeps on one line: in a narrow
 * table column at 360 px "2026-11-27" broke at its hyphens into pieces no one reads as a date.
 */
const datesKept = (text: string): Html =>
  html`${text
    .split(/(\d{4}-\d{2}-\d{2})/)
    .map((part, i) => (i % 2 === 1 ? html`<time datetime="${part}">${part}</time>` : part))}`;

/** A stored instant to the minute, in UTC as stored: "2026-11-29 10:04 UTC". */
const utcMinute = (iso: string | null): string =>
  iso === null ? '' : `${iso.slice(0, 10)} ${new Date(iso).toISOString().slice(11, 16)} UTC`;

/**
 * A number typed in a form: empty is null; anything but a plain decimal ("12", "-0.5", ".5") is refused rather than
 * read as JavaScript reads it (Number("0x10") is 16, Number("1e3") 1000), so what is stored is what was typed.
 */
function formNumber(form: Readonly<Record<string, string | undefined>>, name: string, label: string): number | null {
  const text = form[name]?.trim() ?? '';
  if (text === '') return null;
  if (!/^-?(\d+(\.\d+)?|\.\d+)$/.test(text)) {
    // The input's name goes with the refusal, so the form shown again marks that field (InputError.field).
    throw new InputError(`${label}: not a plain decimal number (digits, optionally a point)`, 'input.number', name);
  }
  return Number(text);
}

function participantsTable(participants: readonly (Participant | ParticipantWithoutSafety)[]): Html {
  if (participants.length === 0) return html`<p>No participants enrolled yet.</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Participants">
    <table>
      <caption class="muted">
        Participants
      </caption>
      <thead>
        <tr>
          <th scope="col">Participant</th>
          <th scope="col">Site</th>
          <th scope="col">Enrolled</th>
          <th scope="col">Status</th>
          <th scope="col">Randomization no.</th>
          <th scope="col">Kit</th>
        </tr>
      </thead>
      <tbody>
        ${participants.map(
          (p) =>
            html`<tr>
              <td class="code"><a href="/trial/participants/${p.id}">${p.participantCode}</a></td>
              <td class="code">${p.site}</td>
              <td>${datesKept(p.enrolledOn)}</td>
              <td>
                ${p.status}${'emergencyUnblinded' in p && p.emergencyUnblinded ? ' (unblinded in emergency)' : ''}
              </td>
              <td>${p.randomizationNumber ?? ''}</td>
              <td class="code">${p.kitCode ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/**
 * How a page that lists several participants' records names each (by participant id): its code, and for a viewer of
 * every site (a monitor, the pharmacist, an account with no site) its code and site, "P-001 (site-a)", since each site
 * numbers its own participants and a code may name one at each.
 */
function participantNames(
  user: TrialUser,
  codes: Readonly<Record<string, string>>,
  sites: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(codes).map(([id, code]) => [id, sites[id] === undefined ? code : codeAt(user, code, sites[id])]),
  );
}

/**
 * A participant or screening code as a page names it to this viewer: with its site, "P-001 (site-a)", for a viewer
 * of every site, since codes are each site's own; the code alone for a viewer of one site.
 */
function codeAt(user: TrialUser, code: string, site: string): string {
  return boundSite(user.role, user.site) === undefined ? `${code} (${site})` : code;
}

/** A link to the participant's page, named by the participant code when it is known. */
function participantLink(id: string, codes: Readonly<Record<string, string>>): Html {
  return html`<a href="/trial/participants/${id}">${codes[id] ?? 'participant'}</a>`;
}

/**
 * An alert as a control acting on it names it: its kind, its participant (by code, when known) and when it was
 * raised, so that two alerts alike on one dashboard (two participants' stop rules the same day) are told apart by a
 * screen reader's list of buttons and fields.
 */
const alertName = (a: AlertRecord, codes: Readonly<Record<string, string>>): string =>
  `${a.kind} alert${codes[a.participantId] === undefined ? '' : ` of participant ${codes[a.participantId]}`} raised ${dateOnly(a.raisedAt)}`;

function alertList(
  alerts: readonly AlertRecord[],
  codes: Readonly<Record<string, string>> = {},
  correctedSince: Readonly<Record<string, CorrectedRecord>> = {},
  acknowledge?: () => Html,
  clearedSince: Readonly<Record<string, ClearedDose>> = {},
): Html {
  if (alerts.length === 0) return html`<p>No open safety alerts.</p>`;
  // Stored records listed, not a message of this moment: no role="alert", which a screen reader would read out, every
  // one of them, each time the page opens (the list is under its heading, "Open safety alerts").
  return html`<ul aria-label="Open safety alerts">
    ${alerts.map(
      (a) =>
        html`<li>
          <div
            class="alert ${a.kind === 'stop-rule' || a.kind === 'serious-adverse-event' || a.kind === 'susar' ? 'critical' : 'warning'}"
          >
            <strong>${a.kind}</strong>: ${a.message}
            <span class="muted">(raised ${dateOnly(a.raisedAt)}; ${participantLink(a.participantId, codes)})</span>
            ${correctedLine(correctedSince[a.id])} ${clearedLine(clearedSince[a.id])}
            ${
              acknowledge === undefined
                ? ''
                : html`<form method="post" action="/trial/safety/alerts/${a.id}/acknowledge" class="inline">
                    ${acknowledge()}
                    <label
                      >${FIELD_LABELS.actionTaken}
                      <input
                        name="actionTaken"
                        aria-label="${FIELD_LABELS.actionTaken} on the ${alertName(a, codes)}"
                        required
                        maxlength="500"
                        size="40"
                        autocomplete="off"
                    /></label>
                    <button type="submit" aria-label="Acknowledge the ${alertName(a, codes)}">Acknowledge</button>
                  </form>`
            }
          </div>
        </li>`,
    )}
  </ul>`;
}

/**
 * The acknowledged alerts, each with when it was acknowledged (date and time, UTC), by whom (`acknowledgers`: the
 * account's name and role, acknowledgerNames) and what was done about it.
 */
function acknowledgedList(
  alerts: readonly AlertRecord[],
  codes: Readonly<Record<string, string>>,
  acknowledgers: Readonly<Record<string, string>>,
): Html {
  if (alerts.length === 0) return html`<p>None yet.</p>`;
  return html`<ul>
    ${alerts.map(
      (a) =>
        html`<li>
          <strong>${a.kind}</strong>: ${a.message}
          <span class="muted">(raised ${dateOnly(a.raisedAt)}; ${participantLink(a.participantId, codes)})</span><br />
          Acknowledged
          ${utcMinute(a.acknowledgedAt)}${a.acknowledgedBy === null ? '' : ` by ${acknowledgers[a.acknowledgedBy] ?? 'an account not on file'}`}:
          ${a.actionTaken ?? 'no action recorded (acknowledged before it was asked)'}
        </li>`,
    )}
  </ul>`;
}

/** Who acknowledged each of `alerts`, by account id: the account's name and role, "Coordinator A (coordinator)". */
const acknowledgerNames = (deps: TrialDeps, alerts: readonly AlertRecord[]): Promise<Record<string, string>> =>
  accountNames(
    deps,
    alerts.flatMap((a) => (a.acknowledgedBy === null ? [] : [a.acknowledgedBy])),
  );

/** Accounts by id, each as its name and role, "Coordinator A (coordinator)"; an id of no account is left out. */
async function accountNames(deps: TrialDeps, accountIds: readonly string[]): Promise<Record<string, string>> {
  const ids = [...new Set(accountIds)];
  const users = await Promise.all(ids.map((id) => deps.store.getUser(id)));
  return Object.fromEntries(
    users.flatMap((u) => (u === null ? [] : [[u.id, `${u.displayName} (${u.role})`] as const])),
  );
}

/**
 * The pre-dose safety labs above the infusion form: cleared only when every one the protocol asks for before the
 * infusion is there and no hold, stop or undecided verdict; otherwise what is missing or what the rule says.
 */
function preDoseSummary(clearance: PreDoseClearance): Html {
  const problems = preDoseProblems(clearance);
  if (clearance.analytes.length === 0) return html``;
  return problems.length === 0
    ? html`<p class="alert ok">
        Pre-dose safety labs (${clearance.analytes.map((a) => a.analyte).join(', ')}): each latest result is in, and no
        do-not-initiate, hold or stop rule applies.
      </p>`
    : html`<div class="alert critical" role="alert">
        <p><strong>Pre-dose safety labs not cleared</strong>: the label's checks before the infusion are not met.</p>
        <ul>
          ${problems.map((p) => html`<li>${p}</li>`)}
        </ul>
        <p>An infusion recorded now raises a dose-not-cleared alert for the investigator.</p>
      </div>`;
}

/**
 * The laboratory's limits a result was graded on, in its unit: an ALT/AST is read as a multiple of the local ULN and
 * a count's grade 1 starts below the LLN, so the reader checks the verdict against them; a limit not given says so.
 */
function referenceRange(l: LabRecord): string {
  const limit = (v: number | null) => (v === null ? 'not given' : `${v} ${l.unit}`);
  return `LLN ${limit(l.lowerLimitOfNormal)}; ULN ${limit(l.upperLimitOfNormal)}`;
}

/** A lab's hold/stop verdict in words. */
function actionText(action: LabRecord['assessment']['action']): string {
  return action === 'continue'
    ? 'no hold or stop rule applies'
    : action === 'unknown'
      ? 'rules could not be checked'
      : action;
}

/**
 * Under an alert whose record was corrected since to another verdict, or whose lab was graded again on a corrected
 * infusion date (alertsCorrectedSince): what the result or the infusion now reads.
 */
function correctedLine(record: CorrectedRecord | undefined): Html {
  if (record === undefined) return html``;
  if ('check' in record) {
    return html`<br />The infusion record was corrected since (version ${record.version}): ${record.check.text}.
      Acknowledge the alert once reviewed.`;
  }
  const lab = record;
  const reads = `${lab.comparator ?? ''}${lab.value} ${lab.unit}`;
  return html`<br />The result was corrected or graded again since (version ${lab.version}): it now reads ${reads},
    ${actionText(lab.assessment.action)}. Acknowledge the alert once reviewed.`;
}

/**
 * Under a dose-not-cleared alert whose infusion the pre-dose labs, as now recorded, clear: what is true as of the
 * infusion's date (the results collected on or before it, each dated), not that it was cleared when given: a result
 * entered late or corrected since the alert, or a corrected date, is why the record now reads so.
 */
function clearedLine(dose: ClearedDose | undefined): Html {
  if (dose === undefined) return html``;
  return html`<br />As now recorded, the pre-dose safety labs collected on or before the infusion date
    (${dose.administeredOn}; infusion record version ${dose.version}) clear it: ${dose.clearedBy.join('; ')}. The alert
    stated the record as it read when raised: check whether these results were known before the dose, and acknowledge
    the alert once reviewed.`;
}

/** CTCAE grade and the hold/stop verdict in words; what could not be decided says so and why. */
function assessmentText(l: LabRecord, citations: ReadonlyMap<string, Citation>): Html {
  const a = l.assessment;
  const grade = a.grade === null ? 'grade undecided' : `grade ${a.grade}`;
  const action = actionText(a.action);
  return html`CTCAE v${a.ctcaeVersion} ${a.term}: ${grade};
    <strong>${action}</strong> ${a.ruleTexts.map((t) => html`<br />${t}`)}
    ${a.issues.map((i) => html`<br /><span class="muted">${i.message}</span>`)}
    ${a.verified ? '' : html`<br /><span class="tag">unverified</span>`} <br /><span class="muted"
      >Sources: ${a.citations.map((k) => citationText(k, citations.get(k))).join('; ')}</span
    >`;
}

/**
 * Lab results with their assessment; with `codes` (the safety dashboard, across participants) each row names its
 * participant, with a link to the participant's page.
 */
function labTable(
  labs: readonly LabRecord[],
  citations: ReadonlyMap<string, Citation>,
  codes?: Readonly<Record<string, string>>,
): Html {
  if (labs.length === 0) return html`<p>No lab results.</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Safety labs">
    <table>
      <caption class="muted">
        Safety labs, graded by CTCAE with the label's hold and stop rules
      </caption>
      <thead>
        <tr>
          ${codes === undefined ? '' : html`<th scope="col">Participant</th>`}
          <th scope="col">Visit</th>
          <th scope="col">Collected</th>
          <th scope="col">Analyte</th>
          <th scope="col">Value</th>
          <th scope="col">Reference range</th>
          <th scope="col">Assessment</th>
        </tr>
      </thead>
      <tbody>
        ${labs.map(
          (l) =>
            html`<tr>
              ${codes === undefined ? '' : html`<td>${participantLink(l.participantId, codes)}</td>`}
              <td>${l.visit}</td>
              <td>${datesKept(l.collectedOn)}</td>
              <td>${l.analyte}</td>
              <td>${l.comparator ?? ''}${l.value} ${l.unit}${l.comparator == null ? '' : ' (censored)'}</td>
              <td>${referenceRange(l)}</td>
              <td class="prose">${assessmentText(l, citations)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function adverseEventTable(events: readonly AdverseEventRecord[]): Html {
  if (events.length === 0) return html`<p>No adverse events recorded.</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Adverse events">
    <table>
      <caption class="muted">
        Adverse events as entered (verbatim term; CTCAE grade by the investigator)
      </caption>
      <thead>
        <tr>
          <th scope="col">Onset</th>
          <th scope="col">Term</th>
          <th scope="col">Grade</th>
          <th scope="col">Serious</th>
          <th scope="col">Relatedness</th>
          <th scope="col">Expectedness</th>
          <th scope="col">Outcome</th>
          <th scope="col">Recorded</th>
        </tr>
      </thead>
      <tbody>
        ${events.map(
          (e) =>
            html`<tr>
              <td>${datesKept(e.onsetOn)}</td>
              <td>${e.term}</td>
              <td>${e.grade}</td>
              <td>${e.serious ? html`<strong>yes</strong> (${e.seriousCriteria.join(', ')})` : 'no'}</td>
              <td>${e.relatedness}</td>
              <td>${e.expectedness}</td>
              <td>${e.outcome}</td>
              <td>${datesKept(dateOnly(e.recordedAt))}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/**
 * A correction form for each visit form: its items and completion date as stored (or, after a refusal, as typed),
 * under what its scoring found wrong (an item not answered or out of range: why the total is missing), with a reason
 * and the version shown. Only the items changed from what the form showed are sent to the store (correctForm).
 */
function formCorrections(
  path: string,
  csrf: () => Html,
  forms: readonly FormRecord[],
  instruments: ReadonlyMap<string, InstrumentDefinition>,
  refused: Refused | undefined,
): Html {
  return html`${forms.map((f) => {
    const def = instruments.get(f.instrument);
    if (def === undefined) return '';
    const action = `${path}/forms/${f.id}/corrections`;
    const fix = typedInto(refused, action);
    const problems = formProblems(f);
    return html`<details ${fix.refused ? 'open' : ''}>
      <summary>Correct the ${def.name} form of the ${f.visit} visit (completed ${f.completedOn})</summary>
      ${problems.length === 0 ? '' : html`<p>Not scored: ${problems.join('; ')}.</p>`}
      <form method="post" action="${action}" ${fix.anchor}>
        ${csrf()} ${versionField(f.version)}
        <input type="hidden" name="instrument" value="${def.id}" />
        ${inputField(fix, `fix-form-on-${f.id}`, 'completedOn', {
          shown: f.completedOn,
          type: 'date',
          after: html`required`,
        })}
        ${instrumentFields(def, fix, `fix-${f.id}`, f.answers)}
        ${reasonField(`fix-form-reason-${f.id}`, fix, 'Reason for the correction')}
        <p><button type="submit">Correct the ${def.name} form</button></p>
      </form>
    </details>`;
  })}`;
}

/** What its scoring found wrong with a form (why it has no total), as its issues word it: none when scored. */
const formProblems = (f: FormRecord): string[] =>
  f.score.issues.filter((i) => i.severity === 'error').map((i) => i.message);

/**
 * The message of a visit form saved or corrected: its total, or why it has none (the first three problems, and how
 * many more), so that an item skipped is known at once, not only when its correction form is opened.
 */
function formSavedText(verb: 'Saved' | 'Corrected', f: FormRecord): string {
  const problems = formProblems(f);
  const why =
    problems.length === 0
      ? ''
      : `: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` and ${problems.length - 3} more` : ''}`;
  return `${verb} ${f.instrument} at ${f.visit}: total ${f.score.total ?? 'incomplete'} (${f.status})${why}`;
}

/** `timingOf`: a form's date against its visit's window (src/trial/visits.ts visitTimingText). */
function formTable(forms: readonly FormRecord[], timingOf: (form: FormRecord) => string): Html {
  if (forms.length === 0) return html`<p>No visit forms yet.</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Visit forms">
    <table>
      <caption class="muted">
        Visit forms (totals computed from the items)
      </caption>
      <thead>
        <tr>
          <th scope="col">Visit</th>
          <th scope="col">Instrument</th>
          <th scope="col">Completed</th>
          <th scope="col">Timing</th>
          <th scope="col">Total</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        ${forms.map(
          (f) =>
            html`<tr>
              <td>${f.visit}</td>
              <td>${f.instrument}${f.scoring === null ? '' : ` (${f.scoring})`}</td>
              <td>${datesKept(f.completedOn)}</td>
              <td>${datesKept(timingOf(f))}</td>
              <td>${f.score.total ?? 'incomplete'}</td>
              <td>${f.status}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function screeningTable(entries: readonly ScreeningEntry[]): Html {
  if (entries.length === 0) return html`<p>Nobody screened yet.</p>`;
  return html`${entries.map(
    (e) =>
      html`<details>
        <summary>
          ${e.screeningCode} (site ${e.site}, ${e.screenedOn}): <strong>${e.verdict}</strong>
          <span class="muted">id ${e.id}</span>
        </summary>
        <ul>
          ${e.criteria.map(
            (c) =>
              html`<li>
                <span class="status-${c.status}">${c.status}</span> ${c.kind} ${c.id}: ${c.reason}
                <span class="muted">(${c.source}${c.verified ? '' : ', unverified'})</span>
              </li>`,
          )}
        </ul>
      </details>`,
  )}`;
}

function consortList(boxes: readonly ConsortBox[]): Html {
  return html`<ol class="consort">
    ${boxes.map(
      (b) =>
        html`<li>
          <strong>${b.label}</strong>:
          ${b.n}${
            b.detail.length === 0
              ? ''
              : html`<ul>
                  ${b.detail.map((d) => html`<li>${d.label}: ${d.n}</li>`)}
                </ul>`
          }
        </li>`,
    )}
  </ol>`;
}

/** The empty option of an instrument item answered from a list. */
const NOT_ANSWERED = 'not answered';

/** The options of a screening criterion's select, in the form's words: empty leaves it to the record. */
const CRITERION_ANSWER_WORDS: Readonly<Record<string, string>> = {
  '': 'from the record (or unknown)',
  met: 'met',
  'not-met': 'not met',
  unknown: 'unknown',
};

/** A stored item answer as its field shows it: empty when not answered. */
const answerText = (answer: ItemAnswer | undefined): string =>
  answer === undefined || answer === null ? '' : String(answer);

/** An item answer as a form posts it: empty is not answered, digits a number, anything else as typed ("1a"). */
function formAnswer(typed: string): ItemAnswer {
  const v = typed.trim();
  return v === '' ? null : /^\d+$/.test(v) ? Number(v) : v;
}

/**
 * An instrument's item fields, filled with `shown` (a stored form's answers, for its correction) or, after a refusal,
 * as typed. Ids start with `item-<key>`.
 */
function instrumentFields(
  def: InstrumentDefinition,
  typed: ReturnType<typeof typedInto>,
  key: string = def.id,
  shown: Readonly<Record<string, ItemAnswer>> = {},
): Html {
  const [lo, hi] = def.responseRange;
  return html`<fieldset>
    <legend>${def.name}: ${def.title}</legend>
    ${def.items.map((item) => {
      const options = def.optionItems[String(item.number)];
      const id = `item-${key}-${item.number}`;
      const stored = answerText(shown[String(item.number)]);
      if (options !== undefined) {
        return html`<p>
          <label for="${id}">${itemLabel(item)}</label
          ><select id="${id}" name="item${item.number}">
            <option value="">${NOT_ANSWERED}</option>
            ${Object.keys(options).map(
              (o) => html`<option value="${o}" ${typed.selected(`item${item.number}`, o, o === stored)}>${o}</option>`,
            )}
          </select>
        </p>`;
      }
      return html`<p>
        <label for="${id}">${itemLabel(item)} (${lo}-${hi})</label
        ><input
          id="${id}"
          name="item${item.number}"
          type="number"
          inputmode="numeric"
          min="${lo}"
          max="${hi}"
          step="1"
          value="${typed.value(`item${item.number}`, stored)}"
        />
      </p>`;
    })}
  </fieldset>`;
}

const ScreeningFormSchema = z.object({
  site: z.string(),
  screeningCode: z.string(),
  screenedOn: z.string(),
  bundle: z.string().optional(),
});

/** The exits of DispositionInputSchema in the coordinator's words. */
const EXIT_LABELS: Record<(typeof DISPOSITION_EVENTS)[number], string> = {
  completed: 'Completed the study',
  'withdrew-consent': 'Withdrew consent',
  'lost-to-follow-up': 'Lost to follow-up',
  'adverse-event': 'Stopped for an adverse event',
  death: 'Death',
  other: 'Other',
};

/** The exit form's first option: no exit is chosen for the coordinator, so none is recorded by leaving the default. */
const CHOOSE_EXIT = 'choose the reason for leaving';

const exitOptions = (selected: string | null): Html =>
  html`${DISPOSITION_EVENTS.map(
    (e) => html`<option value="${e}" ${e === selected ? 'selected' : ''}>${EXIT_LABELS[e]}</option>`,
  )}`;

/**
 * The participant's exit and, for those who enter it, the forms to record it, to correct it (the reason, the date,
 * or the participant it belongs to, with why) or to void it when the participant did not leave.
 */
/**
 * The words a laboratory report uses for the units a lab result is entered in (LAB_UNITS, src/trial/model.ts): a
 * count reported per mm3 (the label's own unit, and US reports') is entered as such, rather than typed as a number of
 * 10*3/uL or 10*9/L (ANC 1800 /mm3 typed in 10*9/L would read normal). A result stored in another unit keeps it as
 * an option.
 */
const LAB_UNIT_WORDS: Readonly<Record<string, string>> = {
  '10*9/L': '10*9/L (x10^9 per litre)',
  '10*3/uL': '10*3/uL (thousands per microlitre)',
  '/uL': '/uL (cells per microlitre = per mm3)',
  'U/L': 'U/L (= IU/L)',
  'ukat/L': 'ukat/L (microkatal per litre)',
};

/** The empty option of the baseline hs-CRP unit: no unit is assumed. */
const CHOOSE_CRP_UNIT = 'choose the unit';

/** The baseline hs-CRP units of the enrolment form (CRP_UNITS, src/trial/model.ts) in a report's words. */
const CRP_UNIT_WORDS: Readonly<Record<(typeof CRP_UNITS)[number], string>> = {
  'mg/L': 'mg/L (milligrams per litre)',
  'mg/dL': 'mg/dL (milligrams per decilitre = mg/L / 10)',
  'nmol/L': "nmol/L (nanomoles per litre: converted with the pathway's CRP molar factor)",
};

/** The options of a "Result reported as" select: a measured value (empty) or censored, in the form's words. */
const COMPARATOR_WORDS: Readonly<Record<string, string>> = {
  '': 'a measured value',
  '<': '< below the assay\'s limit (reported as "<0.2"): type the limit',
  '>': '> above the assay\'s range (reported as ">1000"): type the limit',
};

/**
 * A result as the laboratory reports it: measured, or censored at the assay's limit ("<0.2", ">1000"), the limit then
 * typed as the value. Stored as entered and graded only where every value it allows agrees (docs/trial-operations.md).
 */
function comparatorField(id: string, name: string, typed: ReturnType<typeof typedInto>, shown: '<' | '>' | null): Html {
  return html`<p>
    <label for="${id}">${FIELD_LABELS.comparator}</label
    ><select id="${id}" name="${name}" ${typed.invalid(name)}>
      ${Object.entries(COMPARATOR_WORDS).map(
        ([v, words]) => html`<option value="${v}" ${typed.selected(name, v, v === (shown ?? ''))}>${words}</option>`,
      )}
    </select>
  </p>`;
}

/**
 * The baseline hs-CRP fields of the enrolment form and its correction (value, unit, comparator); null without a
 * value. No unit is assumed: a value read off a report in mg/dL is a tenth of the mg/L the strata are cut in.
 */
function baselineCrpFromForm(form: Readonly<Record<string, string>>): BaselineCrp | null {
  const value = formNumber(form, 'baselineCrp', 'baseline hs-CRP');
  const unit = form.baselineCrpUnit?.trim() ?? '';
  if (value !== null && unit === '') {
    throw new InputError('baseline hs-CRP: choose its unit, as on the laboratory report', 'trial.invalid');
  }
  return value === null ? null : { value, unit, comparator: formComparator(form.baselineCrpComparator) };
}

/** The baseline hs-CRP fields (comparator, value, unit as on the report), filled with `shown` or as typed. */
function baselineCrpFields(key: string, typed: ReturnType<typeof typedInto>, shown: Participant['baselineCrp']): Html {
  return html`${comparatorField(`${key}-comparator`, 'baselineCrpComparator', typed, shown?.comparator ?? null)}
    ${inputField(typed, key, 'baselineCrp', { shown: shown === null ? '' : String(shown.value), type: 'number', before: html`step="any" min="0"` })}
    <p>
      <label for="${key}-unit">${FIELD_LABELS.baselineCrpUnit}</label
      ><select id="${key}-unit" name="baselineCrpUnit" ${typed.invalid('baselineCrpUnit')}>
        <option value="">${CHOOSE_CRP_UNIT}</option>
        ${CRP_UNITS.map(
          (u) =>
            html`<option value="${u}" ${typed.selected('baselineCrpUnit', u, u === shown?.unit)}>
              ${CRP_UNIT_WORDS[u]}
            </option>`,
        )}
      </select>
    </p>`;
}

/** The empty option of the sex field: none is preselected, and none is required. */
const SEX_NOT_RECORDED = 'not recorded';

/** The CDISC SEX terms (SEXES, src/trial/model.ts) in the form's words. */
const SEX_WORDS: Readonly<Record<Sex, string>> = {
  F: 'Female',
  M: 'Male',
  U: 'Unknown',
  UNDIFFERENTIATED: 'Undifferentiated',
};

/**
 * The demographics of the enrolment form and its correction, for SDTM DM: sex, and the date of birth or, where it is
 * not collected, the age at consent. None is required (an enrolment without them is exported with DM SEX/AGE empty
 * and a note); none is preselected, so that nothing is recorded that was not entered.
 */
function demographicsFields(
  key: string,
  typed: ReturnType<typeof typedInto>,
  shown: Pick<Participant, 'sex' | 'birthDate' | 'ageAtConsent'> | null,
): Html {
  return html`<p>
      <label for="${key}-sex">${FIELD_LABELS.sex}</label
      ><select id="${key}-sex" name="sex" ${typed.invalid('sex')}>
        <option value="">${SEX_NOT_RECORDED}</option>
        ${SEXES.map(
          (v) => html`<option value="${v}" ${typed.selected('sex', v, v === shown?.sex)}>${SEX_WORDS[v]}</option>`,
        )}
      </select>
    </p>
    ${inputField(typed, `${key}-birth`, 'birthDate', { shown: shown?.birthDate ?? '', type: 'date' })}
    ${inputField(typed, `${key}-age`, 'ageAtConsent', {
      shown: shown?.ageAtConsent === null || shown === null ? '' : String(shown.ageAtConsent),
      type: 'number',
      before: html`step="1" min="0" max="${MAX_AGE_YEARS}"`,
    })}`;
}

/**
 * The demographics a form posted: each empty field null (not recorded); a sex or age the store refuses is its to say.
 */
function demographicsFromForm(form: Readonly<Record<string, string>>): {
  sex: Sex | null;
  birthDate: string | null;
  ageAtConsent: number | null;
} {
  const text = (name: string) => {
    const v = form[name]?.trim() ?? '';
    return v === '' ? null : v;
  };
  return {
    // Checked against CDISC SEX by the store (EnrolInputSchema), whose refusal names the field.
    sex: text('sex') as Sex | null,
    birthDate: text('birthDate'),
    ageAtConsent: formNumber(form, 'ageAtConsent', FIELD_LABELS.ageAtConsent),
  };
}

/** A participant's demographics in words, for their page: what is not recorded says so. */
function demographicsText(p: Participant): string {
  const sex = p.sex === null ? 'sex not recorded' : `sex ${SEX_WORDS[p.sex].toLowerCase()}`;
  const age =
    p.birthDate !== null
      ? `born ${p.birthDate}`
      : p.ageAtConsent !== null
        ? `aged ${p.ageAtConsent} at consent`
        : 'date of birth or age not recorded';
  return `${sex}; ${age}`;
}

/**
 * The enrolment's correction form: the participant code, the enrolment date and the baseline hs-CRP as on the report
 * (one stored before units were recorded shows no unit, to be chosen), with a reason and the version shown.
 */
function enrolmentCorrection(path: string, csrf: () => Html, p: Participant, refused: Refused | undefined): Html {
  const fix = typedInto(refused, `${path}/corrections`);
  return html`<details ${fix.refused ? 'open' : ''}>
    <summary>Correct the enrolment</summary>
    <form method="post" action="${path}/corrections">
      ${csrf()} ${versionField(p.version)}
      ${inputField(fix, 'fix-enrol-code', 'participantCode', { shown: p.participantCode, after: html`required` })}
      ${inputField(fix, 'fix-enrol-on', 'enrolledOn', { shown: p.enrolledOn, type: 'date', after: html`required` })}
      ${baselineCrpFields('fix-enrol-crp', fix, p.baselineCrp)} ${demographicsFields('fix-enrol', fix, p)}
      <p class="muted">
        Before randomization the strata follow the corrected baseline hs-CRP; after it they stay the ones randomized in.
      </p>
      ${reasonField('fix-enrol-reason', fix, 'Reason for the correction')}
      <p><button type="submit">Correct the enrolment</button></p>
    </form>
  </details>`;
}

/** A comparator posted by a form: empty is a measured value (null); anything else is the store's to check. */
const formComparator = (value: string | undefined): '<' | '>' | null =>
  (value === undefined || value.trim() === '' ? null : value.trim()) as '<' | '>' | null;

const numberText = (n: number | null): string => (n === null ? '' : String(n));

/**
 * The fields of a lab result (visit, then `analyteField` when given, value, unit, limits of normal, collection date),
 * filled with `shown` (the result as stored, for a correction) or, after a refusal, as typed: one form body for
 * entering a result and for correcting one. Ids start with `key`.
 */
function labFields(
  key: string,
  typed: ReturnType<typeof typedInto>,
  shown: LabRecord | null,
  visits: readonly { readonly id: string; readonly label: string }[],
  units: readonly string[],
  analyteField: Html = html``,
): Html {
  const limit = (name: 'lowerLimitOfNormal' | 'upperLimitOfNormal', id: string) =>
    inputField(typed, `${key}-${id}`, name, {
      shown: shown === null ? '' : numberText(shown[name]),
      type: 'number',
      before: html`step="any" min="0"`,
    });
  return html`<p>
      <label for="${key}-visit">${FIELD_LABELS.visit}</label
      ><select id="${key}-visit" name="visit" ${typed.invalid('visit')}>
        ${visits.map(
          (v) =>
            html`<option value="${v.id}" ${typed.selected('visit', v.id, v.id === shown?.visit)}>${v.label}</option>`,
        )}
      </select>
    </p>
    ${analyteField} ${comparatorField(`${key}-comparator`, 'comparator', typed, shown?.comparator ?? null)}
    ${inputField(typed, `${key}-value`, 'value', { shown: shown === null ? '' : String(shown.value), type: 'number', before: html`step="any" min="0"`, after: html`required` })}
    <p>
      <label for="${key}-unit">${FIELD_LABELS.unit}</label
      ><select id="${key}-unit" name="unit" ${typed.invalid('unit')}>
        ${units.map(
          (u) =>
            html`<option value="${u}" ${typed.selected('unit', u, u === shown?.unit)}>
              ${LAB_UNIT_WORDS[u] ?? u}
            </option>`,
        )}
      </select>
    </p>
    ${limit('lowerLimitOfNormal', 'lln')} ${limit('upperLimitOfNormal', 'uln')}
    ${inputField(typed, `${key}-on`, 'collectedOn', { shown: shown?.collectedOn ?? '', type: 'date', after: html`required` })}`;
}

/**
 * A correction form for each lab result: every field but the analyte, filled with the result as stored (or, after a
 * refusal, as typed), a reason, and the version shown; the store grades the corrected result again.
 */
function labCorrections(
  path: string,
  csrf: () => Html,
  labs: readonly LabRecord[],
  visits: readonly { readonly id: string; readonly label: string; readonly labs: readonly string[] }[],
  refused: Refused | undefined,
): Html {
  return html`${labs.map((l) => {
    const fix = typedInto(refused, `${path}/labs/${l.id}/corrections`);
    const units = [...new Set<string>([...LAB_UNITS, l.unit])];
    // The visits that take this lab (and the one it is at), as the store accepts them.
    const takenAt = visits.filter((v) => v.labs.includes(l.analyte) || v.id === l.visit);
    return html`<details ${fix.refused ? 'open' : ''}>
      <summary>Correct the ${l.analyte} result collected ${l.collectedOn} (${l.visit})</summary>
      <form method="post" action="${path}/labs/${l.id}/corrections" ${fix.anchor}>
        ${csrf()} ${versionField(l.version)} ${labFields(`fix-lab-${l.id}`, fix, l, takenAt, units)}
        ${reasonField(`fix-lab-reason-${l.id}`, fix, 'Reason for the correction')}
        <p><button type="submit">Correct the result</button></p>
      </form>
    </details>`;
  })}`;
}

/**
 * The fields of an adverse event, filled with `shown` (the event as stored, for a follow-up) or, after a refusal,
 * as typed. Each seriousness criterion is its own checkbox (`serious-<criterion>`), so that a refused form keeps
 * every one ticked.
 */
function adverseEventFields(key: string, typed: ReturnType<typeof typedInto>, shown: AdverseEventInput | null): Html {
  const select = (name: 'relatedness' | 'expectedness' | 'outcome', options: readonly string[]) =>
    html`<p>
      <label for="ae-${name}-${key}">${FIELD_LABELS[name]}</label
      ><select id="ae-${name}-${key}" name="${name}" ${typed.invalid(name)}>
        ${options.map((o) => html`<option value="${o}" ${typed.selected(name, o, shown?.[name] === o)}>${o}</option>`)}
      </select>
    </p>`;
  return html`${inputField(typed, `ae-term-${key}`, 'term', {
      shown: shown?.term ?? '',
      after: html`required maxlength="2000"`,
    })}
    ${inputField(typed, `ae-onset-${key}`, 'onsetOn', { shown: shown?.onsetOn ?? '', type: 'date', after: html`required` })}
    <p>
      <label for="ae-grade-${key}">${FIELD_LABELS.grade}</label
      ><select id="ae-grade-${key}" name="grade" ${typed.invalid('grade')}>
        ${[1, 2, 3, 4, 5].map(
          (g) =>
            html`<option value="${String(g)}" ${typed.selected('grade', String(g), shown?.grade === g)}>${g}</option>`,
        )}
      </select>
    </p>
    <fieldset>
      <legend>${SERIOUS_LEGEND} (none: not serious)</legend>
      ${SERIOUSNESS_CRITERIA.map((c) => {
        const checked = typed.refused
          ? typed.value(`serious-${c}`) === 'yes'
          : (shown?.seriousCriteria.includes(c) ?? false);
        return html`<label
          ><input type="checkbox" name="serious-${c}" value="yes" ${checked ? 'checked' : ''} /> ${c}</label
        > `;
      })}
    </fieldset>
    ${select('relatedness', RELATEDNESS)} ${select('expectedness', AdverseEventInputSchema.shape.expectedness.options)}
    ${select('outcome', AdverseEventInputSchema.shape.outcome.options)}`;
}

/** An adverse event as posted by adverseEventFields (the store checks it: AdverseEventInputSchema). */
function adverseEventFromForm(form: Readonly<Record<string, string>>): Omit<AdverseEventInput, 'participantId'> {
  return {
    term: form.term ?? '',
    onsetOn: form.onsetOn ?? '',
    grade: formNumber(form, 'grade', 'grade') ?? Number.NaN,
    seriousCriteria: SERIOUSNESS_CRITERIA.filter((c) => form[`serious-${c}`] === 'yes'),
    relatedness: (form.relatedness ?? '') as AdverseEventInput['relatedness'],
    expectedness: (form.expectedness ?? '') as AdverseEventInput['expectedness'],
    outcome: (form.outcome ?? '') as AdverseEventInput['outcome'],
  };
}

/** The form to record an adverse event, and a follow-up form (with a reason and the version shown) for each one. */
function adverseEventForms(
  path: string,
  csrf: () => Html,
  events: readonly AdverseEventRecord[],
  refused: Refused | undefined,
): Html {
  const entry = typedInto(refused, `${path}/adverse-events`);
  return html`${events.map((e) => {
      const fix = typedInto(refused, `${path}/adverse-events/${e.id}/updates`);
      return html`<details ${fix.refused ? 'open' : ''}>
        <summary>Follow up or correct: ${e.term} (onset ${e.onsetOn})</summary>
        <form method="post" action="${path}/adverse-events/${e.id}/updates" ${fix.anchor}>
          ${csrf()} ${versionField(e.version)} ${adverseEventFields(e.id, fix, e)}
          ${reasonField(`ae-reason-${e.id}`, fix, 'Reason for the change')}
          <p><button type="submit">Save the follow-up</button></p>
        </form>
      </details>`;
    })}
    <details ${entry.refused ? 'open' : ''}>
      <summary>Record an adverse event</summary>
      <form method="post" action="${path}/adverse-events" ${entry.anchor}>
        ${csrf()} ${adverseEventFields('new', entry, null)}
        <p><button type="submit">Record the adverse event</button></p>
      </form>
    </details>`;
}

/**
 * The fields of an infusion record (date given, body weight, dose), filled with `shown` (the record as stored, for a
 * correction) or, after a refusal, as typed: one form body for recording the dose and for correcting it.
 */
function doseFields(key: string, typed: ReturnType<typeof typedInto>, shown: DoseRecord | null): Html {
  const stored = (n: number | null | undefined): string => (n === undefined ? '' : numberText(n));
  return html`${inputField(typed, `${key}-on`, 'administeredOn', {
    shown: shown?.administeredOn ?? '',
    type: 'date',
    after: html`required`,
  })}
  ${inputField(typed, `${key}-weight`, 'bodyWeightKg', { shown: stored(shown?.bodyWeightKg), type: 'number', before: html`step="0.1" min="0"` })}
  ${inputField(typed, `${key}-mg`, 'doseMg', { shown: stored(shown?.doseMg), type: 'number', before: html`step="any" min="0"` })}`;
}

/** The recorded dose against the protocol's (src/trial/dose-check.ts): above or not checkable says so, never "OK". */
function doseCheckLine(check: DoseCheck | null): Html {
  if (check === null) return html``;
  return check.status === 'within'
    ? html`<p class="muted">${check.text}.</p>`
    : html`<p>
        <strong>${check.status === 'above' ? 'Dose above the protocol' : 'Dose not checked'}</strong>: ${check.text}.
      </p>`;
}

/** The correction form of a recorded infusion: its date, body weight and dose (the kit and visit stay). */
function doseCorrection(path: string, csrf: () => Html, dose: DoseRecord, refused: Refused | undefined): Html {
  const fix = typedInto(refused, `${path}/doses/${dose.id}/corrections`);
  return html`<details ${fix.refused ? 'open' : ''}>
    <summary>Correct this infusion record</summary>
    <form method="post" action="${path}/doses/${dose.id}/corrections" ${fix.anchor}>
      ${csrf()} ${versionField(dose.version)} ${doseFields('fix-dose', fix, dose)}
      ${reasonField('fix-dose-reason', fix, 'Reason for the correction')}
      <p><button type="submit">Correct the infusion record</button></p>
    </form>
  </details>`;
}

function dispositionSection(
  path: string,
  csrf: () => Html,
  exits: readonly DispositionRecord[],
  /** The participants an exit may be moved to, each with its name for this viewer (codeAt). */
  others: readonly { readonly id: string; readonly name: string }[],
  writes: boolean,
  refused: Refused | undefined,
): Html {
  const shown =
    exits.length === 0
      ? html`<p class="muted">No exit recorded.</p>`
      : html`<ul>
          ${exits.map((d) => html`<li>${EXIT_LABELS[d.event]} on ${d.on} (recorded ${dateOnly(d.recordedAt)})</li>`)}
        </ul>`;
  if (!writes)
    return html`<h2>Disposition</h2>
      ${shown}`;
  if (exits.length === 0) {
    const typed = typedInto(refused, `${path}/dispositions`);
    return html`<h2>Disposition</h2>
      ${shown}
      <form method="post" action="${path}/dispositions" ${typed.anchor}>
        ${csrf()}
        <p>
          <label for="exit-event">${FIELD_LABELS.event}</label
          ><select id="exit-event" name="event" required ${typed.invalid('event')}>
            <option value="">${CHOOSE_EXIT}</option>
            ${exitOptions(typed.value('event') || null)}
          </select>
        </p>
        ${inputField(typed, 'exit-on', 'on', { type: 'date', after: html`required` })}
        <p><button type="submit">Record the exit</button></p>
      </form>`;
  }
  return html`<h2>Disposition</h2>
    ${shown}
    ${exits.map((d) => {
      const fix = typedInto(refused, `${path}/dispositions/${d.id}/corrections`);
      const voiding = typedInto(refused, `${path}/dispositions/${d.id}/void`);
      return html`<details ${fix.refused ? 'open' : ''}>
          <summary>Correct this exit</summary>
          <form method="post" action="${path}/dispositions/${d.id}/corrections" ${fix.anchor}>
            ${csrf()} ${versionField(d.version)}
            <p>
              <label for="fix-event-${d.id}">${FIELD_LABELS.event}</label
              ><select id="fix-event-${d.id}" name="event" ${fix.invalid('event')}>
                ${exitOptions(fix.value('event', d.event))}
              </select>
            </p>
            ${inputField(fix, `fix-on-${d.id}`, 'on', { shown: d.on, type: 'date', after: html`required` })}
            <p>
              <label for="fix-participant-${d.id}">${FIELD_LABELS.participantId}</label
              ><select id="fix-participant-${d.id}" name="participantId" ${fix.invalid('participantId')}>
                ${others.map(
                  (o) =>
                    html`<option value="${o.id}" ${fix.selected('participantId', o.id, o.id === d.participantId)}>
                      ${o.name}
                    </option>`,
                )}
              </select>
              ${optionWordsField(
                'participantId',
                others.map((o) => ({ id: o.id, words: o.name })),
              )}
            </p>
            ${reasonField(`fix-reason-${d.id}`, fix, 'Reason for the correction')}
            <p><button type="submit">Correct the exit</button></p>
          </form>
        </details>
        <details ${voiding.refused ? 'open' : ''}>
          <summary>The participant did not leave: void this exit</summary>
          <form method="post" action="${path}/dispositions/${d.id}/void" ${voiding.anchor}>
            ${csrf()} ${versionField(d.version)} ${reasonField(`void-reason-${d.id}`, voiding)}
            <p><button type="submit">Void the exit</button></p>
          </form>
        </details>`;
    })}`;
}

/** Only a path under /trial/ (never another origin or a scheme-relative URL): where a sign-in goes on to. */
export function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/trial\/[A-Za-z0-9/_-]*$/.test(next) ? next : '/trial/';
}

/**
 * The sign-in page: `before` above the form, `carried` hidden inside it (what a session that ended left unsaved),
 * `next` the page to go on to once signed in (the one opened without a session), when it is a trial page.
 */
function signInPage(before: Html, carried: Html = html``, username = '', next?: string): Html {
  const goTo = safeNext(next);
  return html`<h1>Trial sign-in</h1>
    ${before}
    <form method="post" action="/trial/login">
      ${carried}${goTo === '/trial/' ? '' : html`<input type="hidden" name="next" value="${goTo}" />`}
      <p>
        <label for="username">${FIELD_LABELS.username}</label
        ><input id="username" name="username" autocomplete="username" value="${username}" required />
      </p>
      <p>
        <label for="password">Password</label
        ><input id="password" name="password" type="password" autocomplete="current-password" required />
      </p>
      <p><button type="submit">Sign in</button></p>
    </form>`;
}

/**
 * The sign-in form posted from an address that has had too many refused sign-ins (429): the sign-in page again, saying
 * so and for how long (the rate limit's Retry-After), instead of the API's OperationOutcome. The credentials are not
 * checked; the user name as typed (never the password) and the entries a session that ended left unsaved stay in
 * the form, so trying again later is one password away.
 */
export function signInLimitedPage(reply: FastifyReply, body: unknown): FastifyReply {
  const seconds = Number(reply.getHeader('retry-after'));
  const minutes = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds / 60) : undefined;
  const typed = typedSignIn(body);
  const carried = carriedSignIn(typed);
  return send(
    reply.code(429),
    undefined,
    'Trial sign-in',
    signInPage(
      html`<div class="alert warning" role="alert">
        <p>
          Too many refused sign-ins from this address: sign-in is
          paused${minutes === undefined ? '' : html` for ${minutes} minute${minutes === 1 ? '' : 's'}`}, even with the
          right password. Nothing was checked; try again
          then.${carried === undefined ? '' : ' What you typed in the form is still kept: sign in to save it.'}
        </p>
      </div>`,
      carried,
      typed.username,
      typed.next,
    ),
  );
}

/** What a sign-in form posted that the sign-in page shows again: the user name (never the password), carried entries. */
interface TypedSignIn {
  readonly username: string;
  readonly resumeAction?: string | undefined;
  readonly resumeFor?: string | undefined;
  readonly resume?: string | undefined;
  readonly next?: string | undefined;
}

/** A sign-in post's fields as typed, from a body not (yet) checked: a field that is not one string is left out. */
function typedSignIn(body: unknown): TypedSignIn {
  const fields =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const text = (name: string): string | undefined => {
    const value = fields[name];
    return typeof value === 'string' ? value : undefined;
  };
  const username = (text('username') ?? '').trim();
  return {
    username: username.length <= 64 ? username : '',
    resumeAction: text('resumeAction'),
    resumeFor: text('resumeFor'),
    resume: text('resume'),
    next: text('next'),
  };
}

/** The hidden fields a sign-in form carried (a page form's entries, sessionEndedPage), to carry them on, or none. */
function carriedSignIn({ resumeAction, resumeFor, resume }: TypedSignIn): Html | undefined {
  return resumeAction !== undefined && resumeFor !== undefined && resume !== undefined && resumableAction(resumeAction)
    ? carriedFields(resumeAction, resumeFor, resume)
    : undefined;
}

/** A refused page's title and heading, by status. */
const ERROR_TITLES: Readonly<Record<number, string>> = {
  403: 'Not allowed',
  404: 'Participant or page not found',
  429: 'Too many requests',
};

/** What a refused page says: the refusal's own message, or for a 404 where to look (it never repeats the address). */
function refusedText(status: number, message: string): string {
  if (status === 404) {
    return 'There is nothing at this address that you may see: it may be mistyped, or the participant is at another site.';
  }
  if (status >= 500) return 'The page could not be shown. Try again; if it persists, tell the trial administrator.';
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

/**
 * A page a browser opened that was refused (a participant of another site or none: 404; a page the role may not see:
 * 403): the reason in the trial's layout, with its navigation and a way back, rather than an OperationOutcome in JSON
 * that a browser shows as a block of code with no title. The message is the refusal's, which names no input.
 */
export function refusedPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
): FastifyReply {
  const title = ERROR_TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Not shown');
  const user = request.trialUser;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .headers(PAGE_HEADERS)
    .send(
      page(
        title,
        html`<h1>${title}</h1>
          <p>${refusedText(status, message)}</p>
          <p>
            <a href="${user === undefined ? '/trial/login' : '/trial/'}"
              >${user === undefined ? 'Sign in' : 'Go to the participants'}</a
            >
          </p>`,
        chrome(reply, user),
      ),
    );
}

/**
 * Sign out pressed on a page of an earlier session (the user signed in again in another tab): its CSRF token is not
 * this session's, so the post did nothing. Instead of an error that leaves the user signed in at a shared computer
 * believing they signed out, the page says so and offers Sign out again with this session's token.
 */
export function signOutAgainPage(reply: FastifyReply): FastifyReply {
  return send(
    reply.code(403),
    undefined,
    'Sign out',
    html`<h1>Sign out</h1>
      <div class="alert warning" role="alert">
        <p>
          You are still signed in: the page you signed out from belonged to an earlier session, so nothing was done.
          Sign out here.
        </p>
      </div>
      ${logoutForm(reply)}`,
  );
}

/**
 * A page form's action that a post may be resumed at after sign-in: a path of the trial's pages, never the API,
 * sign-in or sign-out, nor another address.
 */
export function resumableAction(path: string): boolean {
  return (
    /^\/trial\/[A-Za-z0-9/_-]+$/.test(path) &&
    !path.startsWith('/trial/api/') &&
    !['/trial/login', '/trial/logout'].includes(path)
  );
}

/**
 * Whether this request is a page's form post (not the API's, not sign-in) whose fields can be carried: never one the
 * browser marks as coming from another site, whose fields would be someone else's words offered to save.
 */
export function isPageFormPost(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return (
    request.method === 'POST' &&
    request.headers['sec-fetch-site'] !== 'cross-site' &&
    (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') &&
    resumableAction(path)
  );
}

/**
 * A page form posted after its session ended (idle or too old): nothing was saved, and the sign-in page carries
 * what was typed (hidden, to this same browser) so that signing in again offers it to save (resumePage), to the
 * user whose session it was only (`resumeFor`): whoever signs in next at a shared ward computer must not see another
 * user's entries, possibly of another site or unblinded. A post that came with no session the server knows (signed
 * out in another tab) has no user to carry it to: the page lists the entries to copy instead, to the browser that
 * sent them.
 */
export async function sessionEndedPage(
  deps: TrialDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const action = request.url.split('?')[0] ?? '';
  const values = typedFields(request.body);
  const owner = request.endedSessionUserId;
  // No one is signed in to say whether they may see arms: the criteria's wording says "study drug".
  const entries = owner === undefined ? await typedEntries(deps, armTerms(await armLabels(deps)), values) : html``;
  return send(
    reply.code(401),
    undefined,
    'Trial sign-in',
    owner === undefined
      ? signInPage(
          html`<div class="alert warning" role="alert">
              <p>
                You were not signed in when this was sent, so nothing was saved. Copy what you typed, sign in and enter
                it again:
              </p>
            </div>
            ${entries}`,
        )
      : signInPage(
          html`<div class="alert warning" role="alert">
            <p>Your session ended before this was saved. Sign in again: what you typed is kept and shown to save.</p>
          </div>`,
          carriedFields(action, owner, JSON.stringify(values)),
        ),
  );
}

/** The hidden fields that carry a page form's entries through sign-in (sessionEndedPage; resumed by resumePage). */
const carriedFields = (action: string, owner: string, values: string): Html =>
  html`<input type="hidden" name="resumeAction" value="${action}" /><input
      type="hidden"
      name="resumeFor"
      value="${owner}"
    /><input type="hidden" name="resume" value="${values}" />`;

/**
 * The sign-in form refused (user name or password not accepted), at 401: the sign-in page again saying so, with the
 * user name as typed and, when the form carried a page form's entries through sign-in (sessionEndedPage), those
 * entries still carried, so a mistyped password does not lose them. Only what this browser posted goes back to it.
 */
export function signInRefusedPage(reply: FastifyReply, typed: TypedSignIn): FastifyReply {
  const carried = carriedSignIn(typed);
  return send(
    reply.code(401),
    undefined,
    'Trial sign-in',
    signInPage(
      html`<div class="alert warning" role="alert">
        <p>
          User name or password not
          accepted.${carried === undefined ? '' : ' What you typed in the form is still kept: sign in to save it.'}
        </p>
      </div>`,
      carried,
      typed.username,
      typed.next,
    ),
  );
}

/**
 * After signing in again: what a post typed before its session ended, listed to check and held in a form to the same
 * action with the new session's CSRF token; nothing is saved until the user saves it. Masked for a blinded viewer
 * like every text a page shows.
 */
export async function resumePage(
  deps: TrialDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  action: string,
  typed: Readonly<Record<string, string>>,
  why = 'Your session had ended before this form was saved, so nothing was saved.',
): Promise<FastifyReply> {
  const terms = viewerSeesArms(await viewerOf(request, deps)) ? [] : armTerms(await armLabels(deps));
  const values = maskStrings({ ...typed }, terms, REDACTED);
  const entries = Object.entries(values).filter(([name]) => name !== '_csrf');
  return send(
    reply,
    maskStrings(userOf(request), terms, REDACTED),
    'Save what you typed',
    html`<h1>Save what you typed</h1>
      <p>${why} Check the entries and save them.</p>
      ${await typedEntries(deps, terms, values, userOf(request))}
      <form method="post" action="${action}">
        ${csrfField(reply)}
        ${entries.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
        <p><button type="submit">Save</button></p>
      </form>`,
  );
}

/**
 * Answers a page form posted with a stale CSRF token (pages.ts registerPages gives it to the error handler, index.ts).
 */
export type StaleFormPage = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** Why a post with a stale CSRF token saved nothing, as its page says it. */
const STALE_TOKEN_REASON =
  'the page this was sent from belonged to an earlier sign-in (you signed in again, perhaps in another tab), so nothing was saved.';

export function registerPages(app: FastifyInstance, deps: TrialDeps): StaleFormPage {
  const { store } = deps;
  // What a lab's sources cite: the knowledge's registry with the protocol's own citations. A title is reference
  // wording (the drug's label names it), so each arm's id and label in it reads "study drug", as criterion text does.
  const labCitations = (protocol: TrialProtocol, terms: readonly string[]): ReadonlyMap<string, Citation> =>
    new Map(
      [...deps.engine.knowledge.citations, ...Object.entries(protocol.citations)].map(([k, c]) => [
        k,
        { ...c, title: maskArms(c.title, terms, STUDY_DRUG) },
      ]),
    );
  /**
   * The viewer's arm terms (none when they may see arms) and `blind`, which masks each arm name in the records a page
   * shows as REDACTED; protocol wording read from the protocol says STUDY_DRUG instead (maskArms).
   */
  const blindingFor = async (request: FastifyRequest) => {
    const terms = viewerSeesArms(await viewerOf(request, deps)) ? [] : armTerms(await armLabels(deps));
    return { terms, blind: <T>(value: T): T => maskStrings(value, terms, REDACTED) };
  };

  app.get('/login', { config: { trialAccess: 'public' } }, async (request, reply) => {
    const query = request.query as { failed?: string; next?: unknown };
    const failed = query.failed !== undefined;
    return send(
      reply,
      undefined,
      'Trial sign-in',
      signInPage(
        failed
          ? html`<div class="alert warning" role="alert"><p>User name or password not accepted.</p></div>`
          : html``,
        html``,
        '',
        typeof query.next === 'string' ? query.next : undefined,
      ),
    );
  });

  // Pages need a session; without one they go to the sign-in page instead of answering 401, which then goes on to
  // the page opened (a bookmark, a link to a participant, a page reloaded after the session ended).
  const pageAccess = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.trialUser !== undefined) return undefined;
    const next = safeNext(pathOf(request.url));
    return reply
      .code(303)
      .redirect(next === '/trial/' ? '/trial/login' : `/trial/login?next=${encodeURIComponent(next)}`);
  };

  app.get('/', { config: { trialAccess: 'public' }, preHandler: pageAccess }, async (request, reply) => {
    const user = userOf(request);
    const safety = can(user.role, 'safety.read');
    const [participants, alerts, trial] = await Promise.all([
      store.listParticipants(siteFilter(user)),
      safety ? store.listAlerts({ ...siteFilter(user), openOnly: true }) : [],
      trialInfo(deps),
    ]);
    const { blind } = await blindingFor(request);
    return send(
      reply,
      blind(user),
      'Trial participants',
      html`<h1>
          Participants${trial === null ? '' : html` <span class="muted">(${trial.protocolId} ${trial.protocolVersion}${trial.lockedAt === null ? '' : ', database locked'})</span>`}
        </h1>
        ${notice(blind(flashMessage(deps.auth, request, reply)))}
        ${
          safety
            ? html`<h2>Open safety alerts</h2>
                ${alertList(
                  blind(alerts),
                  blind(
                    participantNames(
                      user,
                      Object.fromEntries(participants.map((p) => [p.id, p.participantCode])),
                      Object.fromEntries(participants.map((p) => [p.id, p.site])),
                    ),
                  ),
                )}`
            : ''
        }
        <h2>Enrolled</h2>
        ${participantsTable(blind(participants.map((p) => participantView(p, user.role))))}`,
    );
  });

  /** What a refused post typed, masked for this viewer like every text a page shows. */
  const blindRefused = (refused: Refused | undefined, blind: <T>(value: T) => T): Refused | undefined =>
    refused === undefined
      ? undefined
      : {
          action: refused.action,
          field: refused.field,
          ...blind({ values: refused.values, message: refused.message }),
        };
  /** The page's message: a refusal's reason (already masked), or its redirect's, masked as stored text. */
  const noticeFor = (
    request: FastifyRequest,
    reply: FastifyReply,
    refused: Refused | undefined,
    blind: <T>(value: T) => T,
  ) =>
    notice(
      refused === undefined ? blind(flashMessage(deps.auth, request, reply)) : { error: refused.message },
      refused !== undefined && refused.action !== '',
    );

  /** The screening log with its forms; `shown` is a refused post to show again in its form. */
  const screeningPage = async (request: FastifyRequest, reply: FastifyReply, shown?: Refused) => {
    const user = userOf(request);
    const protocol = await currentProtocol(deps);
    const { terms, blind } = await blindingFor(request);
    const refused = blindRefused(shown, blind);
    const entries = blind(await store.listScreening(siteFilter(user)));
    const mayWrite = can(user.role, 'screening.write');
    const screening = typedInto(refused, '/trial/screening');
    const consent = typedInto(refused, '/trial/consents');
    const enrol = typedInto(refused, '/trial/participants');
    const criteriaFields = protocol.criteria.map(
      (c) =>
        html`<p>
          <label for="c-${c.id}">${criterionLabel(c, terms)}</label
          ><select id="c-${c.id}" name="c-${c.id}">
            ${Object.entries(CRITERION_ANSWER_WORDS).map(([status, words]) =>
              status === ''
                ? html`<option value="">${words}</option>`
                : html`<option value="${status}" ${screening.selected(`c-${c.id}`, status)}>${words}</option>`,
            )}
          </select>
        </p>`,
    );
    // Each form offers the entries it can take: consent, the eligible ones without a consent; enrolment, the consented
    // ones not enrolled yet. Every eligible entry in both made the first option, preselected, one already used.
    const [{ consents }, participants] = mayWrite
      ? await Promise.all([store.snapshot(siteFilter(user)), store.listParticipants(siteFilter(user))])
      : [{ consents: [] }, []];
    const consentedIds = new Set(consents.map((c) => c.screeningId));
    const enrolledIds = new Set(participants.map((p) => p.screeningId));
    const eligible = entries.filter((e) => e.verdict === 'eligible');
    const entryOptions = (typed: ReturnType<typeof typedInto>, offered: readonly ScreeningEntry[], none: string) =>
      offered.length === 0
        ? html`<option value="">${none}</option>`
        : offered.map(
            (e) =>
              html`<option value="${e.id}" ${typed.selected('screeningId', e.id)}>
                ${codeAt(user, e.screeningCode, e.site)}
              </option>`,
          );
    const entryWords = (offered: readonly ScreeningEntry[]) =>
      optionWordsField(
        'screeningId',
        offered.map((e) => ({ id: e.id, words: codeAt(user, e.screeningCode, e.site) })),
      );
    const awaitingConsent = eligible.filter((e) => !consentedIds.has(e.id));
    const awaitingEnrolment = eligible.filter((e) => consentedIds.has(e.id) && !enrolledIds.has(e.id));
    return send(
      reply,
      blind(user),
      refused === undefined ? 'Screening log' : 'Not saved: Screening log',
      html`<h1>Screening log</h1>
        ${noticeFor(request, reply, refused, blind)} ${screeningTable(entries)}
        ${
          mayWrite
            ? html`<h2>Screen a patient</h2>
                <form method="post" action="/trial/screening" ${screening.anchor}>
                  ${csrfField(reply)}
                  ${inputField(screening, 'site', 'site', { shown: user.site ?? '', before: html`required` })}
                  ${inputField(screening, 'screeningCode', 'screeningCode', { after: html`required` })}
                  ${inputField(screening, 'screenedOn', 'screenedOn', { type: 'date', after: html`required` })}
                  <p>
                    <label for="bundle">${FIELD_LABELS.bundle}</label
                    ><textarea id="bundle" name="bundle" ${screening.invalid('bundle')} rows="4" cols="60">
${screening.value('bundle')}</textarea>
                  </p>
                  <fieldset>
                    <legend>Criteria (entered answers override the record)</legend>
                    ${criteriaFields}
                  </fieldset>
                  <p><button type="submit">Record screening</button></p>
                </form>
                <h2>Consent and enrolment</h2>
                <form method="post" action="/trial/consents" ${consent.anchor}>
                  ${csrfField(reply)}
                  <p>
                    <label for="consent-screening">${FIELD_LABELS.screeningId}</label
                    ><select id="consent-screening" name="screeningId" ${consent.invalid('screeningId')} required>
                      ${entryOptions(consent, awaitingConsent, 'no eligible entry awaits consent')}
                    </select>
                    ${entryWords(awaitingConsent)}
                  </p>
                  ${inputField(consent, 'consentedOn', 'consentedOn', { type: 'date', after: html`required` })}
                  ${inputField(consent, 'formVersion', 'formVersion', { after: html`required` })}
                  <p><button type="submit">Record consent</button></p>
                </form>
                <form method="post" action="/trial/participants" ${enrol.anchor}>
                  ${csrfField(reply)}
                  <p>
                    <label for="enrol-screening">${FIELD_LABELS.screeningId}</label
                    ><select id="enrol-screening" name="screeningId" ${enrol.invalid('screeningId')} required>
                      ${entryOptions(enrol, awaitingEnrolment, 'no consented entry awaits enrolment')}
                    </select>
                    ${entryWords(awaitingEnrolment)}
                  </p>
                  ${inputField(enrol, 'participantCode', 'participantCode', { after: html`required` })}
                  ${inputField(enrol, 'enrolledOn', 'enrolledOn', { type: 'date', after: html`required` })}
                  ${baselineCrpFields('baselineCrp', enrol, null)} ${demographicsFields('enrol', enrol, null)}
                  <p class="muted">Strata (hs-CRP band, site) are derived from the baseline hs-CRP and the site.</p>
                  <p><button type="submit">Enrol</button></p>
                </form>`
            : ''
        }`,
    );
  };
  app.get('/screening', { config: { trialAccess: 'public' }, preHandler: pageAccess }, async (request, reply) =>
    screeningPage(request, reply),
  );
  /** The screening page again with a refused post in the form it came from (`action`), at the refusal's status. */
  const screeningAgain =
    (request: FastifyRequest, reply: FastifyReply, action: string) =>
    (message: string, status: number, field?: string) =>
      screeningPage(request, reply.code(status), { action, values: typedFields(request.body), message, field });

  app.post('/screening', { config: { trialAccess: 'screening.write' } }, async (request, reply) =>
    action(
      deps.auth,
      reply,
      '/trial/screening',
      async () => {
        const form = parseBody(ScreeningFormSchema.passthrough(), request.body) as Record<string, string>;
        const protocol = await currentProtocol(deps);
        const answered = protocol.criteria.flatMap((c) => {
          const status = form[`c-${c.id}`];
          const parsed = ScreeningCriterionSchema.shape.status.safeParse(status);
          return parsed.success
            ? [{ id: c.id, kind: c.kind, status: parsed.data, reason: 'entered by the screener', verified: c.verified }]
            : [];
        });
        let bundle: unknown;
        const text = form.bundle?.trim() ?? '';
        if (text.length > 0) {
          try {
            bundle = JSON.parse(text);
          } catch {
            throw new InputError('the Bundle is not valid JSON', 'input.bundle.json', 'bundle');
          }
        }
        if (bundle === undefined && answered.length === 0) {
          throw new InputError(
            'screening: no criterion was answered and no FHIR R4 Bundle was pasted: answer the criteria (met, not met or unknown), or paste the Bundle for the record to decide them',
            'trial.invalid',
          );
        }
        // Without a record, a criterion left "from the record (or unknown)" is unknown, as its option says: the
        // verdict is then "needs data", never eligible (the store takes every criterion of the protocol once).
        const criteria =
          bundle !== undefined
            ? answered
            : protocol.criteria.map(
                (c) =>
                  answered.find((a) => a.id === c.id) ?? {
                    id: c.id,
                    kind: c.kind,
                    status: 'unknown' as const,
                    reason: 'not answered by the screener, and no record given',
                    verified: c.verified,
                  },
              );
        const entry = await screen(deps, request, {
          site: form.site ?? '',
          screeningCode: form.screeningCode ?? '',
          screenedOn: form.screenedOn ?? '',
          criteria,
          ...(bundle === undefined ? {} : { bundle }),
        });
        return `Screening recorded: ${entry.verdict}`;
      },
      screeningAgain(request, reply, '/trial/screening'),
    ),
  );

  app.post('/consents', { config: { trialAccess: 'consent.write' } }, async (request, reply) =>
    action(
      deps.auth,
      reply,
      '/trial/screening',
      async () => {
        const form = request.body as Record<string, string>;
        await store.recordConsent(writeContext(request, 'consent recorded'), {
          screeningId: form.screeningId ?? '',
          consentedOn: form.consentedOn ?? '',
          formVersion: form.formVersion ?? '',
        });
        return 'Consent recorded';
      },
      screeningAgain(request, reply, '/trial/consents'),
    ),
  );

  app.post('/participants', { config: { trialAccess: 'enrolment.write' } }, async (request, reply) =>
    action(
      deps.auth,
      reply,
      '/trial/',
      async () => {
        const form = request.body as Record<string, string>;
        const screening = (await store.listScreening(siteFilter(userOf(request)))).find(
          (e) => e.id === form.screeningId,
        );
        // Another site's entry is as one that does not exist, in the store's words (docs/trial-server.md, "Roles").
        if (screening === undefined) throw new InputError('no such screening entry', 'trial.not-found');
        const trial = await trialInfo(deps);
        const baselineCrp = baselineCrpFromForm(form);
        const comparator = baselineCrp?.comparator ?? null;
        const mgPerL = baselineCrp === null ? null : baselineCrpMgPerL(baselineCrp, deps.engine.knowledge.pathway);
        if (mgPerL?.ok === false) throw new InputError(mgPerL.reason, 'trial.invalid');
        const factors = (trial?.factors ?? []).map((f) => ({ id: f.id, levels: [...f.levels], weight: 1 }));
        const levels = participantLevels(await currentProtocol(deps), factors, {
          site: screening.site,
          baselineCrpMgPerL: mgPerL?.ok === true ? mgPerL.mgPerL : null,
          baselineCrpComparator: comparator,
        });
        if (!levels.ok) throw new InputError(levels.reason, 'trial.strata');
        const participant = await store.enrol(writeContext(request, 'enrolment'), {
          screeningId: form.screeningId ?? '',
          participantCode: form.participantCode ?? '',
          strata: levels.levels,
          baselineCrp,
          enrolledOn: form.enrolledOn ?? '',
          ...demographicsFromForm(form),
        });
        return `Enrolled ${participant.participantCode}`;
      },
      screeningAgain(request, reply, '/trial/participants'),
    ),
  );

  /** A participant's page with its forms; `shown` is a refused post to show again in its form. */
  const participantPage = async (request: FastifyRequest, reply: FastifyReply, id: string, shown?: Refused) => {
    const user = userOf(request);
    const record = await participantInScope(deps, request, id);
    const protocol = await currentProtocol(deps);
    // The outcome rater sees no safety data (src/trial/roles.ts): none is even read for the page.
    const safety = can(user.role, 'safety.read');
    const [storedForms, storedLabs, storedEvents, alerts, allocation, exits, inScope] = await Promise.all([
      store.listForms({ participantId: id }),
      safety ? store.listLabs({ participantId: id }) : [],
      safety ? store.listAdverseEvents({ participantId: id }) : [],
      safety ? store.listAlerts(siteFilter(user)) : [],
      store.getAllocation(id),
      store.listDispositions({ participantId: id }),
      store.listParticipants(siteFilter(user)),
    ]);
    const storedDose = await dosingRecord(store, protocol, record);
    const schedule = participantSchedule(
      protocol,
      record,
      allocation?.randomizedOn ?? null,
      storedDose?.administeredOn ?? null,
    );
    // What the page shows of the records (masked for a blinded viewer); the schedule above used them as stored.
    const { blind, terms } = await blindingFor(request);
    const refused = blindRefused(shown, blind);
    const { participant, forms, labs, adverseEvents, mine, acknowledged, dose, others } = blind({
      participant: record,
      forms: storedForms,
      labs: storedLabs,
      adverseEvents: storedEvents,
      mine: alerts.filter((a) => a.participantId === id && a.acknowledgedAt === null),
      acknowledged: acknowledgedLatestFirst(alerts.filter((a) => a.participantId === id)),
      dose: storedDose,
      others: inScope,
    });
    const dosingVisit = protocol.visits?.find((v) => v.dosing);
    const crpText = baselineCrpText(participant, deps.engine.knowledge.pathway);
    const path = `/trial/participants/${id}`;
    const doseTyped = typedInto(refused, `${path}/doses`);
    const lab = typedInto(refused, `${path}/labs`);
    const unblinding = typedInto(refused, `${path}/emergency-unblind`);
    // Named with its site for a viewer of every site (codeAt): each site numbers its own participants.
    const named = codeAt(user, participant.participantCode, participant.site);
    return send(
      reply,
      blind(user),
      `${refused === undefined ? '' : 'Not saved: '}Participant ${named}`,
      html`<h1>Participant ${named}</h1>
        ${noticeFor(request, reply, refused, blind)}
        ${
          safety
            ? alertList(
                mine,
                {},
                alertsCorrectedSince(mine, labs, dose === null ? [] : [dose], protocol),
                undefined,
                dose === null ? {} : alertsClearedSince(mine, [dose], labs, protocol),
              )
            : ''
        }
        ${can(user.role, 'audit.read') ? html`<p><a href="${path}/audit">Audit trail of this participant</a></p>` : ''}
        <p>
          Site ${participant.site}; enrolled
          ${participant.enrolledOn}${crpText === null ? '' : `; baseline hs-CRP ${crpText}`};
          ${demographicsText(participant)}; status
          <strong>${participant.status}</strong
          >${participant.kitCode === null ? '' : html`; kit <strong>${participant.kitCode}</strong> (randomization no. ${participant.randomizationNumber})`}.
        </p>
        ${can(user.role, 'enrolment.write') ? enrolmentCorrection(path, () => csrfField(reply), participant, refused) : ''}
        ${
          participant.kitCode === null && participant.status === 'enrolled' && can(user.role, 'randomize')
            ? html`<form method="post" action="${path}/randomize">
                <p>
                  Randomizes in the stratum
                  <strong
                    >${Object.entries(participant.strata)
                      .map(([factor, level]) => `${factor} ${level}`)
                      .join(', ')}</strong
                  >${crpText === null ? '' : html` (baseline hs-CRP ${crpText})`}. Check it first: a stratification
                  error is not undone by randomizing again; correct the enrolment before.
                </p>
                ${csrfField(reply)}<button type="submit">Randomize</button>
              </form>`
            : ''
        }
        ${
          participant.kitCode !== null && can(user.role, 'emergency-unblind')
            ? html`<details ${unblinding.refused ? 'open' : ''}>
                <summary>Emergency unblinding</summary>
                <form method="post" action="${path}/emergency-unblind" ${unblinding.anchor}>
                  ${csrfField(reply)}
                  <p class="muted">
                    Only when the treating team needs the allocation for this participant's care. The allocation is
                    shown to you alone; the unblinding is audited and told to the site, the monitors and the pharmacist.
                  </p>
                  ${reasonField('unblind-reason', unblinding)}
                  <p><button type="submit">Unblind this participant</button></p>
                </form>
              </details>`
            : ''
        }
        ${
          participant.kitCode !== null && dose === null && dosingVisit !== undefined && can(user.role, 'visit.write')
            ? html`<h2>${dosingVisit.label}: study drug given</h2>
                <form method="post" action="${path}/doses" ${doseTyped.anchor}>
                  ${csrfField(reply)}
                  <p class="muted">
                    Kit ${participant.kitCode}. The visit windows are provisional until this is recorded.
                  </p>
                  ${safety ? preDoseSummary(preDoseClearance(protocol, labs, null)) : ''}
                  ${inputField(doseTyped, 'dose-kit', 'kitCode', { after: html`autocomplete="off" required` })}
                  ${doseFields('dose', doseTyped, null)}
                  <p><button type="submit">Record the dose</button></p>
                </form>`
            : dose === null
              ? ''
              : html`<p>Study drug given on ${dose.administeredOn} (kit ${dose.kitCode}).</p>
                  ${doseCheckLine(checkDose(protocol, dose))}
                  ${can(user.role, 'visit.write') ? doseCorrection(path, () => csrfField(reply), dose, refused) : ''}`
        }
        <h2>Visits and windows</h2>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Visit schedule">
          <table>
            <caption class="muted">
              Visit schedule (windows from the protocol)
            </caption>
            <thead>
              <tr>
                <th scope="col">Visit</th>
                <th scope="col">Target</th>
                <th scope="col">Window</th>
                <th scope="col">Instruments</th>
                <th scope="col">Safety labs</th>
              </tr>
            </thead>
            <tbody>
              ${schedule.map(
                (v) =>
                  html`<tr>
                    <td>${v.label}</td>
                    <td class="code">${datesKept(v.targetOn ?? `day ${v.day}`)}</td>
                    <td>${datesKept(v.windowText)}</td>
                    <td>${v.instruments.join(', ')}</td>
                    <td>${v.labs.join(', ')}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <h2>Visit forms</h2>
        ${formTable(forms, (f) =>
          visitTimingText(visitTiming(protocol, storedDose?.administeredOn ?? null, f.visit, f.completedOn)),
        )}
        ${can(user.role, 'form.write') ? formCorrections(path, () => csrfField(reply), forms, deps.instruments, refused) : ''}
        ${
          can(user.role, 'form.write')
            ? html`<h3>Enter a visit form</h3>
                ${[...deps.instruments.values()].map((def) => {
                  // Only the visits that collect it (the store refuses any other), and no form for an instrument
                  // the protocol collects at no visit.
                  const collecting = schedule.filter((v) => v.instruments.includes(def.id));
                  if (collecting.length === 0) return '';
                  const typed = typedInto(refused, `${path}/forms#${def.id}`);
                  return html`<details ${typed.refused ? 'open' : ''}>
                    <summary>${def.name}</summary>
                    <form method="post" action="${path}/forms" ${typed.anchor}>
                      ${csrfField(reply)}
                      <input type="hidden" name="instrument" value="${def.id}" />
                      <p>
                        <label for="visit-${def.id}">${FIELD_LABELS.visit}</label
                        ><select id="visit-${def.id}" name="visit" ${typed.invalid('visit')}>
                          ${collecting.map(
                            (v) =>
                              html`<option value="${v.id}" ${typed.selected('visit', v.id)}>
                                ${v.label} (${v.windowText})
                              </option>`,
                          )}
                        </select>
                      </p>
                      ${
                        def.scorings.length > 1
                          ? html`<p>
                              <label for="scoring-${def.id}">${FIELD_LABELS.scoring}</label
                              ><select id="scoring-${def.id}" name="scoring" ${typed.invalid('scoring')}>
                                ${def.scorings.map(
                                  (s: InstrumentDefinition['scorings'][number]) =>
                                    html`<option value="${s.id}" ${typed.selected('scoring', s.id)}>
                                      ${s.label}
                                    </option>`,
                                )}
                              </select>
                            </p>`
                          : ''
                      }
                      ${inputField(typed, `completed-${def.id}`, 'completedOn', { type: 'date', after: html`required` })}
                      ${instrumentFields(def, typed)}
                      <p><button type="submit">Save ${def.name}</button></p>
                    </form>
                  </details>`;
                })}`
            : ''
        }
        ${
          safety && acknowledged.length > 0
            ? html`<h2>Acknowledged safety alerts</h2>
                ${acknowledgedList(
                  acknowledged,
                  { [id]: participant.participantCode },
                  blind(await acknowledgerNames(deps, acknowledged)),
                )}`
            : ''
        }
        ${
          safety
            ? html`<h2>Safety labs</h2>
                ${labTable(labs, labCitations(protocol, terms))}`
            : ''
        }
        ${can(user.role, 'lab.write') ? labCorrections(path, () => csrfField(reply), labs, schedule, refused) : ''}
        ${
          can(user.role, 'lab.write')
            ? html`<h3>Enter a lab result</h3>
                <form method="post" action="${path}/labs" ${lab.anchor}>
                  ${csrfField(reply)}
                  ${labFields(
                    'lab',
                    lab,
                    null,
                    schedule.filter((v) => v.labs.length > 0),
                    LAB_UNITS,
                    html`<p>
                      <label for="analyte">${FIELD_LABELS.analyte}</label
                      ><select id="analyte" name="analyte" ${lab.invalid('analyte')}>
                        ${LAB_ANALYTES.map((a) => html`<option value="${a}" ${lab.selected('analyte', a)}>${a}</option>`)}
                      </select>
                    </p>`,
                  )}
                  <p><button type="submit">Save lab result</button></p>
                </form>`
            : ''
        }
        ${
          safety
            ? html`<h2>Adverse events</h2>
                ${adverseEventTable(adverseEvents)}`
            : ''
        }
        ${
          can(user.role, 'adverse-event.write')
            ? adverseEventForms(path, () => csrfField(reply), adverseEvents, refused)
            : ''
        }
        ${dispositionSection(
          path,
          () => csrfField(reply),
          exits,
          others.map((o) => ({ id: o.id, name: codeAt(user, o.participantCode, o.site) })),
          can(user.role, 'enrolment.write'),
          refused,
        )}`,
    );
  };
  app.get('/participants/:id', { config: { trialAccess: 'public' }, preHandler: pageAccess }, async (request, reply) =>
    participantPage(request, reply, (request.params as { id: string }).id),
  );

  /**
   * A participant's audit trail (the roles that read the audit through the API, `audit.read`): the entries about the
   * participant and its records, oldest first, AUDIT_PAGE_SIZE a page, each with when, who, what changed and why. The
   * entries are the API's (`GET /api/audit`): a blinded reader gets each as `blindAuditEntry` gives it, no hash and
   * an allocation's image `[concealed]`, and stored text masked as on every page.
   */
  app.get(
    '/participants/:id/audit',
    { config: { trialAccess: 'public' }, preHandler: pageAccess },
    async (request, reply) => {
      const user = userOf(request);
      if (!can(user.role, 'audit.read'))
        throw new AccessDenied(403, `the ${user.role} role does not read the audit trail`);
      const { id } = request.params as { id: string };
      const query = parseBody(
        z.looseObject({
          page: z
            .string()
            .regex(/^[1-9]\d{0,5}$/)
            .transform(Number)
            .optional(),
        }),
        request.query,
      );
      const record = await participantInScope(deps, request, id);
      const viewer = await viewerOf(request, deps);
      const all: AuditEntry[] = [];
      for (let from = 1; ;) {
        const batch = await store.listAudit({ fromSeq: from, limit: 10_000 });
        all.push(...batch.filter((e) => aboutParticipant(e, id, record.screeningId)));
        if (batch.length < 10_000) break;
        from = (batch.at(-1)?.seq ?? from) + 1;
      }
      const shown = auditPage(viewerSeesArms(viewer) ? all : all.map(blindAuditEntry), query.page ?? 1);
      const { blind } = await blindingFor(request);
      const entries = blind(shown.entries);
      const who = blind(
        await accountNames(
          deps,
          entries.map((e) => e.userId),
        ),
      );
      const participant = blind(record);
      const named = codeAt(user, participant.participantCode, participant.site);
      const path = `/trial/participants/${id}`;
      const pageLink = (n: number, words: string) => html`<a href="${path}/audit?page=${String(n)}">${words}</a>`;
      return send(
        reply,
        blind(user),
        `Audit trail: participant ${named}`,
        html`<h1>Audit trail: participant ${named}</h1>
          <p><a href="${path}">Back to participant ${named}</a></p>
          <p class="muted">
            Read only. Oldest first; page ${String(shown.page)} of ${String(shown.pages)}, ${String(all.length)}
            entries. Times are UTC.
          </p>
          ${
            entries.length === 0
              ? html`<p>No entries on this page.</p>`
              : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Audit trail entries">
                  <table>
                    <caption class="muted">
                      Audit trail entries ${String((shown.page - 1) * AUDIT_PAGE_SIZE + 1)} to
                      ${String((shown.page - 1) * AUDIT_PAGE_SIZE + entries.length)}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">No.</th>
                        <th scope="col">When</th>
                        <th scope="col">Who</th>
                        <th scope="col">What</th>
                        <th scope="col">What changed</th>
                        <th scope="col">Why</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${entries.map(
                        (e) =>
                          html`<tr>
                            <td>${String(e.seq)}</td>
                            <td>${datesKept(utcMinute(e.at))}</td>
                            <td>${who[e.userId] ?? `${e.userId} (${e.role})`}</td>
                            <td>${e.action} ${e.entity}</td>
                            <td class="prose">
                              <ul>
                                ${auditChanges(e).map((c) => html`<li>${c.field}: ${c.before === AUDIT_NONE ? c.after : `from ${c.before} to ${c.after}`}</li>`)}
                              </ul>
                            </td>
                            <td>${e.reason}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
          }
          ${
            shown.pages > 1
              ? html`<nav aria-label="Audit trail pages">
                  <p>
                    ${shown.page > 1 ? pageLink(shown.page - 1, 'Earlier entries') : ''}
                    ${shown.page < shown.pages ? pageLink(shown.page + 1, 'Later entries') : ''}
                  </p>
                </nav>`
              : ''
          }`,
      );
    },
  );
  /** The participant's page again with a refused post in the form it came from, at the refusal's status. */
  const participantAgain =
    (request: FastifyRequest, reply: FastifyReply, id: string, form: string) =>
    (message: string, status: number, field?: string) => {
      const values = typedFields(request.body);
      const action = `/trial/participants/${id}/${form}${form === 'forms' ? `#${values.instrument ?? ''}` : ''}`;
      return participantPage(request, reply.code(status), id, { action, values, message, field });
    };

  app.post('/participants/:id/corrections', { config: { trialAccess: 'enrolment.write' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return action(
      deps.auth,
      reply,
      `/trial/participants/${encodeURIComponent(id)}`,
      async () => {
        const stored = await participantInScope(deps, request, id);
        // Only the fields changed from what the form showed: a blinded viewer was shown a code naming an arm as
        // [concealed], which must not be written over the code as entered.
        const { blind } = await blindingFor(request);
        const shown = blind(stored);
        const form = request.body as Record<string, string>;
        const changes: Record<string, unknown> = {};
        if ((form.participantCode ?? '') !== shown.participantCode)
          changes.participantCode = form.participantCode ?? '';
        if ((form.enrolledOn ?? '') !== shown.enrolledOn) changes.enrolledOn = form.enrolledOn ?? '';
        const crp = shown.baselineCrp;
        const asShown = [crp === null ? '' : String(crp.value), crp?.unit ?? '', crp?.comparator ?? ''];
        const typed = [form.baselineCrp, form.baselineCrpUnit, form.baselineCrpComparator].map((v) => v?.trim() ?? '');
        if (typed.some((v, i) => v !== asShown[i])) changes.baselineCrp = baselineCrpFromForm(form);
        // A field the form did not post (an older page) changes nothing; one posted empty clears it.
        const demographics = demographicsFromForm(form);
        for (const field of ['sex', 'birthDate', 'ageAtConsent'] as const) {
          if (form[field] !== undefined && demographics[field] !== shown[field]) changes[field] = demographics[field];
        }
        await store.correctEnrolment(writeContext(request, reasonFrom(form)), id, changes, formVersion(form));
        return 'Enrolment corrected';
      },
      participantAgain(request, reply, id, 'corrections'),
    );
  });

  app.post('/participants/:id/randomize', { config: { trialAccess: 'randomize' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return action(deps.auth, reply, `/trial/participants/${encodeURIComponent(id)}`, async () => {
      const allocation = await randomize(deps, request, id);
      return `Randomized: kit ${allocation.kitCode}, randomization no. ${allocation.randomizationNumber}`;
    });
  });

  // Emergency unblinding from the participant's page: the allocation is answered on the page itself (never in a
  // redirect URL), to the investigator who asked, on the one page route that may disclose an arm.
  app.post(
    '/participants/:id/emergency-unblind',
    { config: { trialAccess: 'emergency-unblind', disclosesAllocation: true } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      try {
        const participant = await participantInScope(deps, request, id);
        const allocation = await store.emergencyUnblind(writeContext(request, reasonFrom(request.body)), id);
        request.log.warn({ code: 'trial.emergency-unblinding' }, 'emergency unblinding');
        const protocol = await currentProtocol(deps);
        const arm = protocol.arms?.find((a) => a.id === allocation.arm);
        const user = userOf(request);
        const named = codeAt(user, participant.participantCode, participant.site);
        return send(
          reply,
          user,
          // The title names the participant (a tab or a screen reader's page list tells which one was unblinded; with
          // its site for a viewer of every site), never the arm: a title is what a browser's history and tab list
          // show to whoever uses the computer next.
          `Emergency unblinding: participant ${named}`,
          html`<h1>Emergency unblinding: participant ${named}</h1>
            <div class="alert critical" role="alert">
              Kit <strong>${allocation.kitCode}</strong> (randomization no. ${allocation.randomizationNumber}):
              <strong>${arm?.label ?? allocation.arm}</strong>${
                arm?.intervention === undefined ? '' : html` (${arm.intervention})`
              }.
            </div>
            <p>
              The unblinding is recorded in the audit trail and raised as an alert to the site, the monitors and the
              pharmacist. Do not tell the allocation to anyone who assesses this participant's outcomes.
            </p>
            <p><a href="/trial/participants/${id}">Back to the participant</a></p>`,
        );
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return participantAgain(
          request,
          reply,
          id,
          'emergency-unblind',
        )(`Not unblinded: ${error.message}`, statusOfCode(error.code), error.field);
      }
    },
  );

  app.post('/participants/:id/doses', { config: { trialAccess: 'visit.write' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return action(
      deps.auth,
      reply,
      `/trial/participants/${encodeURIComponent(id)}`,
      async () => {
        await participantInScope(deps, request, id);
        const protocol = await currentProtocol(deps);
        const form = request.body as Record<string, string>;
        const { alerts } = await store.recordDose(writeContext(request, 'study drug administered'), {
          participantId: id,
          visit: protocol.visits?.find((v) => v.dosing)?.id ?? '',
          // As read from the pack given, not copied from the record: the store refuses a kit other than the one
          // allocated, so a pack taken from the wrong shelf is reported instead of recorded as the allocated kit.
          kitCode: form.kitCode?.trim() ?? '',
          administeredOn: form.administeredOn ?? '',
          doseMg: formNumber(form, 'doseMg', 'dose'),
          bodyWeightKg: formNumber(form, 'bodyWeightKg', 'body weight'),
        });
        // The alerts it raised are counted, as a lab result's are (the dashboard lists them).
        return `Dose recorded: the visit windows are now anchored on it${alerts.length === 0 ? '' : `; ${alerts.length} safety alert(s) raised`}`;
      },
      participantAgain(request, reply, id, 'doses'),
    );
  });

  app.post('/participants/:id/forms', { config: { trialAccess: 'form.write' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return action(
      deps.auth,
      reply,
      `/trial/participants/${encodeURIComponent(id)}`,
      async () => {
        await participantInScope(deps, request, id);
        const form = request.body as Record<string, string>;
        const answers: Record<string, ItemAnswer> = {};
        for (const [key, value] of Object.entries(form)) {
          const m = /^item(\d+)$/.exec(key);
          if (m === null) continue;
          answers[m[1] as string] = formAnswer(value);
        }
        const saved = await store.saveForm(writeContext(request, 'visit form'), {
          participantId: id,
          visit: form.visit ?? '',
          instrument: form.instrument ?? '',
          ...(form.scoring === undefined ? {} : { scoring: form.scoring }),
          answers,
          completedOn: form.completedOn ?? '',
        });
        return formSavedText('Saved', saved);
      },
      participantAgain(request, reply, id, 'forms'),
    );
  });

  // A visit form entered wrong (an item skipped or misread, the date): the items changed from what the correction
  // form showed, or the date, with a reason and the version shown; the store scores it again (correctForm).
  app.post(
    '/participants/:id/forms/:form/corrections',
    { config: { trialAccess: 'form.write' } },
    async (request, reply) => {
      const { id, form: formId } = request.params as { id: string; form: string };
      return action(
        deps.auth,
        reply,
        `/trial/participants/${encodeURIComponent(id)}`,
        async () => {
          await participantInScope(deps, request, id);
          const stored = await store.getForm(formId);
          if (stored === null || stored.participantId !== id) throw new InputError('no such form', 'trial.not-found');
          const form = request.body as Record<string, string>;
          const answers: Record<string, ItemAnswer> = {};
          for (const [key, value] of Object.entries(form)) {
            const m = /^item(\d+)$/.exec(key);
            if (m === null) continue;
            const item = m[1] as string;
            if (value.trim() !== answerText(stored.answers[item])) answers[item] = formAnswer(value);
          }
          const completedOn = (form.completedOn ?? '') === stored.completedOn ? undefined : (form.completedOn ?? '');
          const saved = await store.correctForm(
            writeContext(request, reasonFrom(form)),
            formId,
            answers,
            completedOn,
            formVersion(form),
          );
          return formSavedText('Corrected', saved);
        },
        participantAgain(request, reply, id, `forms/${formId}/corrections`),
      );
    },
  );

  app.post('/participants/:id/labs', { config: { trialAccess: 'lab.write' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return action(
      deps.auth,
      reply,
      `/trial/participants/${encodeURIComponent(id)}`,
      async () => {
        await participantInScope(deps, request, id);
        const form = request.body as Record<string, string>;
        const { alerts } = await store.addLab(writeContext(request, 'lab result'), {
          participantId: id,
          visit: form.visit ?? '',
          analyte: (form.analyte ?? '') as (typeof LAB_ANALYTES)[number],
          value: formNumber(form, 'value', 'value') ?? Number.NaN,
          comparator: formComparator(form.comparator),
          unit: form.unit ?? '',
          lowerLimitOfNormal: formNumber(form, 'lowerLimitOfNormal', 'lower limit of normal'),
          upperLimitOfNormal: formNumber(form, 'upperLimitOfNormal', 'upper limit of normal'),
          collectedOn: form.collectedOn ?? '',
        });
        return alerts.length === 0 ? 'Lab result saved' : `Lab result saved: ${alerts.length} safety alert(s) raised`;
      },
      participantAgain(request, reply, id, 'labs'),
    );
  });

  app.post(
    '/participants/:id/labs/:lab/corrections',
    { config: { trialAccess: 'lab.write' } },
    async (request, reply) => {
      const { id, lab } = request.params as { id: string; lab: string };
      return action(
        deps.auth,
        reply,
        `/trial/participants/${encodeURIComponent(id)}`,
        async () => {
          await participantInScope(deps, request, id);
          if (!(await store.listLabs({ participantId: id })).some((l) => l.id === lab)) {
            throw new InputError('no such lab result', 'trial.not-found');
          }
          const form = request.body as Record<string, string>;
          const { alerts } = await store.correctLab(
            writeContext(request, reasonFrom(form)),
            lab,
            {
              visit: form.visit ?? '',
              value: formNumber(form, 'value', 'value') ?? Number.NaN,
              comparator: formComparator(form.comparator),
              unit: form.unit ?? '',
              lowerLimitOfNormal: formNumber(form, 'lowerLimitOfNormal', 'lower limit of normal'),
              upperLimitOfNormal: formNumber(form, 'upperLimitOfNormal', 'upper limit of normal'),
              collectedOn: form.collectedOn ?? '',
            },
            formVersion(form),
          );
          return alerts.length === 0
            ? 'Lab result corrected and graded again'
            : `Lab result corrected: ${alerts.length} safety alert(s) raised`;
        },
        participantAgain(request, reply, id, `labs/${lab}/corrections`),
      );
    },
  );

  app.post(
    '/participants/:id/doses/:dose/corrections',
    { config: { trialAccess: 'visit.write' } },
    async (request, reply) => {
      const { id, dose } = request.params as { id: string; dose: string };
      return action(
        deps.auth,
        reply,
        `/trial/participants/${encodeURIComponent(id)}`,
        async () => {
          const participant = await participantInScope(deps, request, id);
          if ((await dosingRecord(store, await currentProtocol(deps), participant))?.id !== dose) {
            throw new InputError('no such infusion record', 'trial.not-found');
          }
          const form = request.body as Record<string, string>;
          const { dose: fixed, alerts } = await store.correctDose(
            writeContext(request, reasonFrom(form)),
            dose,
            {
              administeredOn: form.administeredOn ?? '',
              doseMg: formNumber(form, 'doseMg', 'dose'),
              bodyWeightKg: formNumber(form, 'bodyWeightKg', 'body weight'),
            },
            formVersion(form),
          );
          return `Infusion record corrected: given on ${fixed.administeredOn}; the visit windows follow it${alerts.length === 0 ? '' : `; ${alerts.length} safety alert(s) raised`}`;
        },
        participantAgain(request, reply, id, `doses/${dose}/corrections`),
      );
    },
  );

  app.post(
    '/participants/:id/adverse-events',
    { config: { trialAccess: 'adverse-event.write' } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      return action(
        deps.auth,
        reply,
        `/trial/participants/${encodeURIComponent(id)}`,
        async () => {
          await participantInScope(deps, request, id);
          const { alerts } = await store.addAdverseEvent(writeContext(request, 'adverse event'), {
            participantId: id,
            ...adverseEventFromForm(request.body as Record<string, string>),
          });
          return alerts.length === 0
            ? 'Adverse event recorded'
            : `Adverse event recorded: ${alerts.length} safety alert(s) raised`;
        },
        participantAgain(request, reply, id, 'adverse-events'),
      );
    },
  );

  app.post(
    '/participants/:id/adverse-events/:event/updates',
    { config: { trialAccess: 'adverse-event.write' } },
    async (request, reply) => {
      const { id, event } = request.params as { id: string; event: string };
      return action(
        deps.auth,
        reply,
        `/trial/participants/${encodeURIComponent(id)}`,
        async () => {
          await participantInScope(deps, request, id);
          const stored = (await store.listAdverseEvents({ participantId: id })).find((e) => e.id === event);
          if (stored === undefined) throw new InputError('no such adverse event', 'trial.not-found');
          // Only the fields changed from what the form showed: a blinded viewer was shown a term naming an arm as
          // [concealed], which must not be written over the term as entered.
          const { blind } = await blindingFor(request);
          const shown = blind(stored);
          const form = request.body as Record<string, string>;
          const changes = Object.fromEntries(
            Object.entries(adverseEventFromForm(form)).filter(
              ([field, value]) => JSON.stringify(value) !== JSON.stringify(shown[field as keyof typeof shown]),
            ),
          );
          const { alerts } = await store.updateAdverseEvent(
            writeContext(request, reasonFrom(form)),
            event,
            changes,
            formVersion(form),
          );
          return alerts.length === 0
            ? 'Adverse event updated'
            : `Adverse event updated: ${alerts.length} safety alert(s) raised`;
        },
        participantAgain(request, reply, id, `adverse-events/${event}/updates`),
      );
    },
  );

  app.post('/participants/:id/dispositions', { config: { trialAccess: 'enrolment.write' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return action(
      deps.auth,
      reply,
      `/trial/participants/${encodeURIComponent(id)}`,
      async () => {
        await participantInScope(deps, request, id);
        const form = request.body as Record<string, string>;
        await store.recordDisposition(writeContext(request, 'disposition'), {
          participantId: id,
          event: (form.event ?? '') as (typeof DISPOSITION_EVENTS)[number],
          on: form.on ?? '',
        });
        return 'Exit recorded';
      },
      participantAgain(request, reply, id, 'dispositions'),
    );
  });

  /** The disposition of this page's participant (404 for another's, as for a participant out of scope). */
  const exitOf = async (request: FastifyRequest, participantId: string, dispositionId: string) => {
    await participantInScope(deps, request, participantId);
    const exit = (await store.listDispositions({ participantId })).find((d) => d.id === dispositionId);
    if (exit === undefined) throw new InputError('no such disposition', 'trial.not-found');
    return exit;
  };

  app.post(
    '/participants/:id/dispositions/:disposition/corrections',
    { config: { trialAccess: 'enrolment.write' } },
    async (request, reply) => {
      const { id, disposition } = request.params as { id: string; disposition: string };
      return action(
        deps.auth,
        reply,
        `/trial/participants/${encodeURIComponent(id)}`,
        async () => {
          await exitOf(request, id, disposition);
          const form = request.body as Record<string, string>;
          const reason = reasonFrom(form);
          const participantId = form.participantId ?? id;
          if (participantId !== id) await participantInScope(deps, request, participantId);
          const fixed = await store.correctDisposition(
            writeContext(request, reason),
            disposition,
            {
              participantId,
              event: (form.event ?? '') as (typeof DISPOSITION_EVENTS)[number],
              on: form.on ?? '',
            },
            formVersion(form),
          );
          return fixed.participantId === id
            ? `Exit corrected: ${EXIT_LABELS[fixed.event]} on ${fixed.on}`
            : 'Exit moved to the participant it belongs to';
        },
        participantAgain(request, reply, id, `dispositions/${disposition}/corrections`),
      );
    },
  );

  app.post(
    '/participants/:id/dispositions/:disposition/void',
    { config: { trialAccess: 'enrolment.write' } },
    async (request, reply) => {
      const { id, disposition } = request.params as { id: string; disposition: string };
      return action(
        deps.auth,
        reply,
        `/trial/participants/${encodeURIComponent(id)}`,
        async () => {
          await exitOf(request, id, disposition);
          const reason = reasonFrom(request.body);
          const p = await store.voidDisposition(
            writeContext(request, reason),
            disposition,
            formVersion(request.body as Record<string, string>),
          );
          return `Exit voided: the participant is ${p.status} again`;
        },
        participantAgain(request, reply, id, `dispositions/${disposition}/void`),
      );
    },
  );

  app.get('/safety', { config: { trialAccess: 'public' }, preHandler: pageAccess }, async (request, reply) => {
    const user = userOf(request);
    if (!can(user.role, 'safety.read')) throw new AccessDenied(403, `the ${user.role} role does not see safety data`);
    const { blind, terms } = await blindingFor(request);
    const protocol = await currentProtocol(deps);
    const dashboard = blind(await safetyDashboard(store, siteFilter(user), protocol));
    const names = participantNames(user, dashboard.participantCodes, dashboard.participantSites);
    return send(
      reply,
      blind(user),
      'Safety dashboard',
      html`<h1>Safety dashboard</h1>
        ${notice(blind(flashMessage(deps.auth, request, reply)))}
        <h2>Open alerts</h2>
        ${alertList(
          dashboard.openAlerts,
          names,
          dashboard.correctedSince,
          can(user.role, 'lab.write') ? () => csrfField(reply) : undefined,
          dashboard.clearedSince,
        )}
        <h2>Acknowledged alerts</h2>
        ${acknowledgedList(
          dashboard.acknowledgedAlerts,
          names,
          blind(await acknowledgerNames(deps, dashboard.acknowledgedAlerts)),
        )}
        <h2>Counts</h2>
        <ul>
          ${dashboard.counts.map((c) => html`<li>${c.label}: ${c.n}</li>`)}
        </ul>
        <h2>Labs at CTCAE grade 3 or above, meeting a hold or stop rule, or undecided</h2>
        <p class="muted">
          Undecided: the rules could not be checked (a reference limit not given, a unit that does not convert); such a
          result is no all-clear until it is corrected or drawn again.
        </p>
        ${labTable(dashboard.flaggedLabs, labCitations(await currentProtocol(deps), terms), names)}
        <h2>Fatal adverse events without a death recorded as the exit</h2>
        ${
          dashboard.deathsWithoutExit.length === 0
            ? html`<p>None.</p>`
            : html`<p>
                  Record the death as the participant's exit (disposition) so that the status, CONSORT and SDTM DM
                  follow.
                </p>
                <ul>
                  ${dashboard.deathsWithoutExit.map(
                    (e) => html`<li>${e.term} (onset ${e.onsetOn}): ${participantLink(e.participantId, names)}</li>`,
                  )}
                </ul>`
        }`,
    );
  });

  // An open alert is acknowledged once reviewed, as the API's POST /api/alerts/:id/acknowledge does; the dashboard
  // lists open alerts only, so without it a page user could never clear one.
  app.post('/safety/alerts/:alert/acknowledge', { config: { trialAccess: 'lab.write' } }, async (request, reply) => {
    const { alert } = request.params as { alert: string };
    return action(deps.auth, reply, '/trial/safety', async () => {
      const open = (await store.listAlerts(siteFilter(userOf(request)))).find((a) => a.id === alert);
      if (open === undefined) throw new InputError('no such alert', 'trial.not-found');
      const { actionTaken } = request.body as Record<string, string | undefined>;
      await store.acknowledgeAlert(writeContext(request, 'alert acknowledged'), alert, { actionTaken });
      return `Alert acknowledged: ${open.kind}, raised ${dateOnly(open.raisedAt)}`;
    });
  });

  app.get('/consort', { config: { trialAccess: 'public' }, preHandler: pageAccess }, async (request, reply) => {
    const viewer = await viewerOf(request, deps);
    const protocol = await currentProtocol(deps);
    const flow = consortView(await store.snapshot(siteFilter(viewer.user)), protocol, viewerSeesArms(viewer));
    const armLabel = (id: string) => protocol.arms?.find((a) => a.id === id)?.label ?? id;
    const { blind } = await blindingFor(request);
    return send(
      reply,
      blind(viewer.user),
      'CONSORT flow',
      html`<h1>CONSORT flow</h1>
        ${flow.pooled ? html`<p class="muted">Arms are pooled for blinded roles.</p>` : ''}${consortList(consortBoxes(flow, armLabel))}`,
    );
  });

  /**
   * A page form posted with a stale CSRF token by a browser signed in again since (index.ts calls it only for a page's
   * own form post, never a cross-site one): nothing is saved, and the form's page answers again at 403 with the
   * reason, what was typed in the form it came from and this session's token, so that saving is one deliberate
   * click. What was typed is shown only to the user the page was made for (its `_user` field); anyone else signed in
   * since at the browser gets the page with the reason alone.
   */
  return async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const body = (request.body ?? {}) as Record<string, unknown>;
    const sameUser = body[PAGE_USER_FIELD] === request.trialUser?.id;
    const values = sameUser ? typedFields(request.body) : {};
    const message = sameUser
      ? `Not saved: ${STALE_TOKEN_REASON} The form holds what you typed: check it and save it again.`
      : `Not saved: ${STALE_TOKEN_REASON}`;
    const { id } = (request.params ?? {}) as { id?: string };
    reply.code(403);
    try {
      if (id !== undefined && path.startsWith(`/trial/participants/${encodeURIComponent(id)}/`)) {
        const form = path.slice(`/trial/participants/${encodeURIComponent(id)}/`.length);
        if (!sameUser) return await participantPage(request, reply, id, { action: '', values, message });
        return await participantAgain(request, reply, id, form)(message, 403);
      }
      if (['/trial/screening', '/trial/consents', '/trial/participants'].includes(path)) {
        return await screeningPage(request, reply, { action: sameUser ? path : '', values, message });
      }
    } catch {
      // The page itself is refused (out of this user's scope, not found): the entries alone, below.
    }
    if (!sameUser)
      return send(
        reply,
        (await blindingFor(request)).blind(userOf(request)),
        'Not saved',
        html`<h1>Not saved</h1>
          ${notice({ error: message })}`,
      );
    return resumePage(deps, request, reply, path, values, `Not saved: ${STALE_TOKEN_REASON}`);
  };
}
