export * from './schema.ts';
export { assessLab, gradeLab } from './grade.ts';
export type { LabAssessment, LabReading } from './grade.ts';
