/**
 * Definition 9 (informational): the most recent PHQ-9, BDI-II or MADRS, with the items that reference section 6.1
 * maps to fatigue, anhedonia, psychomotor change, sleep and appetite. Read from QuestionnaireResponse answers (by item
 * code or linkId) or from Observation panels (components, or hasMember item Observations). The mapping is a proposal,
 * not a published algorithm, so the pathway marks it unverified and the result says so.
 *
 * An item's score is a number (valueInteger / valueDecimal, a coded answer's ordinalValue or itemWeight, an
 * Observation's integer or quantity) or a coded answer listed in the item set's answer code sets (PHQ-9: LOINC
 * LL358-3, knowledge/codesets/phq9-answers.json). An answer that gives neither (a code outside the answer list, text)
 * is never dropped in silence: the item counts as not answered and the issue `pathway.scale.unreadable` names it.
 */
import type { Pathway } from '../knowledge/schema-pathway.ts';
import type {
  AnswerFact,
  Coding,
  ObservationFact,
  ObservationValue,
  QuestionnaireResponseFact,
  Writable,
} from '../record/index.ts';
import { dayOf, noteIssue, noteUnverified } from './context.ts';
import type { EngineContext } from './context.ts';
import { instantOf, observationByRef, observationsInSets, statusSet, undatedObservations } from './observations.ts';
import { answerScoreOf, codingsSetHits, useHit } from './lookups.ts';
import type { SymptomDomain, SymptomItemScore, SymptomProfile, SymptomScale } from './facts.ts';

type Instrument = Pathway['definitions']['symptoms']['instruments'][number];
type Item = Instrument['items'][number];
/** How an item is recognised in a response: its code (the instrument's item code set), linkIds, question texts. */
type ItemRule = Pathway['definitions']['safety']['suicideRisk']['items'][number];

interface InstrumentIndex {
  readonly instrument: Instrument;
  readonly itemByNumber: ReadonlyMap<number, Item>;
  readonly itemByLinkId: ReadonlyMap<string, Item>;
  /** Total and panel sets together: the observations worth reading. */
  readonly observationSets: readonly string[];
  /** Item, total and panel sets together: where an item's score may be (itemReadings). */
  readonly itemAndObservationSets: readonly string[];
  /** The instrument's questionnaire URLs, lower-cased once. */
  readonly urlsLower: readonly string[];
}

const indexCache = new WeakMap<Pathway, readonly InstrumentIndex[]>();

function indexFor(pathway: Pathway): readonly InstrumentIndex[] {
  let idx = indexCache.get(pathway);
  if (idx === undefined) {
    idx = pathway.definitions.symptoms.instruments.map((instrument) => ({
      instrument,
      itemByNumber: new Map(instrument.items.map((it) => [it.item, it] as const)),
      itemByLinkId: new Map(instrument.items.flatMap((it) => it.linkIds.map((l) => [l, it] as const))),
      observationSets: [...instrument.totalCodeSets, ...instrument.panelCodeSets],
      itemAndObservationSets: [...instrument.itemCodeSets, ...instrument.totalCodeSets, ...instrument.panelCodeSets],
      urlsLower: instrument.questionnaireUrls.map((u) => u.toLowerCase()),
    }));
    indexCache.set(pathway, idx);
  }
  return idx;
}

type SetHits = ReturnType<typeof codingsSetHits>;

function inSets(ctx: EngineContext, sets: readonly string[], hits: SetHits): boolean {
  return sets.length > 0 && useHit(ctx, hits, sets) !== undefined;
}

/** The mapped item a code names (through the item code set's `item` numbers), if it is one the pathway maps. */
function itemFor(ctx: EngineContext, ix: InstrumentIndex, hits: SetHits): Item | undefined {
  const n = useHit(ctx, hits, ix.instrument.itemCodeSets)?.item;
  return n === undefined ? undefined : ix.itemByNumber.get(n);
}

