/**
 * A UCUM code as clinicians write it in prose: "10*9/L" -> "x10^9/L" (UCUM's power-of-ten notation is for machines;
 * a lab report reads "x10^9/L"). Other codes (U/L, mg/L) read as they are. Hand-written: ucum-lhc's print symbols
 * are HTML markup, not text for a message.
 */
export function unitForReading(ucum: string): string {
  return ucum.startsWith('10*') ? ucum.replace(/^10\*(\d+)/, 'x10^$1') : ucum;
}
