/**
 * Observation -> ObservationFact: the value in whichever value[x] form it came, its date (effective[x], else issued),
 * reference ranges (for the ULN of ALT/AST), components, panel members, data-absent reason and interpretation.
 * @see https://hl7.org/fhir/R4/observation.html
 */
import type { Observation, ObservationComponent, ObservationReferenceRange, Range } from '@medplum/fhirtypes';
import type {
  ObservationComponent as ComponentFact,
  ObservationFact,
  ObservationValue,
  Quantity,
  ReferenceRange,
  ResourceRef,
} from '../record/index.ts';
import { readConcept, readConcepts, readPeriod, readQuantity, readReference } from './datatypes.ts';
import { NONE, readArray, readBoolean, readDate, readNumber, readObject, readString, warn } from './read.ts';
import type { ReadContext, Untrusted, Writable } from './read.ts';

/** The value[x] forms the pathway can use; the others (Range, Ratio, SampledData, times) are read as unreadable. */
type ValueCarrier = Untrusted<
  Pick<Observation, 'valueQuantity' | 'valueCodeableConcept' | 'valueString' | 'valueBoolean' | 'valueInteger'>
>;

/** The value[x] forms the pathway does not read: a value is there, but not one the pathway can use. */
const OTHER_VALUE_FORMS = ['valueRange', 'valueRatio', 'valueSampledData', 'valueTime', 'valueDateTime', 'valuePeriod'];

/**
 * The value in whichever value[x] form it came. A value given in a form the pathway does not read, or malformed (a
 * valueQuantity without a number, a comparator such as 'ad'), is `unreadable`, never absent: an older result must not
 * stand in for a newer one that could not be read (docs/care-pathway.md definitions 5 and 6).
 */
export function readObservationValue(
  ctx: ReadContext,
  holder: ValueCarrier,
  path: string,
): ObservationValue | undefined {
  if (holder.valueQuantity !== undefined) {
    const quantity = readQuantity(ctx, holder.valueQuantity, path, 'valueQuantity');
    return quantity === undefined ? unreadable('valueQuantity') : { kind: 'quantity', quantity };
  }
  if (holder.valueCodeableConcept !== undefined) {
    const concept = readConcept(ctx, holder.valueCodeableConcept, path, 'valueCodeableConcept');
    return concept === undefined ? unreadable('valueCodeableConcept') : { kind: 'concept', concept };
  }
  if (holder.valueString !== undefined) {
    const text = readString(ctx, holder.valueString, path, 'valueString');
    return text === undefined ? unreadable('valueString') : { kind: 'string', text };
  }
  if (holder.valueBoolean !== undefined) {
    const value = readBoolean(ctx, holder.valueBoolean, path, 'valueBoolean');
    return value === undefined ? unreadable('valueBoolean') : { kind: 'boolean', value };
  }
  if (holder.valueInteger !== undefined) {
    const value = readNumber(ctx, holder.valueInteger, path, 'valueInteger');
    if (value !== undefined && !Number.isInteger(value)) {
      warn(ctx, `${path}valueInteger`, `${path}valueInteger is not an integer; ignored`);
      return unreadable('valueInteger');
    }
    return value === undefined ? unreadable('valueInteger') : { kind: 'integer', value };
  }
  const other = OTHER_VALUE_FORMS.find((form) => (holder as Record<string, unknown>)[form] !== undefined);
  return other === undefined ? undefined : unreadable(other);
}

const unreadable = (form: string): ObservationValue => ({ kind: 'unreadable', form });

function readReferenceRange(ctx: ReadContext, value: unknown, path: string): ReferenceRange | undefined {
  const rr = readObject<ObservationReferenceRange>(ctx, value, path);
  if (rr === undefined) return undefined;
  const low = readQuantity(ctx, rr.low, path, '.low');
  const high = readQuantity(ctx, rr.high, path, '.high');
  const text = readString(ctx, rr.text, path, '.text');
  if (low === undefined && high === undefined && text === undefined) return undefined;
  // Assigned in the fact's key order (low, high, ..., text): no temporary objects from conditional spreads.
  const range: Writable<ReferenceRange> = {};
  if (low !== undefined) range.low = low;
  if (high !== undefined) range.high = high;
  // Whom and what the range is for, read only when given (most results carry one plain range): a range for another
  // sex or age must not give this patient's upper limit of normal (docs/care-pathway.md definition 6).
  if (rr.type !== undefined) {
    const type = readConcept(ctx, rr.type, path, '.type');
    if (type !== undefined) range.type = type;
  }
  if (rr.appliesTo !== undefined) {
    const appliesTo = readConcepts(ctx, rr.appliesTo, `${path}.appliesTo`);
    if (appliesTo.length > 0) range.appliesTo = appliesTo;
  }
  if (rr.age !== undefined) {
    const age = readObject<Range>(ctx, rr.age, path, '.age');
    const ageLow = age === undefined ? undefined : readQuantity(ctx, age.low, path, '.age.low');
    const ageHigh = age === undefined ? undefined : readQuantity(ctx, age.high, path, '.age.high');
    if (ageLow !== undefined || ageHigh !== undefined) {
      const ages: { low?: Quantity; high?: Quantity } = {};
      if (ageLow !== undefined) ages.low = ageLow;
      if (ageHigh !== undefined) ages.high = ageHigh;
      range.age = ages;
    }
  }
  if (text !== undefined) range.text = text;
  return range;
}

