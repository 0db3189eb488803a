/**
 * The SWIFT IBAN Registry (ISO 13616), Release 100 (2025): every country in it, as data in the
 * registry's own notation. Lengths, BBAN structures and identifier positions are copied from the
 * registry; nothing here is derived from another library. Positions are 1-based and inclusive within
 * the BBAN, as the registry writes them.
 *
 * Territories that use another country's code are not entries of their own, as in the registry:
 * Åland (AX) uses FI; GF, GP, MQ, RE, PF, TF, YT, NC, BL, MF, PM and WF use FR; IM, JE and GG use GB.
 *
 * One deliberate difference: the registry leaves France's branch identifier blank although Monaco's
 * identical RIB structure names it (positions 6–10, the code guichet); France gets it too so that a
 * French IBAN's account number is not read as guichet + compte.
 */

import { compileBbanStructure, type CompiledBbanStructure } from './bban-format';

export interface IbanCountryEntry {
  /** ISO 3166-1 alpha-2, the IBAN prefix. */
  readonly country: string;
  readonly name: string;
  /** Total IBAN length in electronic form. */
  readonly length: number;
  /** BBAN structure in registry notation. */
  readonly bban: string;
  /** Bank identifier position within the BBAN, 1-based inclusive. */
  readonly bank: readonly [number, number] | null;
  /** Branch identifier position within the BBAN, when the registry defines one. */
  readonly branch?: readonly [number, number];
  /** A SEPA country per the registry. */
  readonly sepa?: true;
}

export interface IbanCountry extends IbanCountryEntry {
  readonly structure: CompiledBbanStructure;
}

/** The registry release encoded below. */
export const ibanRegistryRelease = 100;

