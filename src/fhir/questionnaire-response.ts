/**
 * QuestionnaireResponse -> flattened answers (PHQ-9, BDI-II, MADRS items). Nested items, and items nested under an
 * answer, are lifted to one list keeping their linkIds. A coded answer's score comes from the R4 `ordinalValue`
 * extension or the R5-style `itemWeight` extension on the Coding (or on the answer).
 * @see https://hl7.org/fhir/R4/questionnaireresponse.html
 */
import type {
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  QuestionnaireResponseItemAnswer,
} from '@medplum/fhirtypes';
import type { AnswerFact, Coding, QuestionnaireResponseFact } from '../record/index.ts';
import { codingOf, isWellFormedCoding, readCoding } from './datatypes.ts';
import { NONE, isObject, readArray, readDate, readNumber, readObject, readString, warn } from './read.ts';
import type { ReadContext, Untrusted, Writable } from './read.ts';

const ORDINAL_VALUE = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';
const ITEM_WEIGHT = 'http://hl7.org/fhir/StructureDefinition/itemWeight';

/** The two extensions that give a coded answer its score. Compared, not looked up in a Set: that would hash the URL. */
const isOrdinalExtension = (url: string): boolean => url === ORDINAL_VALUE || url === ITEM_WEIGHT;

/** Guards against a malicious or broken bundle nesting items without end. */
const MAX_ITEM_DEPTH = 32;

// An item is named by the path of its list and its index i, an answer also by its index j (j < 0: the item itself);
// the path string is built only for a warning or for nested items, since every answer of every form passes here.

function at(path: string, i: number, j: number): string {
  return j < 0 ? `${path}[${i}]` : `${path}[${i}].answer[${j}]`;
}

function textAt(ctx: ReadContext, v: unknown, path: string, i: number, j: number, suffix: string): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  return v === undefined || v === null ? undefined : readString(ctx, v, at(path, i, j), suffix);
}

function numberAt(
  ctx: ReadContext,
  v: unknown,
  path: string,
  i: number,
  j: number,
  suffix: string,
): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return v === undefined || v === null ? undefined : readNumber(ctx, v, at(path, i, j), suffix);
}

function listAt(ctx: ReadContext, v: unknown, path: string, i: number, j: number, suffix: string): readonly unknown[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? NONE : readArray(ctx, v, at(path, i, j), suffix);
}

/** The ordinal of a coding (suffix '.valueCoding') or of the answer itself (suffix ''). */
function ordinalOf(
  ctx: ReadContext,
  holder: unknown,
  path: string,
  i: number,
  j: number,
  suffix: string,
): number | undefined {
  if (!isObject(holder)) return undefined;
  const extensions = holder['extension'];
  if (extensions === undefined) return undefined;
  const list = Array.isArray(extensions)
    ? extensions
    : readArray(ctx, extensions, `${at(path, i, j)}${suffix}.extension`);
  for (let k = 0; k < list.length; k++) {
    const ext = list[k];
    if (isObject(ext) && typeof ext['url'] === 'string' && isOrdinalExtension(ext['url'])) {
      const value = ext['valueDecimal'] ?? ext['valueInteger'];
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      return readNumber(ctx, value, `${at(path, i, j)}${suffix}.extension[${k}].valueDecimal`);
    }
  }
  return undefined;
}

