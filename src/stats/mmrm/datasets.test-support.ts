/**
 * Loads the reference datasets under reference/stats-reference/data and builds the exact models of the R scripts
 * in reference/stats-reference/scripts (same factor levels, same formula terms, same column names).
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { referencePath } from '../golden.test-support.ts';
import { buildDesign, type DesignColumn, type DesignSpec, type DesignVariable } from './design.ts';
import type { MmrmInput } from './data.ts';

type Row = Record<string, string>;

export function readDataset(file: string): Row[] {
  return parse(readFileSync(referencePath(`stats-reference/data/${file}`), 'utf8'), { columns: true }) as Row[];
}

export interface ReferenceModel {
  readonly input: MmrmInput;
  readonly spec: DesignSpec;
  readonly columns: DesignColumn[];
  readonly aliased: string[];
}

const factor = (values: string[], levels: string[]): DesignVariable => ({ kind: 'factor', values, levels });
const numeric = (values: number[]): DesignVariable => ({ kind: 'numeric', values });

function model(
  rows: Row[],
  subject: (r: Row) => string,
  visit: (r: Row) => string,
  visitLevels: string[],
  y: (r: Row) => number,
  spec: (observed: Row[]) => DesignSpec,
): ReferenceModel {
  const observed = rows.filter((r) => Number.isFinite(y(r)));
  const design = spec(observed);
  const built = buildDesign(design);
  if (!built.ok) throw new Error(JSON.stringify(built.issues));
  return {
    input: {
      subject: observed.map(subject),
      visitIndex: observed.map((r) => visitLevels.indexOf(visit(r))),
      y: observed.map(y),
      X: built.value.X,
      columnNames: built.value.columnNames,
      visitCount: visitLevels.length,
    },
    spec: design,
    columns: built.value.columns,
    aliased: built.value.aliased,
  };
}

const num = (value: string | undefined) => (value === undefined || value === '' ? Number.NaN : Number(value));

/** 02_antidepressant.R: chg ~ baseline * visit_f + arm * visit_f + us(visit_f | subject). */
export function antidepressantModel(): ReferenceModel {
  const visits = ['4', '5', '6', '7'];
  return model(
    readDataset('antidepressant_hamd17.csv'),
    (r) => r.PATIENT!,
    (r) => r.VISIT!,
    visits,
    (r) => num(r.CHANGE),
    (rows) => ({
      variables: {
        baseline: numeric(rows.map((r) => num(r.BASVAL))),
        visit_f: factor(
          rows.map((r) => r.VISIT!),
          visits,
        ),
        arm: factor(
          rows.map((r) => r.THERAPY!),
          ['PLACEBO', 'DRUG'],
        ),
      },
      terms: [['baseline'], ['visit_f'], ['arm'], ['baseline', 'visit_f'], ['visit_f', 'arm']],
    }),
  );
}

/** 03_fev_orthodont.R (a): FEV1 ~ RACE + SEX + ARMCD * AVISIT + us(AVISIT | USUBJID). */
export function fevModel(): ReferenceModel {
  const visits = ['VIS1', 'VIS2', 'VIS3', 'VIS4'];
  return model(
    readDataset('fev_data.csv'),
    (r) => r.USUBJID!,
    (r) => r.AVISIT!,
    visits,
    (r) => num(r.FEV1),
    (rows) => ({
      variables: {
        RACE: factor(
          rows.map((r) => r.RACE!),
          ['Asian', 'Black or African American', 'White'],
        ),
        SEX: factor(
          rows.map((r) => r.SEX!),
          ['Male', 'Female'],
        ),
        arm: factor(
          rows.map((r) => r.ARMCD!),
          ['PBO', 'TRT'],
        ),
        visit_f: factor(
          rows.map((r) => r.AVISIT!),
          visits,
        ),
      },
      terms: [['RACE'], ['SEX'], ['arm'], ['visit_f'], ['arm', 'visit_f']],
    }),
  );
}

/** 03_fev_orthodont.R simple_kr_linear: FEV1 ~ ARMCD + us(AVISIT | USUBJID). */
export function fevSimpleModel(): ReferenceModel {
  const visits = ['VIS1', 'VIS2', 'VIS3', 'VIS4'];
  return model(
    readDataset('fev_data.csv'),
    (r) => r.USUBJID!,
    (r) => r.AVISIT!,
    visits,
    (r) => num(r.FEV1),
    (rows) => ({
      variables: {
        ARMCD: factor(
          rows.map((r) => r.ARMCD!),
          ['PBO', 'TRT'],
        ),
      },
      terms: [['ARMCD']],
    }),
  );
}

/** 03_fev_orthodont.R (b): distance ~ sex * age + us(age_f | subject). */
export function orthodontModel(): ReferenceModel {
  const ages = ['8', '10', '12', '14'];
  return model(
    readDataset('orthodont.csv'),
    (r) => r.subject!,
    (r) => r.age!,
    ages,
    (r) => num(r.distance),
    (rows) => ({
      variables: {
        sex: factor(
          rows.map((r) => r.sex!),
          ['Male', 'Female'],
        ),
        age: numeric(rows.map((r) => num(r.age))),
      },
      terms: [['sex'], ['age'], ['sex', 'age']],
    }),
  );
}

/** 04_btheb.R: chg ~ baseline * visit_f + arm * visit_f + drug + length + us(visit_f | subject), chg = bdi. */
export function bthebModel(): ReferenceModel {
  const visits = ['2', '3', '5', '8'];
  return model(
    readDataset('btheb_long.csv'),
    (r) => r.subject!,
    (r) => r.time!,
    visits,
    (r) => num(r.bdi),
    (rows) => ({
      variables: {
        baseline: numeric(rows.map((r) => num(r['bdi.pre']))),
        visit_f: factor(
          rows.map((r) => r.time!),
          visits,
        ),
        arm: factor(
          rows.map((r) => r.treatment!),
          ['TAU', 'BtheB'],
        ),
        drug: factor(
          rows.map((r) => r.drug!),
          ['No', 'Yes'],
        ),
        length: factor(
          rows.map((r) => r.length!),
          ['<6m', '>6m'],
        ),
      },
      terms: [['baseline'], ['visit_f'], ['arm'], ['drug'], ['length'], ['baseline', 'visit_f'], ['visit_f', 'arm']],
    }),
  );
}
