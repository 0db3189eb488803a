/**
 * Validates MX envelopes (AppHdr + Document, see iso20022/message.ts) against the official ISO
 * 20022 schemas with libxml2 (npm xmllint-wasm, WebAssembly, in a worker thread). The schemas
 * are read where they lie, never copied, once per path. One small envelope schema made here
 * imports head.001.001.02 and the document's schema and declares Envelope as AppHdr then
 * Document (element references), so one libxml2 run checks both parts strictly; a batch of
 * envelopes of one type goes through one run, since each run costs 50–85 ms to start.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryPages, validateXML } from 'xmllint-wasm';
import { documentNamespace, envelopeNames, envelopeNamespace, headerNamespace, headerType, type MxType } from '../iso20022/message';

/** The largest of the schemas is camt.053 at about 100 KB: a file far larger is not one of them. */
export const iso20022SchemaBytesMax = 1024 * 1024;
/**
 * Envelopes validated by one libxml2 run; a longer list goes through several runs. Measured:
 * xmllint-wasm 5.3.0 crashes the process ("memory access out of bounds", not a rejection) at
 * about 2,000 files in one run (its argument list), so we stay at half that.
 */
export const envelopesPerValidationMax = 1_000;
/** Envelopes in one call of the batch form (each run of `envelopesPerValidationMax`). */
export const envelopesPerBatchMax = 100_000;
/** Characters of the envelopes of one run (libxml2 holds them all in WebAssembly memory). */
export const validationCharsMax = 64 * 1024 * 1024;
/** libxml2's WebAssembly memory grows to at most this. */
const validationMemoryPagesMax = memoryPages.GiB;

export interface SchemaValidation {
  /** libxml2's verdict: it printed "<file> validates". */
  readonly valid: boolean;
  /** libxml2's messages for this envelope (AppHdr and Document alike; each names the element's namespace). */
  readonly errors: string[];
}

export interface SchemaOptions {
  /** Folder holding head.001.001.02.xsd and the documents' schemas; `defaultIso20022SchemaDir()` when absent. */
  readonly schemaDir?: string;
}

// The schema files are ISO's and never change while we run: each is read once per path.
const schemaTexts = new Map<string, Promise<string>>();

async function readSchema(schemaPath: string): Promise<string> {
  const { size } = await stat(schemaPath);
  if (size > iso20022SchemaBytesMax) throw new Error(`${schemaPath} has ${size} bytes, more than an ISO 20022 schema (${iso20022SchemaBytesMax})`);
  return readFile(schemaPath, 'utf8');
}

function schemaText(schemaPath: string): Promise<string> {
  let text = schemaTexts.get(schemaPath);
  if (text === undefined) {
    text = readSchema(schemaPath);
    schemaTexts.set(schemaPath, text);
    // A failed read is not remembered: the next validation tries again.
    text.catch(() => schemaTexts.delete(schemaPath));
  }
  return text;
}

export const schemaFileOf = (type: MxType | typeof headerType): string => `${type}.xsd`;

/**
 * The envelope's own schema: the root holds the header's AppHdr then the document's Document.
 * The root is named as the parser accepts it (iso20022/message.ts `envelopeNames`): Envelope, as
 * SWIFT's MX samples and translator write it, or BusMsgEnvlp, the same content under the name
 * some files use; both in urn:swift:xsd:envelope, so the parser and this validator agree.
 */
export function envelopeSchema(type: MxType): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${envelopeNamespace}" xmlns:e="${envelopeNamespace}" xmlns:h="${headerNamespace}" xmlns:d="${documentNamespace(type)}" elementFormDefault="qualified">`,
    `<xs:import namespace="${headerNamespace}" schemaLocation="${schemaFileOf(headerType)}"/>`,
    `<xs:import namespace="${documentNamespace(type)}" schemaLocation="${schemaFileOf(type)}"/>`,
    '<xs:complexType name="BusinessMessage"><xs:sequence>',
    '<xs:element ref="h:AppHdr"/><xs:element ref="d:Document"/>',
    '</xs:sequence></xs:complexType>',
    ...envelopeNames.map((name) => `<xs:element name="${name}" type="e:BusinessMessage"/>`),
    '</xs:schema>',
  ].join('');
}

/**
 * Where the ISO 20022 schemas are: `QENEX_ISO20022_XSD` when set, else the shared vectors beside
 * the repository (<repository>/../shared/vectors/iso20022-xsd).
 */
export function defaultIso20022SchemaDir(): string {
  const configured = process.env.QENEX_ISO20022_XSD;
  if (configured !== undefined && configured !== '') return configured;
  // This file is packages/protocols/src/node/iso20022-schema.ts: four levels below the repository root.
  const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
  return path.resolve(repositoryRoot, '../shared/vectors/iso20022-xsd');
}