function readAnswer(
  ctx: ReadContext,
  answer: Untrusted<QuestionnaireResponseItemAnswer>,
  path: string,
  i: number,
  j: number,
  linkId: string,
  text: string | undefined,
): AnswerFact | undefined {
  let valueNumber: number | undefined;
  let valueCoding: Coding | undefined;
  let valueString: string | undefined;
  if (answer.valueInteger !== undefined) {
    valueNumber = numberAt(ctx, answer.valueInteger, path, i, j, '.valueInteger');
  } else if (answer.valueDecimal !== undefined) {
    valueNumber = numberAt(ctx, answer.valueDecimal, path, i, j, '.valueDecimal');
  } else if (answer.valueCoding !== undefined) {
    const coding = answer.valueCoding;
    valueCoding = isWellFormedCoding(coding)
      ? codingOf(coding)
      : readCoding(ctx, coding, at(path, i, j), '.valueCoding');
    valueNumber = ordinalOf(ctx, coding, path, i, j, '.valueCoding') ?? ordinalOf(ctx, answer, path, i, j, '');
  } else if (answer.valueString !== undefined) {
    valueString = textAt(ctx, answer.valueString, path, i, j, '.valueString');
  }
  if (valueNumber === undefined && valueCoding === undefined && valueString === undefined) return undefined;
  // Filled in by assignment in the order the fact has always had (no spreads: every answer of every form passes here).
  const fact: Writable<AnswerFact> = { linkId, code: NONE };
  if (text !== undefined) fact.text = text;
  if (valueNumber !== undefined) fact.valueNumber = valueNumber;
  if (valueCoding !== undefined) fact.valueCoding = valueCoding;
  if (valueString !== undefined) fact.valueString = valueString;
  return fact;
}

function collectItems(ctx: ReadContext, value: unknown, path: string, depth: number, out: AnswerFact[]): void {
  if (depth > MAX_ITEM_DEPTH) {
    warn(ctx, path, `items nested deeper than ${MAX_ITEM_DEPTH} levels; ignored`);
    return;
  }
  const items = readArray(ctx, value, path);
  for (let i = 0; i < items.length; i++) {
    const rawItem = items[i];
    const item = isObject(rawItem)
      ? (rawItem as Untrusted<QuestionnaireResponseItem>)
      : readObject<QuestionnaireResponseItem>(ctx, rawItem, at(path, i, -1));
    if (item === undefined) continue;
    const linkId = textAt(ctx, item.linkId, path, i, -1, '.linkId');
    const text = textAt(ctx, item.text, path, i, -1, '.text');
    const answers = listAt(ctx, item.answer, path, i, -1, '.answer');
    for (let j = 0; j < answers.length; j++) {
      const rawAnswer = answers[j];
      const answer = isObject(rawAnswer)
        ? (rawAnswer as Untrusted<QuestionnaireResponseItemAnswer>)
        : readObject<QuestionnaireResponseItemAnswer>(ctx, rawAnswer, at(path, i, j));
      if (answer === undefined) continue;
      if (linkId === undefined) warn(ctx, `${at(path, i, -1)}.linkId`, 'answered item has no linkId; answer ignored');
      else {
        const fact = readAnswer(ctx, answer, path, i, j, linkId, text);
        if (fact !== undefined) out.push(fact);
      }
      // Nested items are rare: their path is built only when there are some (or to warn at the depth limit).
      if (answer.item !== undefined || depth >= MAX_ITEM_DEPTH) {
        collectItems(ctx, answer.item, `${at(path, i, j)}.item`, depth + 1, out);
      }
    }
    if (item.item !== undefined || depth >= MAX_ITEM_DEPTH) {
      collectItems(ctx, item.item, `${at(path, i, -1)}.item`, depth + 1, out);
    }
  }
}

export function readQuestionnaireResponse(
  ctx: ReadContext,
  resource: Untrusted<QuestionnaireResponse>,
): QuestionnaireResponseFact {
  const questionnaire = readString(ctx, resource.questionnaire, 'questionnaire');
  let status = readString(ctx, resource.status, 'status');
  if (status === undefined) {
    warn(ctx, 'status', 'no status; read as unknown');
    status = 'unknown';
  }
  const authored = readDate(ctx, resource.authored, 'authored');
  const answers: AnswerFact[] = [];
  collectItems(ctx, resource.item, 'item', 0, answers);
  const fact: Partial<Writable<QuestionnaireResponseFact>> = { ref: ctx.ref };
  if (questionnaire !== undefined) fact.questionnaire = questionnaire;
  fact.status = status;
  if (authored !== undefined) fact.authored = authored;
  fact.answers = answers;
  return fact as QuestionnaireResponseFact;
}