/** A QuestionnaireResponse with its answers' code-set hits, read once for all the instruments. */
interface ResponseAnswers {
  readonly qr: QuestionnaireResponseFact;
  readonly url: string | undefined;
  /** Every answer with a value: `value` is its number when it carries one (else the answer code decides, per scale). */
  readonly answers: readonly { readonly answer: AnswerFact; readonly value?: number; readonly hits: SetHits }[];
  /**
   * Whether the form is one the pathway knows (an answer's code is in a code set, or its questionnaire URL names an
   * instrument): its items are never read by their wording.
   */
  readonly known: boolean;
}

/** A usable, dated QuestionnaireResponse. */
interface ReadResponse extends ResponseAnswers {
  readonly day: number;
}

// Read once per assessment: the symptom profile and the suicide-risk alert (three items) all use them.
function readResponses(ctx: EngineContext): readonly ReadResponse[] {
  const cached = ctx.scratch.responses as readonly ReadResponse[] | undefined;
  if (cached !== undefined) return cached;
  const out = readResponsesOnce(ctx);
  ctx.scratch.responses = out;
  return out;
}

function readResponsesOnce(ctx: EngineContext): ReadResponse[] {
  const out: ReadResponse[] = [];
  const undated: ResponseAnswers[] = [];
  const validResponse = statusSet(ctx.pathway.definitions.symptoms.validStatuses.questionnaireResponse);
  for (const qr of ctx.record.questionnaireResponses) {
    if (!validResponse.has(qr.status)) continue;
    const day = dayOf(qr.authored, 'start');
    if (day === undefined) {
      // As an undated Observation (observations.ts): it cannot be placed in any window, and it is said so. It is
      // kept only for the suicide-risk alert (undatedItemScores).
      noteIssue(ctx, 'pathway.response.undated', 'a QuestionnaireResponse has no usable date and was not used', qr.ref);
      undated.push(readAnswers(ctx, qr, undefined));
      continue;
    }
    if (day <= ctx.asOfDay) out.push(readAnswers(ctx, qr, day) as ReadResponse);
  }
  ctx.scratch.undatedResponses = undated;
  return out;
}

/** One literal of one shape, dated or not (a spread into a second object would cost a copy per response). */
function readAnswers(
  ctx: EngineContext,
  qr: QuestionnaireResponseFact,
  day: number | undefined,
): ResponseAnswers & { readonly day: number | undefined } {
  const answers: { answer: AnswerFact; value?: number; hits: SetHits }[] = [];
  let coded = false;
  for (const a of qr.answers) {
    let hits: SetHits | undefined;
    if (a.valueNumber !== undefined)
      answers.push({ answer: a, value: a.valueNumber, hits: (hits = codingsSetHits(ctx, a.code)) });
    else if (a.valueCoding !== undefined || a.valueString !== undefined)
      answers.push({ answer: a, hits: (hits = codingsSetHits(ctx, a.code)) });
    if (hits !== undefined && hits.size > 0) coded = true;
  }
  const url = qr.questionnaire?.toLowerCase();
  const known =
    coded || (url !== undefined && indexFor(ctx.pathway).some((ix) => ix.urlsLower.some((u) => url.includes(u))));
  return { qr, day, url, answers, known };
}

function numberOf(v: ObservationValue | undefined): number | undefined {
  if (v?.kind === 'integer') return v.value;
  if (v?.kind === 'quantity') return v.quantity.value;
  return undefined;
}

/** An Observation value's item score: a number, or an answer code of the instrument's answer sets. */
function valueScore(ctx: EngineContext, ix: InstrumentIndex, v: ObservationValue | undefined): number | undefined {
  const n = numberOf(v);
  if (n !== undefined || v?.kind !== 'concept') return n;
  return answerScoreOf(ctx, ix.instrument.itemCodeSets, v.concept.codings);
}

/** A QuestionnaireResponse answer's item score: its number, or its answer code in the instrument's answer sets. */
function answerScore(
  ctx: EngineContext,
  ix: InstrumentIndex,
  a: { readonly answer: AnswerFact; readonly value?: number },
): number | undefined {
  if (a.value !== undefined) return a.value;
  const coding = a.answer.valueCoding;
  return coding === undefined ? undefined : answerScoreOf(ctx, ix.instrument.itemCodeSets, [coding]);
}

const UNREADABLE = 'pathway.scale.unreadable';

/**
 * Names an item answered with no score the pathway knows (a code outside the item's answer list, text), one issue per
 * resource listing every such item: the item counts as not answered, never as a score of 0.
 */