function readReferenceRanges(ctx: ReadContext, value: unknown): readonly ReferenceRange[] {
  const list = readArray(ctx, value, 'referenceRange');
  if (list.length === 0) return NONE;
  if (list.length === 1) {
    // The usual single range: a literal path and a list of exactly one.
    const range = readReferenceRange(ctx, list[0], 'referenceRange[0]');
    return range === undefined ? NONE : [range];
  }
  const out: ReferenceRange[] = [];
  for (let i = 0; i < list.length; i++) {
    const range = readReferenceRange(ctx, list[i], `referenceRange[${i}]`);
    if (range !== undefined) out.push(range);
  }
  return out;
}

function readComponents(ctx: ReadContext, value: unknown): ComponentFact[] {
  const out: ComponentFact[] = [];
  const list = readArray(ctx, value, 'component');
  for (let i = 0; i < list.length; i++) {
    const path = `component[${i}]`;
    const c = readObject<ObservationComponent>(ctx, list[i], path);
    if (c === undefined) continue;
    const code = readConcept(ctx, c.code, path, '.code');
    if (code === undefined) {
      warn(ctx, `${path}.code`, `${path} has no code; ignored`);
      continue;
    }
    const componentValue = readObservationValue(ctx, c, `${path}.`);
    out.push(componentValue === undefined ? { code } : { code, value: componentValue });
  }
  return out;
}

function readMembers(
  ctx: ReadContext,
  value: unknown,
  resolve: (reference: string) => ResourceRef | undefined,
): ResourceRef[] {
  const members: ResourceRef[] = [];
  const hasMember = readArray(ctx, value, 'hasMember');
  for (let i = 0; i < hasMember.length; i++) {
    const { reference } = readReference(ctx, hasMember[i], `hasMember[${i}]`);
    if (reference !== undefined) members.push(resolve(reference) ?? reference);
  }
  return members;
}

/**
 * @param resolve maps a reference as written (urn:uuid:..., Observation/id, absolute URL) to the member's ref, so
 *   panel members point at the same refs as the observations themselves.
 */
export function readObservation(
  ctx: ReadContext,
  resource: Untrusted<Observation>,
  resolve: (reference: string) => ResourceRef | undefined,
): ObservationFact | undefined {
  const code = readConcept(ctx, resource.code, 'code');
  if (code === undefined) {
    warn(ctx, 'code', 'Observation has no code; ignored');
    return undefined;
  }
  let status = readString(ctx, resource.status, 'status');
  if (status === undefined) {
    warn(ctx, 'status', 'Observation has no status; read as unknown');
    status = 'unknown';
  }
  const effective =
    readDate(ctx, resource.effectiveDateTime, 'effectiveDateTime') ??
    readPeriod(ctx, resource.effectivePeriod, 'effectivePeriod')?.start ??
    readDate(ctx, resource.effectiveInstant, 'effectiveInstant') ??
    readDate(ctx, resource.issued, 'issued');
  const absent = readConcept(ctx, resource.dataAbsentReason, 'dataAbsentReason');
  const dataAbsentReason = absent?.codings.find((c) => c.code !== undefined)?.code ?? absent?.text;
  // A value that cannot be read beside a reason it is absent (a pending result's empty valueQuantity) is no value.
  const given = readObservationValue(ctx, resource, '');
  const value = given?.kind === 'unreadable' && dataAbsentReason !== undefined ? undefined : given;
  const members = resource.hasMember === undefined ? NONE : readMembers(ctx, resource.hasMember, resolve);
  const method = readConcept(ctx, resource.method, 'method');
  const interpretation =
    resource.interpretation === undefined ? NONE : readConcepts(ctx, resource.interpretation, 'interpretation');
  const referenceRange =
    resource.referenceRange === undefined ? NONE : readReferenceRanges(ctx, resource.referenceRange);
  const components = resource.component === undefined ? NONE : readComponents(ctx, resource.component);
  // The usual dated result as one literal (every field in the object, no separate property store); otherwise built
  // by assignment, not conditional spreads, in the same key order: this runs for every Observation of a large bundle.
  if (effective !== undefined && value !== undefined && dataAbsentReason === undefined && method === undefined) {
    return { ref: ctx.ref, code, status, interpretation, referenceRange, components, members, effective, value };
  }
  const fact: Writable<ObservationFact> = {
    ref: ctx.ref,
    code,
    status,
    interpretation,
    referenceRange,
    components,
    members,
  };
  if (effective !== undefined) fact.effective = effective;
  if (value !== undefined) fact.value = value;
  if (dataAbsentReason !== undefined) fact.dataAbsentReason = dataAbsentReason;
  if (method !== undefined) fact.method = method;
  return fact;
}
