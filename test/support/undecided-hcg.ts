/**
 * A quantitative serum hCG with no interpretation for the demo referral's patient (examples/demo/refer-to-trial.json):
 * neither positive nor negative, so the engine does not use it and names it (issue pathway.pregnancy-test.undecided).
 * The tests that check every surface shows such a data issue add it to that bundle.
 */
export const UNDECIDED_HCG = {
  resourceType: 'Observation',
  id: 'hcg-quantitative',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '2106-3' }] },
  subject: { reference: 'Patient/demo-refer-patient' },
  effectiveDateTime: '2026-11-20',
  valueQuantity: { value: 5000, unit: 'm[IU]/mL', system: 'http://unitsofmeasure.org', code: 'm[IU]/mL' },
};