function noteUnreadable(ctx: EngineContext, label: string, source: string, date: string | undefined): void {
  const byRef = (ctx.scratch.unreadableItems ??= new Map<string, string[]>());
  const labels = byRef.get(source) ?? [];
  if (labels.includes(label)) return;
  labels.push(label);
  byRef.set(source, labels);
  const message =
    `${labels.join(', ')} ${labels.length === 1 ? 'was' : 'were'} answered${date === undefined ? '' : ` on ${date.slice(0, 10)}`} ` +
    "with no score the pathway knows (a code outside the item's answer list, or text): counted as not answered, " +
    'not as 0; ask again (for a suicide item, assess the risk directly)';
  const at = ctx.issues.findIndex((i) => i.code === UNREADABLE && i.path === source);
  if (at < 0) noteIssue(ctx, UNREADABLE, message, source);
  else ctx.issues[at] = { ...(ctx.issues[at] as (typeof ctx.issues)[number]), message };
}

interface Candidate {
  readonly scale: SymptomScale;
  readonly day: number;
}

function score(ix: InstrumentIndex, item: Item, value: number): SymptomItemScore {
  return { domain: item.domain, item: item.item, score: value, maxScore: ix.instrument.itemMaxScore };
}

function fromResponses(ctx: EngineContext, ix: InstrumentIndex, responses: readonly ReadResponse[]): Candidate[] {
  const out: Candidate[] = [];
  for (const { qr, day, url, answers } of responses) {
    const byUrl = url !== undefined && ix.urlsLower.some((u) => url.includes(u));
    const items: SymptomItemScore[] = [];
    let total: number | undefined;
    for (const a of answers) {
      const { answer, hits } = a;
      if (inSets(ctx, ix.instrument.totalCodeSets, hits)) {
        if (a.value !== undefined) total = a.value;
        continue;
      }
      const item = itemFor(ctx, ix, hits) ?? (byUrl ? ix.itemByLinkId.get(answer.linkId) : undefined);
      if (item === undefined || items.some((i) => i.item === item.item)) continue;
      const value = answerScore(ctx, ix, a);
      if (value !== undefined) items.push(score(ix, item, value));
      else noteUnreadable(ctx, `${ix.instrument.instrument} item ${item.item}`, qr.ref, qr.authored);
    }
    if (!byUrl && items.length === 0) continue;
    const scale: SymptomScale = {
      instrument: ix.instrument.instrument,
      date: qr.authored?.slice(0, 10),
      source: qr.ref,
      total,
      items,
    };
    out.push({ scale, day });
  }
  return out;
}

/** The scales' valid Observation statuses (definitions.symptoms.validStatuses), as a Set. */
const validObservation = (ctx: EngineContext): ReadonlySet<string> =>
  statusSet(ctx.pathway.definitions.symptoms.validStatuses.observation);

function fromObservations(ctx: EngineContext, ix: InstrumentIndex): Candidate[] {
  const out: Candidate[] = [];
  const valid = validObservation(ctx);
  // Only observations coded in a total or panel set (classified once per assessment) can be panels or totals.
  for (const { obs, day, hits } of observationsInSets(ctx, ix.observationSets)) {
    const isTotal = useHit(ctx, hits, ix.instrument.totalCodeSets) !== undefined;
    if (!isTotal && useHit(ctx, hits, ix.instrument.panelCodeSets) === undefined) continue;
    if (!valid.has(obs.status) || day > ctx.asOfDay) continue;
    const items: SymptomItemScore[] = [];
    let total = isTotal ? numberOf(obs.value) : undefined;
    const parts: { codings: readonly Coding[]; value: ObservationValue | undefined }[] = obs.components.map((c) => ({
      codings: c.code.codings,
      value: c.value,
    }));
    for (const ref of obs.members) {
      const m = observationByRef(ctx, ref);
      if (m !== undefined && valid.has(m.status)) parts.push({ codings: m.code.codings, value: m.value });
    }
    for (const p of parts) {
      if (p.value === undefined) continue;
      const partHits = codingsSetHits(ctx, p.codings);
      const n = numberOf(p.value);
      if (n !== undefined && inSets(ctx, ix.instrument.totalCodeSets, partHits)) total = n;
      const item = itemFor(ctx, ix, partHits);
      if (item === undefined || items.some((i) => i.item === item.item)) continue;
      const value = valueScore(ctx, ix, p.value);
      if (value !== undefined) items.push(score(ix, item, value));
      else noteUnreadable(ctx, `${ix.instrument.instrument} item ${item.item}`, obs.ref, obs.effective);
    }
    const scale: SymptomScale = {
      instrument: ix.instrument.instrument,
      date: (obs.effective ?? '').slice(0, 10),
      source: obs.ref,
      total,
      items,
    };
    out.push({ scale, day });
  }
  return out;
}