/** The schema files a type needs that are missing from `schemaDir` (empty when all are there). */
export function missingSchemaFiles(types: readonly MxType[], schemaDir = defaultIso20022SchemaDir()): string[] {
  const files = [schemaFileOf(headerType), ...types.map(schemaFileOf)];
  return files.filter((file) => !existsSync(path.join(schemaDir, file)));
}

/** Validates one envelope against head.001.001.02 and `type`'s schema. Rejects only when validation cannot run. */
export async function validateAgainstSchema(xml: string, type: MxType, options: SchemaOptions = {}): Promise<SchemaValidation> {
  const [result] = await validateBatchAgainstSchema([xml], type, options);
  if (result === undefined) throw new Error('no validation result for the envelope');
  return result;
}

/**
 * Several envelopes of one type, a result for each in the same order: one libxml2 run for up to
 * `envelopesPerValidationMax` of them (a run costs 50–85 ms to start, whatever it validates).
 */
export async function validateBatchAgainstSchema(xmls: readonly string[], type: MxType, options: SchemaOptions = {}): Promise<SchemaValidation[]> {
  if (xmls.length > envelopesPerBatchMax) throw new RangeError(`${xmls.length} envelopes in one batch, more than ${envelopesPerBatchMax}`);
  const results: SchemaValidation[] = [];
  for (let start = 0; start < xmls.length; start += envelopesPerValidationMax) {
    results.push(...(await validateOneRun(xmls.slice(start, start + envelopesPerValidationMax), type, options)));
  }
  return results;
}

async function validateOneRun(xmls: readonly string[], type: MxType, options: SchemaOptions): Promise<SchemaValidation[]> {
  if (xmls.length === 0) return [];
  const characters = xmls.reduce((sum, xml) => sum + xml.length, 0);
  if (characters > validationCharsMax) return xmls.map(() => ({ valid: false, errors: [`the envelopes have ${characters} characters, more than ${validationCharsMax} in one run`] }));
  const schemaDir = options.schemaDir ?? defaultIso20022SchemaDir();
  const [header, document] = await Promise.all([schemaText(path.join(schemaDir, schemaFileOf(headerType))), schemaText(path.join(schemaDir, schemaFileOf(type)))]);
  const names = xmls.map((_, index) => `envelope-${index + 1}.xml`);
  const result = await validateXML({
    xml: xmls.map((contents, index) => ({ fileName: names[index] ?? '', contents })),
    schema: [{ fileName: 'envelope.xsd', contents: envelopeSchema(type) }],
    preload: [
      { fileName: schemaFileOf(headerType), contents: header },
      { fileName: schemaFileOf(type), contents: document },
    ],
    maxMemoryPages: validationMemoryPagesMax,
  });
  const errors = errorsByFile(names, result.errors.map((error) => error.rawMessage));
  const verdicts = new Set(result.rawOutput.split('\n'));
  return names.map((name) => ({ valid: verdicts.has(`${name} validates`), errors: errors.get(name) ?? [] }));
}

/** Several envelopes of mixed types: one libxml2 run per type present, results in input order. */
export async function validateManyAgainstSchema(items: readonly { readonly xml: string; readonly type: MxType }[], options: SchemaOptions = {}): Promise<SchemaValidation[]> {
  const results: SchemaValidation[] = new Array<SchemaValidation>(items.length);
  const byType = new Map<MxType, number[]>();
  items.forEach((item, index) => byType.set(item.type, [...(byType.get(item.type) ?? []), index]));
  for (const [type, indexes] of byType) {
    const validated = await validateBatchAgainstSchema(indexes.map((index) => items[index]?.xml ?? ''), type, options);
    indexes.forEach((index, at) => {
      const result = validated[at];
      if (result !== undefined) results[index] = result;
    });
  }
  return results;
}

const verdictLine = /^\S+ (?:validates|fails to validate)$/;
/** A message starts `file:line: `; libxml2 follows it with the source line and a caret, which belong to it. */
const messageStart = /^(\S+?):\d+: /;

/** Each message (with its source and caret lines) to the envelope it names; one naming none, to every envelope. */
function errorsByFile(names: readonly string[], lines: readonly string[]): Map<string, string[]> {
  const byFile = new Map<string, string[]>(names.map((name) => [name, []]));
  let current: string[] | undefined;
  for (const line of lines) {
    if (line.trim() === '' || verdictLine.test(line)) continue;
    const named = messageStart.exec(line)?.[1];
    if (named !== undefined) current = byFile.get(named);
    if (current !== undefined) current.push(line);
    else for (const list of byFile.values()) list.push(line);
  }
  return byFile;
}