const entries: readonly IbanCountryEntry[] = [
  { country: 'AD', name: 'Andorra', length: 24, bban: '4!n4!n12!c', bank: [1, 4], branch: [5, 8], sepa: true },
  { country: 'AE', name: 'United Arab Emirates (The)', length: 23, bban: '3!n16!n', bank: [1, 3] },
  { country: 'AL', name: 'Albania', length: 28, bban: '8!n16!c', bank: [1, 3], branch: [4, 8] },
  { country: 'AT', name: 'Austria', length: 20, bban: '5!n11!n', bank: [1, 5], sepa: true },
  { country: 'AZ', name: 'Azerbaijan', length: 28, bban: '4!a20!c', bank: [1, 4] },
  { country: 'BA', name: 'Bosnia and Herzegovina', length: 20, bban: '3!n3!n8!n2!n', bank: [1, 3], branch: [4, 6] },
  { country: 'BE', name: 'Belgium', length: 16, bban: '3!n7!n2!n', bank: [1, 3], sepa: true },
  { country: 'BG', name: 'Bulgaria', length: 22, bban: '4!a4!n2!n8!c', bank: [1, 4], branch: [5, 8], sepa: true },
  { country: 'BH', name: 'Bahrain', length: 22, bban: '4!a14!c', bank: [1, 4] },
  { country: 'BI', name: 'Burundi', length: 27, bban: '5!n5!n11!n2!n', bank: [1, 5], branch: [6, 10] },
  { country: 'BR', name: 'Brazil', length: 29, bban: '8!n5!n10!n1!a1!c', bank: [1, 8], branch: [9, 13] },
  { country: 'BY', name: 'Belarus', length: 28, bban: '4!c4!n16!c', bank: [1, 4] },
  { country: 'CH', name: 'Switzerland', length: 21, bban: '5!n12!c', bank: [1, 5], sepa: true },
  { country: 'CR', name: 'Costa Rica', length: 22, bban: '4!n14!n', bank: [1, 4] },
  { country: 'CY', name: 'Cyprus', length: 28, bban: '3!n5!n16!c', bank: [1, 3], branch: [4, 8], sepa: true },
  { country: 'CZ', name: 'Czechia', length: 24, bban: '4!n16!n', bank: [1, 4], sepa: true },
  { country: 'DE', name: 'Germany', length: 22, bban: '8!n10!n', bank: [1, 8], sepa: true },
  { country: 'DJ', name: 'Djibouti', length: 27, bban: '5!n5!n11!n2!n', bank: [1, 5], branch: [6, 10] },
  { country: 'DK', name: 'Denmark', length: 18, bban: '4!n9!n1!n', bank: [1, 4], sepa: true },
  { country: 'DO', name: 'Dominican Republic', length: 28, bban: '4!c20!n', bank: [1, 4] },
  { country: 'EE', name: 'Estonia', length: 20, bban: '2!n14!n', bank: [1, 2], sepa: true },
  { country: 'EG', name: 'Egypt', length: 29, bban: '4!n4!n17!n', bank: [1, 4], branch: [5, 8] },
  { country: 'ES', name: 'Spain', length: 24, bban: '4!n4!n1!n1!n10!n', bank: [1, 4], branch: [5, 8], sepa: true },
  { country: 'FI', name: 'Finland', length: 18, bban: '3!n11!n', bank: [1, 3], sepa: true },
  { country: 'FK', name: 'Falkland Islands (Malvinas)', length: 18, bban: '2!a12!n', bank: [1, 2] },
  { country: 'FO', name: 'Faroe Islands', length: 18, bban: '4!n9!n1!n', bank: [1, 4] },
  { country: 'FR', name: 'France', length: 27, bban: '5!n5!n11!c2!n', bank: [1, 5], branch: [6, 10], sepa: true },
  { country: 'GB', name: 'United Kingdom', length: 22, bban: '4!a6!n8!n', bank: [1, 4], branch: [5, 10], sepa: true },
  { country: 'GE', name: 'Georgia', length: 22, bban: '2!a16!n', bank: [1, 2] },
  { country: 'GI', name: 'Gibraltar', length: 23, bban: '4!a15!c', bank: [1, 4], sepa: true },
  { country: 'GL', name: 'Greenland', length: 18, bban: '4!n9!n1!n', bank: [1, 4] },
  { country: 'GR', name: 'Greece', length: 27, bban: '3!n4!n16!c', bank: [1, 3], branch: [4, 7], sepa: true },
  { country: 'GT', name: 'Guatemala', length: 28, bban: '4!c20!c', bank: [1, 4] },
  { country: 'HN', name: 'Honduras', length: 28, bban: '4!a20!n', bank: [1, 4] },
  { country: 'HR', name: 'Croatia', length: 21, bban: '7!n10!n', bank: [1, 7], sepa: true },
  { country: 'HU', name: 'Hungary', length: 28, bban: '3!n4!n1!n15!n1!n', bank: [1, 3], branch: [4, 7], sepa: true },
  { country: 'IE', name: 'Ireland', length: 22, bban: '4!a6!n8!n', bank: [1, 4], branch: [5, 10], sepa: true },
  { country: 'IL', name: 'Israel', length: 23, bban: '3!n3!n13!n', bank: [1, 3], branch: [4, 6] },
  { country: 'IQ', name: 'Iraq', length: 23, bban: '4!a3!n12!n', bank: [1, 4], branch: [5, 7] },
  { country: 'IS', name: 'Iceland', length: 26, bban: '4!n2!n6!n10!n', bank: [1, 2], branch: [3, 4], sepa: true },
  { country: 'IT', name: 'Italy', length: 27, bban: '1!a5!n5!n12!c', bank: [2, 6], branch: [7, 11], sepa: true },
  { country: 'JO', name: 'Jordan', length: 30, bban: '4!a4!n18!c', bank: [1, 4], branch: [5, 8] },
  { country: 'KW', name: 'Kuwait', length: 30, bban: '4!a22!c', bank: [1, 4] },
  { country: 'KZ', name: 'Kazakhstan', length: 20, bban: '3!n13!c', bank: [1, 3] },
  { country: 'LB', name: 'Lebanon', length: 28, bban: '4!n20!c', bank: [1, 4] },
  { country: 'LC', name: 'Saint Lucia', length: 32, bban: '4!a24!c', bank: [1, 4] },
  { country: 'LI', name: 'Liechtenstein', length: 21, bban: '5!n12!c', bank: [1, 5], sepa: true },
  { country: 'LT', name: 'Lithuania', length: 20, bban: '5!n11!n', bank: [1, 5], sepa: true },
  { country: 'LU', name: 'Luxembourg', length: 20, bban: '3!n13!c', bank: [1, 3], sepa: true },
  { country: 'LV', name: 'Latvia', length: 21, bban: '4!a13!c', bank: [1, 4], sepa: true },
  { country: 'LY', name: 'Libya', length: 25, bban: '3!n3!n15!n', bank: [1, 3], branch: [4, 6] },
  { country: 'MC', name: 'Monaco', length: 27, bban: '5!n5!n11!c2!n', bank: [1, 5], branch: [6, 10], sepa: true },
  { country: 'MD', name: 'Moldova, Republic of', length: 24, bban: '2!c18!c', bank: [1, 2] },
  { country: 'ME', name: 'Montenegro', length: 22, bban: '3!n13!n2!n', bank: [1, 3] },
  { country: 'MK', name: 'North Macedonia', length: 19, bban: '3!n10!c2!n', bank: [1, 3] },
  { country: 'MN', name: 'Mongolia', length: 20, bban: '4!n12!n', bank: [1, 4] },
  { country: 'MR', name: 'Mauritania', length: 27, bban: '5!n5!n11!n2!n', bank: [1, 5], branch: [6, 10] },
  { country: 'MT', name: 'Malta', length: 31, bban: '4!a5!n18!c', bank: [1, 4], branch: [5, 9], sepa: true },
  { country: 'MU', name: 'Mauritius', length: 30, bban: '4!a2!n2!n12!n3!n3!a', bank: [1, 6], branch: [7, 8] },
  { country: 'NI', name: 'Nicaragua', length: 28, bban: '4!a20!n', bank: [1, 4] },
  { country: 'NL', name: 'Netherlands (The)', length: 18, bban: '4!a10!n', bank: [1, 4], sepa: true },
  { country: 'NO', name: 'Norway', length: 15, bban: '4!n6!n1!n', bank: [1, 4], sepa: true },
  { country: 'OM', name: 'Oman', length: 23, bban: '3!n16!c', bank: [1, 3] },
  { country: 'PK', name: 'Pakistan', length: 24, bban: '4!a16!c', bank: [1, 4] },
  { country: 'PL', name: 'Poland', length: 28, bban: '8!n16!n', bank: [1, 8], sepa: true },
  { country: 'PS', name: 'Palestine, State of', length: 29, bban: '4!a21!c', bank: [1, 4] },
  { country: 'PT', name: 'Portugal', length: 25, bban: '4!n4!n11!n2!n', bank: [1, 4], branch: [5, 8], sepa: true },
  { country: 'QA', name: 'Qatar', length: 29, bban: '4!a21!c', bank: [1, 4] },
  { country: 'RO', name: 'Romania', length: 24, bban: '4!a16!c', bank: [1, 4], sepa: true },
  { country: 'RS', name: 'Serbia', length: 22, bban: '3!n13!n2!n', bank: [1, 3] },
  { country: 'RU', name: 'Russian Federation', length: 33, bban: '9!n5!n15!c', bank: [1, 9], branch: [10, 14] },
  { country: 'SA', name: 'Saudi Arabia', length: 24, bban: '2!n18!c', bank: [1, 2] },
  { country: 'SC', name: 'Seychelles', length: 31, bban: '4!a2!n2!n16!n3!a', bank: [1, 6], branch: [7, 8] },
  { country: 'SD', name: 'Sudan', length: 18, bban: '2!n12!n', bank: [1, 2] },
  { country: 'SE', name: 'Sweden', length: 24, bban: '3!n16!n1!n', bank: [1, 3], sepa: true },
  { country: 'SI', name: 'Slovenia', length: 19, bban: '5!n8!n2!n', bank: [1, 5], sepa: true },
  { country: 'SK', name: 'Slovakia', length: 24, bban: '4!n6!n10!n', bank: [1, 4], sepa: true },
  { country: 'SM', name: 'San Marino', length: 27, bban: '1!a5!n5!n12!c', bank: [2, 6], branch: [7, 11], sepa: true },
  { country: 'SO', name: 'Somalia', length: 23, bban: '4!n3!n12!n', bank: [1, 4], branch: [5, 7] },
  { country: 'ST', name: 'Sao Tome and Principe', length: 25, bban: '4!n4!n11!n2!n', bank: [1, 4], branch: [5, 8] },
  { country: 'SV', name: 'El Salvador', length: 28, bban: '4!a20!n', bank: [1, 4] },
  { country: 'TL', name: 'Timor-Leste', length: 23, bban: '3!n14!n2!n', bank: [1, 3] },
  { country: 'TN', name: 'Tunisia', length: 24, bban: '2!n3!n13!n2!n', bank: [1, 2], branch: [3, 5] },
  { country: 'TR', name: 'Turkiye', length: 26, bban: '5!n1!n16!c', bank: [1, 5] },
  { country: 'UA', name: 'Ukraine', length: 29, bban: '6!n19!c', bank: [1, 6] },
  { country: 'VA', name: 'Holy See', length: 22, bban: '3!n15!n', bank: [1, 3], sepa: true },
  { country: 'VG', name: 'Virgin Islands (British)', length: 24, bban: '4!a16!n', bank: [1, 4] },
  { country: 'XK', name: 'Kosovo', length: 20, bban: '4!n10!n2!n', bank: [1, 2], branch: [3, 4] },
  { country: 'YE', name: 'Yemen', length: 30, bban: '4!a4!n18!c', bank: [1, 4], branch: [5, 8] },
];

function compileEntry(entry: IbanCountryEntry): IbanCountry {
  const structure = compileBbanStructure(entry.bban);
  // The registry states both lengths; a mismatch would be a typo in this table.
  if (structure.length + 4 !== entry.length) {
    throw new Error(`IBAN registry ${entry.country}: BBAN ${entry.bban} does not make length ${entry.length}`);
  }
  for (const range of [entry.bank, entry.branch]) {
    if (range && (range[0] < 1 || range[1] < range[0] || range[1] > structure.length)) {
      throw new Error(`IBAN registry ${entry.country}: identifier ${range.join('-')} is outside the BBAN`);
    }
  }
  return { ...entry, structure };
}

const byCountry: ReadonlyMap<string, IbanCountry> = new Map(
  entries.map((entry) => [entry.country, compileEntry(entry)]),
);

/** Every registry country, compiled, in registry order. */
export const ibanCountries: readonly IbanCountry[] = [...byCountry.values()];

export function ibanCountry(code: string): IbanCountry | undefined {
  return byCountry.get(code);
}
