/**
 * Test data: the example IBAN of every country in the SWIFT IBAN Registry, Release 100, exactly as
 * the registry prints it (electronic and print format), with the registry's bank and branch
 * identifier examples. These are public identifiers published in the standard.
 *
 * Three registry inconsistencies are corrected against the IBAN example itself, each marked: BA's
 * identifier examples belong to a different BBAN example than its IBAN example; SE's bank example
 * (123) is not the bank code of its IBAN example; PL's registry names 10901014 a branch while
 * defining only a bank identifier (positions 1–8). France's branch example is added (registry.ts says
 * why).
 */

export interface RegistryExample {
  readonly country: string;
  readonly electronic: string;
  readonly print: string;
  readonly bankCode: string;
  readonly branchCode?: string;
}

export const registryExamples: readonly RegistryExample[] = [
  { country: 'AD', electronic: 'AD1200012030200359100100', print: 'AD12 0001 2030 2003 5910 0100', bankCode: '0001', branchCode: '2030' },
  { country: 'AE', electronic: 'AE070331234567890123456', print: 'AE07 0331 2345 6789 0123 456', bankCode: '033' },
  { country: 'AL', electronic: 'AL47212110090000000235698741', print: 'AL47 2121 1009 0000 0002 3569 8741', bankCode: '212', branchCode: '11009' },
  { country: 'AT', electronic: 'AT611904300234573201', print: 'AT61 1904 3002 3457 3201', bankCode: '19043' },
  { country: 'AZ', electronic: 'AZ21NABZ00000000137010001944', print: 'AZ21 NABZ 0000 0000 1370 1000 1944', bankCode: 'NABZ' },
  { country: 'BA', electronic: 'BA391290079401028494', print: 'BA39 1290 0794 0102 8494', bankCode: '129', branchCode: '007' }, // registry: 199 and 044
  { country: 'BE', electronic: 'BE68539007547034', print: 'BE68 5390 0754 7034', bankCode: '539' },
  { country: 'BG', electronic: 'BG80BNBG96611020345678', print: 'BG80 BNBG 9661 1020 3456 78', bankCode: 'BNBG', branchCode: '9661' },
  { country: 'BH', electronic: 'BH67BMAG00001299123456', print: 'BH67 BMAG 0000 1299 1234 56', bankCode: 'BMAG' },
  { country: 'BI', electronic: 'BI4210000100010000332045181', print: 'BI42 10000 10001 00003320451 81', bankCode: '10000', branchCode: '10001' },
  { country: 'BR', electronic: 'BR1800360305000010009795493C1', print: 'BR18 0036 0305 0000 1000 9795 493C 1', bankCode: '00360305', branchCode: '00001' },
  { country: 'BY', electronic: 'BY13NBRB3600900000002Z00AB00', print: 'BY13 NBRB 3600 9000 0000 2Z00 AB00', bankCode: 'NBRB' },
  { country: 'CH', electronic: 'CH9300762011623852957', print: 'CH93 0076 2011 6238 5295 7', bankCode: '00762' },
  { country: 'CR', electronic: 'CR05015202001026284066', print: 'CR05 0152 0200 1026 2840 66', bankCode: '0152' },
  { country: 'CY', electronic: 'CY17002001280000001200527600', print: 'CY17 0020 0128 0000 0012 0052 7600', bankCode: '002', branchCode: '00128' },
  { country: 'CZ', electronic: 'CZ6508000000192000145399', print: 'CZ65 0800 0000 1920 0014 5399', bankCode: '0800' },
  { country: 'DE', electronic: 'DE89370400440532013000', print: 'DE89 3704 0044 0532 0130 00', bankCode: '37040044' },
  { country: 'DJ', electronic: 'DJ2100010000000154000100186', print: 'DJ21 0001 0000 0001 5400 0100 186', bankCode: '00010', branchCode: '00000' },
  { country: 'DK', electronic: 'DK5000400440116243', print: 'DK50 0040 0440 1162 43', bankCode: '0040' },
  { country: 'DO', electronic: 'DO28BAGR00000001212453611324', print: 'DO28 BAGR 0000 0001 2124 5361 1324', bankCode: 'BAGR' },
  { country: 'EE', electronic: 'EE382200221020145685', print: 'EE38 2200 2210 2014 5685', bankCode: '22' },
  { country: 'EG', electronic: 'EG380019000500000000263180002', print: 'EG38 0019 0005 0000 0000 2631 8000 2', bankCode: '0019', branchCode: '0005' },
  { country: 'ES', electronic: 'ES9121000418450200051332', print: 'ES91 2100 0418 4502 0005 1332', bankCode: '2100', branchCode: '0418' },
  { country: 'FI', electronic: 'FI2112345600000785', print: 'FI21 1234 5600 0007 85', bankCode: '123' },
  { country: 'FK', electronic: 'FK88SC123456789012', print: 'FK88 SC12 3456 7890 12', bankCode: 'SC' },
  { country: 'FO', electronic: 'FO6264600001631634', print: 'FO62 6460 0001 6316 34', bankCode: '6460' },
  { country: 'FR', electronic: 'FR1420041010050500013M02606', print: 'FR14 2004 1010 0505 0001 3M02 606', bankCode: '20041', branchCode: '01005' }, // registry: blank
  { country: 'GB', electronic: 'GB29NWBK60161331926819', print: 'GB29 NWBK 6016 1331 9268 19', bankCode: 'NWBK', branchCode: '601613' },
  { country: 'GE', electronic: 'GE29NB0000000101904917', print: 'GE29 NB00 0000 0101 9049 17', bankCode: 'NB' },
  { country: 'GI', electronic: 'GI75NWBK000000007099453', print: 'GI75 NWBK 0000 0000 7099 453', bankCode: 'NWBK' },
  { country: 'GL', electronic: 'GL8964710001000206', print: 'GL89 6471 0001 0002 06', bankCode: '6471' },
  { country: 'GR', electronic: 'GR1601101250000000012300695', print: 'GR16 0110 1250 0000 0001 2300 695', bankCode: '011', branchCode: '0125' },
  { country: 'GT', electronic: 'GT82TRAJ01020000001210029690', print: 'GT82 TRAJ 0102 0000 0012 1002 9690', bankCode: 'TRAJ' },
  { country: 'HN', electronic: 'HN88CABF00000000000250005469', print: 'HN88 CABF 0000 0000 0002 5000 5469', bankCode: 'CABF' },
  { country: 'HR', electronic: 'HR1210010051863000160', print: 'HR12 1001 0051 8630 0016 0', bankCode: '1001005' },
  { country: 'HU', electronic: 'HU42117730161111101800000000', print: 'HU42 1177 3016 1111 1018 0000 0000', bankCode: '117', branchCode: '7301' },
  { country: 'IE', electronic: 'IE29AIBK93115212345678', print: 'IE29 AIBK 9311 5212 3456 78', bankCode: 'AIBK', branchCode: '931152' },
  { country: 'IL', electronic: 'IL620108000000099999999', print: 'IL62 0108 0000 0009 9999 999', bankCode: '010', branchCode: '800' },
  { country: 'IQ', electronic: 'IQ98NBIQ850123456789012', print: 'IQ98 NBIQ 8501 2345 6789 012', bankCode: 'NBIQ', branchCode: '850' },
  { country: 'IS', electronic: 'IS140159260076545510730339', print: 'IS14 0159 2600 7654 5510 7303 39', bankCode: '01', branchCode: '59' },
  { country: 'IT', electronic: 'IT60X0542811101000000123456', print: 'IT60 X054 2811 1010 0000 0123 456', bankCode: '05428', branchCode: '11101' },
  { country: 'JO', electronic: 'JO94CBJO0010000000000131000302', print: 'JO94 CBJO 0010 0000 0000 0131 0003 02', bankCode: 'CBJO', branchCode: '0010' },
  { country: 'KW', electronic: 'KW81CBKU0000000000001234560101', print: 'KW81 CBKU 0000 0000 0000 1234 5601 01', bankCode: 'CBKU' },
  { country: 'KZ', electronic: 'KZ86125KZT5004100100', print: 'KZ86 125K ZT50 0410 0100', bankCode: '125' },
  { country: 'LB', electronic: 'LB62099900000001001901229114', print: 'LB62 0999 0000 0001 0019 0122 9114', bankCode: '0999' },
  { country: 'LC', electronic: 'LC55HEMM000100010012001200023015', print: 'LC55 HEMM 0001 0001 0012 0012 0002 3015', bankCode: 'HEMM' },
  { country: 'LI', electronic: 'LI21088100002324013AA', print: 'LI21 0881 0000 2324 013A A', bankCode: '08810' },
  { country: 'LT', electronic: 'LT121000011101001000', print: 'LT12 1000 0111 0100 1000', bankCode: '10000' },
  { country: 'LU', electronic: 'LU280019400644750000', print: 'LU28 0019 4006 4475 0000', bankCode: '001' },
  { country: 'LV', electronic: 'LV80BANK0000435195001', print: 'LV80 BANK 0000 4351 9500 1', bankCode: 'BANK' },
  { country: 'LY', electronic: 'LY83002048000020100120361', print: 'LY83 002 048 000020100120361', bankCode: '002', branchCode: '048' },
  { country: 'MC', electronic: 'MC5811222000010123456789030', print: 'MC58 1122 2000 0101 2345 6789 030', bankCode: '11222', branchCode: '00001' },
  { country: 'MD', electronic: 'MD24AG000225100013104168', print: 'MD24 AG00 0225 1000 1310 4168', bankCode: 'AG' },
  { country: 'ME', electronic: 'ME25505000012345678951', print: 'ME25 5050 0001 2345 6789 51', bankCode: '505' },
  { country: 'MK', electronic: 'MK07250120000058984', print: 'MK07 2501 2000 0058 984', bankCode: '250' },
  { country: 'MN', electronic: 'MN121234123456789123', print: 'MN12 1234 1234 5678 9123', bankCode: '1234' },
  { country: 'MR', electronic: 'MR1300020001010000123456753', print: 'MR13 0002 0001 0100 0012 3456 753', bankCode: '00020', branchCode: '00101' },
  { country: 'MT', electronic: 'MT84MALT011000012345MTLCAST001S', print: 'MT84 MALT 0110 0001 2345 MTLC AST0 01S', bankCode: 'MALT', branchCode: '01100' },
  { country: 'MU', electronic: 'MU17BOMM0101101030300200000MUR', print: 'MU17 BOMM 0101 1010 3030 0200 000M UR', bankCode: 'BOMM01', branchCode: '01' },
  { country: 'NI', electronic: 'NI45BAPR00000013000003558124', print: 'NI45 BAPR 0000 0013 0000 0355 8124', bankCode: 'BAPR' },
  { country: 'NL', electronic: 'NL91ABNA0417164300', print: 'NL91 ABNA 0417 1643 00', bankCode: 'ABNA' },
  { country: 'NO', electronic: 'NO9386011117947', print: 'NO93 8601 1117 947', bankCode: '8601' },
  { country: 'OM', electronic: 'OM810180000001299123456', print: 'OM81 0180 0000 0129 9123 456', bankCode: '018' },
  { country: 'PK', electronic: 'PK36SCBL0000001123456702', print: 'PK36 SCBL 0000 0011 2345 6702', bankCode: 'SCBL' },
  { country: 'PL', electronic: 'PL61109010140000071219812874', print: 'PL61 1090 1014 0000 0712 1981 2874', bankCode: '10901014' }, // registry: branch
  { country: 'PS', electronic: 'PS92PALS000000000400123456702', print: 'PS92 PALS 0000 0000 0400 1234 5670 2', bankCode: 'PALS' },
  { country: 'PT', electronic: 'PT50000201231234567890154', print: 'PT50 0002 0123 1234 5678 9015 4', bankCode: '0002', branchCode: '0123' },
  { country: 'QA', electronic: 'QA58DOHB00001234567890ABCDEFG', print: 'QA58 DOHB 0000 1234 5678 90AB CDEF G', bankCode: 'DOHB' },
  { country: 'RO', electronic: 'RO49AAAA1B31007593840000', print: 'RO49 AAAA 1B31 0075 9384 0000', bankCode: 'AAAA' },
  { country: 'RS', electronic: 'RS35260005601001611379', print: 'RS35 2600 0560 1001 6113 79', bankCode: '260' },
  { country: 'RU', electronic: 'RU0304452522540817810538091310419', print: 'RU03 0445 2522 5408 1781 0538 0913 1041 9', bankCode: '044525225', branchCode: '40817' },
  { country: 'SA', electronic: 'SA0380000000608010167519', print: 'SA03 8000 0000 6080 1016 7519', bankCode: '80' },
  { country: 'SC', electronic: 'SC18SSCB11010000000000001497USD', print: 'SC18 SSCB 1101 0000 0000 0000 1497 USD', bankCode: 'SSCB11', branchCode: '01' },
  { country: 'SD', electronic: 'SD2129010501234001', print: 'SD21 2901 0501 2340 01', bankCode: '29' },
  { country: 'SE', electronic: 'SE4550000000058398257466', print: 'SE45 5000 0000 0583 9825 7466', bankCode: '500' }, // registry: 123
  { country: 'SI', electronic: 'SI56263300012039086', print: 'SI56 2633 0001 2039 086', bankCode: '26330' },
  { country: 'SK', electronic: 'SK3112000000198742637541', print: 'SK31 1200 0000 1987 4263 7541', bankCode: '1200' },
  { country: 'SM', electronic: 'SM86U0322509800000000270100', print: 'SM86 U032 2509 8000 0000 0270 100', bankCode: '03225', branchCode: '09800' },
  { country: 'SO', electronic: 'SO211000001001000100141', print: 'SO21 1000 0010 0100 0100 141', bankCode: '1000', branchCode: '001' },
  { country: 'ST', electronic: 'ST23000100010051845310146', print: 'ST23 0001 0001 0051 8453 1014 6', bankCode: '0001', branchCode: '0001' },
  { country: 'SV', electronic: 'SV62CENR00000000000000700025', print: 'SV 62 CENR 00000000000000700025', bankCode: 'CENR' },
  { country: 'TL', electronic: 'TL380080012345678910157', print: 'TL38 0080 0123 4567 8910 157', bankCode: '008' },
  { country: 'TN', electronic: 'TN5910006035183598478831', print: 'TN59 1000 6035 1835 9847 8831', bankCode: '10', branchCode: '006' },
  { country: 'TR', electronic: 'TR330006100519786457841326', print: 'TR33 0006 1005 1978 6457 8413 26', bankCode: '00061' },
  { country: 'UA', electronic: 'UA213223130000026007233566001', print: 'UA21 3223 1300 0002 6007 2335 6600 1', bankCode: '322313' },
  { country: 'VA', electronic: 'VA59001123000012345678', print: 'VA59 001 1230 0001 2345 678', bankCode: '001' },
  { country: 'VG', electronic: 'VG96VPVG0000012345678901', print: 'VG96 VPVG 0000 0123 4567 8901', bankCode: 'VPVG' },
  { country: 'XK', electronic: 'XK051212012345678906', print: 'XK05 1212 0123 4567 8906', bankCode: '12', branchCode: '12' },
  { country: 'YE', electronic: 'YE15CBYE0001018861234567891234', print: 'YE15 CBYE 0001 0188 6123 4567 8912 34', bankCode: 'CBYE', branchCode: '0001' },
];