export function deriveSymptomProfile(ctx: EngineContext): SymptomProfile {
  const scales: SymptomScale[] = [];
  const responses = readResponses(ctx);
  for (const ix of indexFor(ctx.pathway)) {
    const candidates = [...fromResponses(ctx, ix, responses), ...fromObservations(ctx, ix)];
    let latest: Candidate | undefined;
    for (const c of candidates) if (latest === undefined || c.day > latest.day) latest = c;
    if (latest === undefined) continue;
    scales.push(latest.scale);
    if (!ix.instrument.verified && latest.scale.items.length > 0) {
      noteUnverified(
        ctx,
        'symptom item mapping',
        'the item-to-domain mapping is proposed, not published',
        ix.instrument.citation,
      );
    }
  }
  const domains: Partial<Record<SymptomDomain, number>> = {};
  for (const s of scales) {
    for (const it of s.items) {
      const fraction = Math.round((it.score / it.maxScore) * 100) / 100;
      const prev = domains[it.domain];
      if (prev === undefined || fraction > prev) domains[it.domain] = fraction;
    }
  }
  const note =
    scales.length === 0
      ? 'no PHQ-9, BDI-II or MADRS on or before the as-of date'
      : 'items linked to inflammation (fatigue, anhedonia, psychomotor change, sleep, appetite) are informational only';
  return { scales, domains, note };
}

/** One score of one instrument item, with its date and source (for the suicide-risk alert, definition 7a). */
export interface ItemReading {
  /** Undefined: answered with no score the pathway knows (the item counts as not answered; an issue names it). */
  readonly score: number | undefined;
  readonly day: number;
  /** Epoch ms when the date carries a time. */
  readonly instant?: number;
  readonly date: string;
  readonly source: string;
  /** Found by its printed question, not by a code or linkId (an unverified reading: `questionTexts`). */
  readonly byWording?: true;
}

/**
 * Every score of `rule.item` of `rule.instrument` on or before the as-of date: QuestionnaireResponse answers (by the
 * item code set's item numbers, or by linkId when the questionnaire URL names the instrument), Observation panels
 * (components or hasMember) and item Observations on their own.
 */
export function itemReadings(ctx: EngineContext, rule: ItemRule): ItemReading[] {
  const ix = indexFor(ctx.pathway).find((i) => i.instrument.instrument === rule.instrument);
  if (ix === undefined) return [];
  const out: ItemReading[] = [];
  const label = `${rule.instrument} item ${rule.item}`;
  const observations = observationsInSets(ctx, ix.itemAndObservationSets);
  eachItemScore(ctx, ix, rule, readResponses(ctx), observations, (score, date, source, day, byWording) => {
    if (day === undefined || day > ctx.asOfDay) return;
    if (score === undefined) noteUnreadable(ctx, label, source, date);
    const instant = instantOf(date);
    const calendarDate = (date ?? '').slice(0, 10);
    // Two literals, not a spread of one into the other: this runs for every scale reading of every patient.
    const reading: Writable<ItemReading> =
      instant === undefined
        ? { score, day, date: calendarDate, source }
        : { score, day, date: calendarDate, source, instant };
    if (byWording) reading.byWording = true;
    out.push(reading);
  });
  return out;
}

/**
 * The scores of `item` in responses and Observations with no usable date (noted as not used, and placed in no
 * window): the suicide-risk alert still reads them, since such a score may be recent (safety.ts).
 */
