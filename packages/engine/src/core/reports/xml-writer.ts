/**
 * The small XML writer the FinCEN builders use: elements in FinCEN's namespace under the `fc2`
 * prefix FinCEN's own samples use, a `SeqNum` from one counter per batch (so every SeqNum of the
 * batch is distinct, as the schemas' Unique-SeqNum requires), text escaped. A value the rules
 * should have refused (a leading space, a control character, too long) is a programmer error here.
 */
import { assert } from '../assert';
import { elementCharsMax } from './fincen-codes';
import { charCount, isFincenText } from './fincen-rules';

export const fincenNamespace = 'www.fincen.gov/base';
export const fincenPrefix = 'fc2';

const elementName = /^[A-Za-z][A-Za-z0-9]*$/;

export function escapeXmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class FincenXmlWriter {
  private readonly lines: string[] = [];
  private readonly open: string[] = [];
  private seqNum = 0;

  /** Opens an element carrying the next SeqNum. */
  start(name: string): void {
    assert(elementName.test(name), `element name ${name}`);
    this.seqNum += 1;
    this.push(`<${fincenPrefix}:${name} SeqNum="${this.seqNum}">`);
    this.open.push(name);
  }

  end(name: string): void {
    assert(this.open.at(-1) === name, `closing ${name} inside ${this.open.at(-1) ?? 'nothing'}`);
    this.open.pop();
    this.push(`</${fincenPrefix}:${name}>`);
  }

  /** A leaf element without SeqNum; '' is written as an empty element (FinCEN's "null" value). */
  leaf(name: string, value: string): void {
    assert(elementName.test(name), `element name ${name}`);
    assert(value === '' || isFincenText(value), `${name}: a value the rules should have refused`);
    const charsMax = (elementCharsMax as Readonly<Record<string, number>>)[name];
    assert(charsMax === undefined || charCount(value) <= charsMax, `${name}: longer than ${charsMax ?? 0} characters`);
    const tag = `${fincenPrefix}:${name}`;
    this.push(value === '' ? `<${tag}/>` : `<${tag}>${escapeXmlText(value)}</${tag}>`);
  }

  /** An indicator element: 'Y' when set, written only when set. */
  flag(name: string, set: boolean): void {
    if (set) this.leaf(name, 'Y');
  }

  /** The whole document: the declaration, the root with its attributes, and what was written inside. */
  document(rootAttributes: readonly (readonly [string, string])[]): string {
    assert(this.open.length === 0, `unclosed ${this.open.join(' > ')}`);
    const attributes = rootAttributes.map(([name, value]) => {
      assert(elementName.test(name) && /^[0-9A-Za-z.]+$/.test(value), `root attribute ${name}="${value}"`);
      return ` ${name}="${value}"`;
    });
    const root = `${fincenPrefix}:EFilingBatchXML`;
    const body = this.lines.map((line) => `  ${line}`).join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns:${fincenPrefix}="${fincenNamespace}"${attributes.join('')}>\n${body}\n</${root}>\n`;
  }

  private push(line: string): void {
    this.lines.push('  '.repeat(this.open.length) + line);
  }
}
