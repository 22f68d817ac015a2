/**
 * The short code and the name of a protocol criterion (SDTM IETESTCD and IETEST), derived once: the SDTM export writes
 * them in IE and TI and decodes the code in define.xml (src/trial/exports/), and the protocol loader (parse.ts)
 * refuses a protocol two of whose criteria would get one code or one name, so that a protocol file that loads can be
 * exported. Pure.
 */
import type { Criterion } from './schema.ts';

/**
 * Text within `max` characters: cut at the last word that fits (never within the first `keep` characters, a test
 * name's code), without a dangling comma or bracket.
 */
export function cutAtWord(text: string, max: number, keep = 0): string {
  if (text.length <= max) return text;
  const fits = text.slice(0, max + 1);
  const space = fits.lastIndexOf(' ');
  return (space > keep ? fits.slice(0, space) : fits.slice(0, max)).replace(/[\s,;:(-]+$/, '');
}

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

/** SDTMIG: IETEST is at most 200 characters (the full wording is the protocol's). */
export const SDTM_IETEST_MAX = 200;

/**
 * IETEST of a protocol criterion: the registry's wording, within SDTMIG's 200 characters (cut at the last word that
 * fits), or the project's statement of the criterion when the registry record does not state it (`registryText`
 * null) or states it in one line with other criteria (the registry's "bipolar disorder, psychotic disorder,
 * personality disorder or eating disorder", four criteria of the protocol file): one IETEST names one criterion, as
 * one IETESTCD does. Two criteria of one name are refused when the protocol loads (parseProtocols), naming both.
 */
export const ieTestName = (
  criteria: readonly Pick<Criterion, 'id' | 'registryText'>[],
  c: Pick<Criterion, 'id' | 'text' | 'registryText'>,
): string => cutAtWord(ieWording(criteria, c), SDTM_IETEST_MAX);

/**
 * A criterion's full wording, which IETEST cuts to 200 characters: the registry's when it is the criterion's alone,
 * otherwise the protocol file's statement. SDTMIG puts a longer wording in the study metadata: define.xml decodes each
 * IETESTCD with it (codelist IETESTCD).
 */
export function ieWording(
  criteria: readonly Pick<Criterion, 'id' | 'registryText'>[],
  c: Pick<Criterion, 'id' | 'text' | 'registryText'>,
): string {
  const shared = criteria.some((o) => o.id !== c.id && o.registryText !== null && o.registryText === c.registryText);
  return c.registryText === null || shared ? c.text : c.registryText;
}