export function undatedItemScores(
  ctx: EngineContext,
  rule: ItemRule,
): { readonly score: number; readonly source: string }[] {
  readResponses(ctx);
  const responses = ctx.scratch.undatedResponses as readonly ResponseAnswers[];
  const observations = undatedObservations(ctx);
  // Nearly every record dates all its scales: then there is nothing to read.
  if (responses.length === 0 && observations.length === 0) return [];
  const ix = indexFor(ctx.pathway).find((i) => i.instrument.instrument === rule.instrument);
  if (ix === undefined) return [];
  const out: { score: number; source: string }[] = [];
  const inSets = observations.filter((u) => ix.itemAndObservationSets.some((setId) => u.hits.has(setId)));
  eachItemScore(ctx, ix, rule, responses, inSets, (score, _date, source) => {
    if (score !== undefined) out.push({ score, source });
  });
  return out;
}

/**
 * Calls `visit` with each answer to `item` (its score, undefined when unreadable; the day of its response or
 * Observation when dated): the responses first, then the Observations.
 */
function eachItemScore(
  ctx: EngineContext,
  ix: InstrumentIndex,
  rule: ItemRule,
  responses: readonly (ResponseAnswers & { readonly day?: number })[],
  observations: readonly { readonly obs: ObservationFact; readonly hits: SetHits; readonly day?: number }[],
  visit: (
    score: number | undefined,
    date: string | undefined,
    source: string,
    day: number | undefined,
    byWording?: boolean,
  ) => void,
): void {
  const { item, linkIds } = rule;
  const isItem = (hits: SetHits): boolean => useHit(ctx, hits, ix.instrument.itemCodeSets)?.item === item;
  const valid = validObservation(ctx);
  for (const { qr, url, answers, day, known } of responses) {
    const byUrl = url !== undefined && ix.urlsLower.some((u) => url.includes(u));
    let a = answers.find(({ answer, hits }) => isItem(hits) || (byUrl && linkIds.includes(answer.linkId)));
    let byWording = false;
    if (a === undefined && (!known || byUrl) && rule.questionTexts !== undefined) {
      // An EHR's own form (no item code, local linkIds), or the instrument's own form whose linkIds are local: the
      // item by its question's wording, as an unverified reading (docs/care-pathway.md definition 7a). Never in a
      // form known to be another instrument (BDI-II's wording in a PHQ-9).
      const texts = rule.questionTexts;
      a = answers.find(({ answer }) => asksQuestion(answer.text, texts.texts));
      if (a !== undefined) {
        byWording = true;
        noteUnverified(
          ctx,
          `${ix.instrument.instrument} item ${item} recognised by its question text`,
          `${qr.ref} names no item code the pathway knows; its answer to "${texts.texts[0] ?? ''}" was read as ${ix.instrument.instrument} item ${item}`,
          texts.citation,
        );
      }
    }
    if (a !== undefined) visit(answerScore(ctx, ix, a), qr.authored, qr.ref, day, byWording);
  }
  for (const { obs, hits, day } of observations) {
    if (!valid.has(obs.status)) continue;
    if (isItem(hits)) {
      if (obs.value !== undefined) visit(valueScore(ctx, ix, obs.value), obs.effective, obs.ref, day);
      continue;
    }
    const parts: { codings: readonly Coding[]; value: ObservationValue | undefined }[] = obs.components.map((c) => ({
      codings: c.code.codings,
      value: c.value,
    }));
    for (const ref of obs.members) {
      const m = observationByRef(ctx, ref);
      if (m !== undefined && valid.has(m.status)) parts.push({ codings: m.code.codings, value: m.value });
    }
    const part = parts.find((p) => p.value !== undefined && isItem(codingsSetHits(ctx, p.codings)));
    if (part !== undefined) visit(valueScore(ctx, ix, part.value), obs.effective, obs.ref, day);
  }
}

/** Lower-case words separated by single spaces: "Thoughts that you would be better off dead, or ..." compares. */
const words = (text: string): string =>
  ` ${text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;

/** Does an item's text contain one of the question wordings (whole words)? */
function asksQuestion(text: string | undefined, wordings: readonly string[]): boolean {
  if (text === undefined) return false;
  const asked = words(text);
  return wordings.some((w) => asked.includes(words(w)));
}
