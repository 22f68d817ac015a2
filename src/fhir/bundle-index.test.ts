import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { BundleIndex, isFhirId } from './bundle-index.ts';

// The R4 id datatype's own definition, which the character loop must agree with for every string.
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

test('isFhirId agrees with the R4 id pattern', () => {
  for (const id of ['a', 'A-1.b', 'x'.repeat(64), 'x'.repeat(65), '', 'a/b', 'a b', 'é', 'a\n', '_']) {
    assert.equal(isFhirId(id), FHIR_ID.test(id), JSON.stringify(id));
  }
  const idChars = fc.constantFrom(...'aZ09-._/ \n~é'.split(''));
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.array(idChars, { maxLength: 70 }).map((cs) => cs.join('')),
      ),
      (id) => {
        assert.equal(isFhirId(id), FHIR_ID.test(id));
      },
    ),
    { seed: 6, numRuns: 2000 },
  );
});

test('a small bundle resolved by a scan finds what the maps of a large one find', () => {
  const types = ['Patient', 'Medication', 'Observation', 'bad type'];
  const entry = fc.oneof(
    fc.record(
      {
        fullUrl: fc.constantFrom('urn:uuid:1', 'urn:uuid:2', 'http://x.org/fhir/Medication/m1', ''),
        resource: fc.record(
          { resourceType: fc.constantFrom(...types), id: fc.constantFrom('m1', 'm2', 'p1', 'x.1') },
          { requiredKeys: ['resourceType'] },
        ),
      },
      { requiredKeys: ['resource'] },
    ),
    fc.constantFrom(null, 'text', { resource: 'not an object' }),
  );
  const reference = fc.constantFrom(
    'urn:uuid:1',
    'urn:uuid:2',
    'Medication/m1',
    'Medication/m2',
    'Patient/p1',
    'Observation/x.1',
    'http://x.org/fhir/Medication/m1',
    'http://other.org/Medication/m2/_history/3',
    'Medication/',
    '',
  );
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 20 }), fc.array(reference, { maxLength: 10 }), (entries, refs) => {
      const small = new BundleIndex(entries);
      // Padded past the scan limit with entries that hold no resource: the same resources, found through the maps.
      const large = new BundleIndex([...Array.from({ length: 70 }, () => null), ...entries]);
      for (const r of refs) assert.equal(small.resolve(r)?.resource, large.resolve(r)?.resource, r);
    }),
    { seed: 7, numRuns: 1000 },
  );
});
