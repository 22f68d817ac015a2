/**
 * The short code of a protocol criterion (SDTM IETESTCD), derived once: the SDTM export writes it in IE and TI and
 * decodes it in define.xml (src/trial/exports/), and the protocol loader (parse.ts) refuses a protocol two of whose
 * criteria would get one code, so that a protocol file that loads can be exported. Pure.
 */
import type { Criterion } from './schema.ts';

/**
 * IETESTCD of a protocol criterion, from its id alone (so stable: adding or reordering criteria changes no code), at
 * most 8 characters, letters and digits: IN or EX (its kind), then the id's words after the protocol id and the
 * in/ex word, whole when they fit in 6 characters (`insight-in-hscrp` INHSCRP, `-ex-crp-20` EXCRP20), otherwise each
 * word's first letter and consonants, the 6 characters shared among the words in turn (`insight-ex-recent-infection`
 * EXRCNINF). Two criteria of one protocol with one code are refused when the protocol loads (parseProtocols).
 */
export function ieTestCode(protocolId: string, c: Pick<Criterion, 'id' | 'kind'>): string {
  const rest = c.id.startsWith(`${protocolId}-`) ? c.id.slice(protocolId.length + 1) : c.id;
  const words = rest.toUpperCase().split(/[^A-Z0-9]+/);
  if (words[0] === (c.kind === 'inclusion' ? 'IN' : 'EX')) words.shift();
  const prefix = c.kind === 'inclusion' ? 'IN' : 'EX';
  const whole = words.join('');
  if (whole.length <= 6) return `${prefix}${whole}`;
  const skeletons = words
    .map((w) => (/^\d+$/.test(w) ? w : `${w.slice(0, 1)}${w.slice(1).replace(/[AEIOU]/g, '')}`))
    .filter((w) => w.length > 0);
  const take = skeletons.map(() => 0);
  for (let budget = 6; budget > 0 && skeletons.some((w, i) => w.length > take[i]!);) {
    skeletons.forEach((w, i) => {
      if (budget > 0 && w.length > take[i]!) {
        take[i]!++;
        budget--;
      }
    });
  }
  return `${prefix}${skeletons.map((w, i) => w.slice(0, take[i])).join('')}`;
}
