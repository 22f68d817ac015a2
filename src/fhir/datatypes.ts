/**
 * R4 general-purpose data types -> the normalized record's Coding, Concept, Quantity and Period.
 * @see https://hl7.org/fhir/R4/datatypes.html
 */
import type {
  CodeableConcept,
  Coding as FhirCoding,
  Period as FhirPeriod,
  Quantity as FhirQuantity,
  Ratio,
  Reference,
} from '@medplum/fhirtypes';
import type { Coding, Comparator, Concept, Period, Quantity } from '../record/index.ts';
import { readArray, readDate, readNumber, readObject, readString, warn } from './read.ts';
import type { ReadContext } from './read.ts';

export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

const COMPARATORS: ReadonlySet<string> = new Set(['<', '<=', '>=', '>']);

export function readCoding(ctx: ReadContext, value: unknown, path: string): Coding | undefined {
  const c = readObject<FhirCoding>(ctx, value, path);
  if (c === undefined) return undefined;
  const system = readString(ctx, c.system, `${path}.system`);
  const code = readString(ctx, c.code, `${path}.code`);
  const display = readString(ctx, c.display, `${path}.display`);
  if (system === undefined && code === undefined && display === undefined) return undefined;
  return {
    ...(system !== undefined && { system }),
    ...(code !== undefined && { code }),
    ...(display !== undefined && { display }),
  };
}

export function readConcept(ctx: ReadContext, value: unknown, path: string): Concept | undefined {
  const cc = readObject<CodeableConcept>(ctx, value, path);
  if (cc === undefined) return undefined;
  const codings: Coding[] = [];
  const list = readArray(ctx, cc.coding, `${path}.coding`);
  for (let i = 0; i < list.length; i++) {
    const coding = readCoding(ctx, list[i], `${path}.coding[${i}]`);
    if (coding !== undefined) codings.push(coding);
  }
  const text = readString(ctx, cc.text, `${path}.text`);
  if (codings.length === 0 && text === undefined) return undefined;
  return text === undefined ? { codings } : { codings, text };
}

export function readConcepts(ctx: ReadContext, value: unknown, path: string): Concept[] {
  const out: Concept[] = [];
  const list = readArray(ctx, value, path);
  for (let i = 0; i < list.length; i++) {
    const concept = readConcept(ctx, list[i], `${path}[${i}]`);
    if (concept !== undefined) out.push(concept);
  }
  return out;
}

/** The first coded value of a status CodeableConcept (Condition.clinicalStatus and the like). */
export function readStatusCode(ctx: ReadContext, value: unknown, path: string): string | undefined {
  const concept = readConcept(ctx, value, path);
  if (concept === undefined) return undefined;
  for (const coding of concept.codings) if (coding.code !== undefined) return coding.code;
  return undefined;
}

/**
 * A Quantity keeps its UCUM code only when `system` says UCUM: a unit from another system (or none) is kept as text
 * for display, and the engine refuses to convert it rather than guess.
 */
export function readQuantity(ctx: ReadContext, value: unknown, path: string): Quantity | undefined {
  const q = readObject<FhirQuantity>(ctx, value, path);
  if (q === undefined) return undefined;
  if (q.value === undefined) return undefined;
  const amount = readNumber(ctx, q.value, `${path}.value`);
  if (amount === undefined) return undefined;
  const system = readString(ctx, q.system, `${path}.system`);
  const code = readString(ctx, q.code, `${path}.code`);
  const unit = readString(ctx, q.unit, `${path}.unit`);
  let comparator: Comparator | undefined;
  const rawComparator = readString(ctx, q.comparator, `${path}.comparator`);
  if (rawComparator !== undefined) {
    if (!COMPARATORS.has(rawComparator)) {
      // 'ad' ("sufficient to achieve") and unknown comparators make the number's meaning unclear: drop the value.
      warn(ctx, `${path}.comparator`, `${path}.comparator '${rawComparator}' is not <, <=, >= or >; value ignored`);
      return undefined;
    }
    comparator = rawComparator as Comparator;
  }
  const ucum = system === UCUM_SYSTEM ? code : undefined;
  const unitText = unit ?? (ucum === undefined ? code : undefined);
  return {
    value: amount,
    ...(ucum !== undefined && { ucum }),
    ...(unitText !== undefined && { unitText }),
    ...(comparator !== undefined && { comparator }),
  };
}

export function readRatio(
  ctx: ReadContext,
  value: unknown,
  path: string,
): { numerator: Quantity; denominator?: Quantity } | undefined {
  const r = readObject<Ratio>(ctx, value, path);
  if (r === undefined) return undefined;
  const numerator = readQuantity(ctx, r.numerator, `${path}.numerator`);
  if (numerator === undefined) return undefined;
  const denominator = readQuantity(ctx, r.denominator, `${path}.denominator`);
  return denominator === undefined ? { numerator } : { numerator, denominator };
}

export function readPeriod(ctx: ReadContext, value: unknown, path: string): Period | undefined {
  const p = readObject<FhirPeriod>(ctx, value, path);
  if (p === undefined) return undefined;
  const start = readDate(ctx, p.start, `${path}.start`);
  const end = readDate(ctx, p.end, `${path}.end`);
  if (start === undefined && end === undefined) return undefined;
  return { ...(start !== undefined && { start }), ...(end !== undefined && { end }) };
}

export function readReference(
  ctx: ReadContext,
  value: unknown,
  path: string,
): { reference?: string; display?: string } {
  const r = readObject<Reference>(ctx, value, path);
  if (r === undefined) return {};
  const reference = readString(ctx, r.reference, `${path}.reference`);
  const display = readString(ctx, r.display, `${path}.display`);
  return { ...(reference !== undefined && { reference }), ...(display !== undefined && { display }) };
}
