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
import { readCoding } from './datatypes.ts';
import { NONE, isObject, readArray, readDate, readNumber, readObject, readString, warn } from './read.ts';
import type { ReadContext, Untrusted, Writable } from './read.ts';

export const ORDINAL_EXTENSIONS: ReadonlySet<string> = new Set([
  'http://hl7.org/fhir/StructureDefinition/ordinalValue',
  'http://hl7.org/fhir/StructureDefinition/itemWeight',
]);

/** Guards against a malicious or broken bundle nesting items without end. */
const MAX_ITEM_DEPTH = 32;

/** The ordinal of a coding or answer; `path` + `suffix` name the holder, joined only for a warning. */
function ordinalOf(ctx: ReadContext, holder: unknown, path: string, suffix: string): number | undefined {
  if (!isObject(holder)) return undefined;
  const extensions = holder['extension'];
  if (extensions === undefined) return undefined;
  const list = readArray(ctx, extensions, `${path}${suffix}.extension`);
  for (let i = 0; i < list.length; i++) {
    const ext = list[i];
    if (isObject(ext) && typeof ext['url'] === 'string' && ORDINAL_EXTENSIONS.has(ext['url'])) {
      const value = ext['valueDecimal'] ?? ext['valueInteger'];
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      return readNumber(ctx, value, `${path}${suffix}.extension[${i}].valueDecimal`);
    }
  }
  return undefined;
}

function readAnswer(
  ctx: ReadContext,
  answer: Untrusted<QuestionnaireResponseItemAnswer>,
  path: string,
  linkId: string,
  text: string | undefined,
): AnswerFact | undefined {
  let valueNumber: number | undefined;
  let valueCoding: Coding | undefined;
  let valueString: string | undefined;
  if (answer.valueInteger !== undefined) {
    valueNumber = readNumber(ctx, answer.valueInteger, path, '.valueInteger');
  } else if (answer.valueDecimal !== undefined) {
    valueNumber = readNumber(ctx, answer.valueDecimal, path, '.valueDecimal');
  } else if (answer.valueCoding !== undefined) {
    valueCoding = readCoding(ctx, answer.valueCoding, path, '.valueCoding');
    valueNumber = ordinalOf(ctx, answer.valueCoding, path, '.valueCoding') ?? ordinalOf(ctx, answer, path, '');
  } else if (answer.valueString !== undefined) {
    valueString = readString(ctx, answer.valueString, path, '.valueString');
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
    const p = `${path}[${i}]`;
    const item = readObject<QuestionnaireResponseItem>(ctx, items[i], p);
    if (item === undefined) continue;
    const linkId = readString(ctx, item.linkId, p, '.linkId');
    const text = readString(ctx, item.text, p, '.text');
    const answers = readArray(ctx, item.answer, p, '.answer');
    for (let j = 0; j < answers.length; j++) {
      const ap = `${p}.answer[${j}]`;
      const answer = readObject<QuestionnaireResponseItemAnswer>(ctx, answers[j], ap);
      if (answer === undefined) continue;
      if (linkId === undefined) warn(ctx, `${p}.linkId`, 'answered item has no linkId; answer ignored');
      else {
        const fact = readAnswer(ctx, answer, ap, linkId, text);
        if (fact !== undefined) out.push(fact);
      }
      // Nested items are rare: their path is built only when there are some (or to warn at the depth limit).
      if (answer.item !== undefined || depth >= MAX_ITEM_DEPTH)
        collectItems(ctx, answer.item, `${ap}.item`, depth + 1, out);
    }
    if (item.item !== undefined || depth >= MAX_ITEM_DEPTH) collectItems(ctx, item.item, `${p}.item`, depth + 1, out);
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
