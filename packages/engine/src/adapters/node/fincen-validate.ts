/**
 * Validates a FinCEN batch against FinCEN's own schema with libxml2 (npm xmllint-wasm, libxml2
 * 2.13.8 compiled to WebAssembly, run in a worker thread). The schemas are read where they lie,
 * never copied; libxml2 accepts a leading space against their `\S+( +\S+)*|` pattern, which the
 * core rules check instead (core/reports/fincen-rules.ts).
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryPages, validateXML } from 'xmllint-wasm';

export type FincenSchemaForm = 'CTRX' | 'SARX';

export const fincenSchemaFiles: Readonly<Record<FincenSchemaForm, string>> = {
  CTRX: 'EFL_CTRXBatchSchema.xsd',
  SARX: 'EFL_SARXBatchSchema.xsd',
};

/** FinCEN's schemas are 28 KB and 67 KB: anything far larger at that path is not one of them. */
export const fincenSchemaBytesMax = 1024 * 1024;
/** A batch larger than this is refused unread (a batch of `reportsPerBatchMax` reports is a few MB). */
export const fincenBatchCharsMax = 64 * 1024 * 1024;
/** libxml2 holds the whole document and schema in WebAssembly memory, which grows to at most this. */
const validationMemoryPagesMax = memoryPages.GiB;

/** libxml2 warns on every run that FinCEN's namespace name is not an absolute URI; it is harmless. */
const harmlessLine = /xmlns: URI www\.fincen\.gov\/base is not absolute/;

// The schema files are FinCEN's and never change while we run: each is read once per path.
const schemaTexts = new Map<string, Promise<string>>();

async function readSchema(schemaPath: string): Promise<string> {
  const { size } = await stat(schemaPath);
  if (size > fincenSchemaBytesMax) throw new Error(`${schemaPath} has ${size} bytes, more than a FinCEN schema (${fincenSchemaBytesMax})`);
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

export interface FincenValidation {
  /** libxml2's verdict: it printed "<file> validates". */
  readonly valid: boolean;
  /** libxml2's messages for this document, without the harmless namespace warning. */
  readonly errors: string[];
}

/**
 * Validates `xml` against FinCEN's batch schema for `form`, read from `schemaDir`. Rejects only
 * when validation could not run (no schema file, a schema that does not compile).
 */
export async function validateFincenBatch(xml: string, form: FincenSchemaForm, schemaDir: string): Promise<{ valid: boolean; errors: string[] }> {
  const [result] = await validateFincenBatches([xml], form, schemaDir);
  if (result === undefined) throw new Error('no validation result for the batch');
  return result;
}

/** Documents validated by one libxml2 run (each run starts a worker and compiles the schema). */
export const fincenBatchesPerValidationMax = 100;

/** Several batches of one form in one libxml2 run, a result for each in the same order. */
export async function validateFincenBatches(xmls: readonly string[], form: FincenSchemaForm, schemaDir: string): Promise<FincenValidation[]> {
  if (xmls.length === 0) return [];
  if (xmls.length > fincenBatchesPerValidationMax) throw new RangeError(`${xmls.length} batches in one validation, more than ${fincenBatchesPerValidationMax}`);
  const characters = xmls.reduce((sum, xml) => sum + xml.length, 0);
  if (characters > fincenBatchCharsMax) {
    return xmls.map(() => ({ valid: false, errors: [`the batches have ${characters} characters, more than ${fincenBatchCharsMax}`] }));
  }
  const fileName = fincenSchemaFiles[form];
  const schema = await schemaText(path.join(schemaDir, fileName));
  const names = xmls.map((_, index) => `batch-${index + 1}.xml`);
  const result = await validateXML({
    xml: xmls.map((contents, index) => ({ fileName: names[index] ?? '', contents })),
    schema: [{ fileName, contents: schema }],
    maxMemoryPages: validationMemoryPagesMax,
  });
  const errors = errorsByFile(names, withoutHarmlessWarning(result.errors.map((error) => error.rawMessage)));
  const verdicts = new Set(result.rawOutput.split('\n'));
  return names.map((name) => ({ valid: verdicts.has(`${name} validates`), errors: errors.get(name) ?? [] }));
}

const verdictLine = /^\S+ (?:validates|fails to validate)$/;

/** A message starts `file:line: `; libxml2 follows it with the source line and a caret, which belong to it. */
const messageStart = /^(\S+?):\d+: /;

function withoutHarmlessWarning(lines: readonly string[]): string[] {
  const kept: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (messageStart.test(line)) skipping = harmlessLine.test(line);
    if (!skipping && line.trim() !== '') kept.push(line);
  }
  return kept;
}

/** Each message (with its source and caret lines) to the document it names; one naming none, to every document. */
function errorsByFile(names: readonly string[], lines: readonly string[]): Map<string, string[]> {
  const byFile = new Map<string, string[]>(names.map((name) => [name, []]));
  let current: string[] | undefined;
  for (const line of lines) {
    // The verdict lines ("batch-1.xml validates", "… fails to validate") are read from the raw output.
    if (verdictLine.test(line)) continue;
    const named = messageStart.exec(line)?.[1];
    if (named !== undefined) current = byFile.get(named);
    if (current !== undefined) current.push(line);
    else for (const list of byFile.values()) list.push(line);
  }
  return byFile;
}

/**
 * Where FinCEN's schemas are: `QENEX_FINCEN_XSD_DIR` when set, else the shared vectors beside the
 * repository (../shared/vectors/fincen-xsd from its root), else undefined.
 */
export function defaultFincenSchemaDir(): string | undefined {
  const configured = process.env.QENEX_FINCEN_XSD_DIR;
  if (configured !== undefined && configured !== '') return configured;
  // This file is packages/engine/src/adapters/node/fincen-validate.ts: five levels below the repository root.
  const repositoryRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
  const shared = path.resolve(repositoryRoot, '../shared/vectors/fincen-xsd');
  return existsSync(shared) ? shared : undefined;
}
