/**
 * A strict, small XML 1.0 reader for the sanctions lists publishers ship (UN, OFAC, EU), which
 * an admin loads from a file: input this code must survive whatever it holds.
 *
 * - No DTD at all: a `<!DOCTYPE` is refused, so there are no entity declarations to expand (the
 *   "billion laughs"), no external entities to fetch, no default attributes. References are only
 *   XML's five (`&lt;` `&gt;` `&amp;` `&quot;` `&apos;`) and character references.
 * - A limit on the input's length, the nesting depth, the number of elements, and the attributes
 *   and name length of each element; the walk is a loop over an explicit stack, so deep input
 *   ends at the depth limit, never at the end of the call stack.
 * - Well-formed or refused: one root, every tag closed in order, attributes quoted and each once,
 *   no character XML forbids (C0 controls other than tab and line ends, lone surrogates, U+FFFE,
 *   U+FFFF), no encoding declared other than UTF-8 (the caller decoded the bytes as UTF-8).
 *
 * Namespaces are not resolved: an element is known by its local name (the prefix is dropped), as
 * the three formats each live in one namespace. Comments and processing instructions are skipped.
 * Line ends are normalised to LF, and tab, CR and LF in attribute values to spaces, as XML says.
 */

export interface XmlElement {
  /** The element's local name: `sdnEntry` for both `<sdnEntry>` and `<ofac:sdnEntry>`. */
  readonly name: string;
  /** Attributes by their name as written (`xmlns:xsi`, `logicalId`), values with references resolved. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA directly inside it, not its children's), references resolved. */
  readonly text: string;
}

export interface XmlLimits {
  /** The document's length in UTF-16 code units. */
  readonly charsMax: number;
  readonly depthMax: number;
  readonly elementsMax: number;
  readonly attributesPerElementMax: number;
  /** An element or attribute name. */
  readonly tagNameCharsMax: number;
}

export type XmlResult = { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly message: string };

/** The full EU FSF export is about 24 MB and OFAC's sdn.xml over 10 MB (README of the test vectors); the margin lets them grow. */
export const xmlCharsMax = 128 * 1024 * 1024;
/** The three formats nest at most 6 deep. */
export const xmlDepthMax = 32;
/** The UN list has about 36,000 elements in 2 MB; this allows about 60 times OFAC's or the EU's largest file. */
export const xmlElementsMax = 8_000_000;
/** The EU writes the most, 17 on a `birthdate`. */
export const xmlAttributesPerElementMax = 64;
export const xmlNameCharsMax = 256;

export const xmlLimits: XmlLimits = {
  charsMax: xmlCharsMax,
  depthMax: xmlDepthMax,
  elementsMax: xmlElementsMax,
  attributesPerElementMax: xmlAttributesPerElementMax,
  tagNameCharsMax: xmlNameCharsMax,
};

// With the u flag a well-formed surrogate pair is one code point, so the surrogate range matches only a lone half.
const forbiddenCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/u;
const namePattern = /[A-Za-z_:\u00c0-\ufffd][A-Za-z0-9_:.\u00b7\u00c0-\ufffd-]*/y;
const whiteSpace = /[ \t\r\n]*/y;
const declarationPattern = /^<\?xml(?:\s+version\s*=\s*(["'])1\.[0-9]+\1)(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>/;
const predefinedEntities: ReadonlyMap<string, string> = new Map([['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"'], ['apos', "'"]]);
const reference = /&([^;&<\s]{0,32})(;?)/gu;

interface OpenElement {
  readonly name: string;
  readonly qualifiedName: string;
  readonly attributes: ReadonlyMap<string, string>;
  /** Made when the first child closes: most elements are leaves, and a file has hundreds of thousands. */
  children: XmlElement[] | undefined;
  text: string;
}

// Shared by every element without attributes or children, so that leaves cost the garbage collector less.
const noAttributes: ReadonlyMap<string, string> = new Map();
const noChildren: readonly XmlElement[] = Object.freeze([]);

class XmlRefusal {
  constructor(readonly message: string) {}
}

/** The document's root element, or why the text is not a document this reader accepts. */
export function parseXml(text: string, limits: XmlLimits = xmlLimits): XmlResult {
  if (text.length > limits.charsMax) return { ok: false, message: `the document is over ${limits.charsMax} characters` };
  if (forbiddenCharacter.test(text)) return { ok: false, message: `${at(text, text.search(forbiddenCharacter))}: a character XML does not allow (a control character, a lone surrogate, U+FFFE or U+FFFF)` };
  try {
    return { ok: true, root: new Reader(normaliseLineEnds(text), limits).document() };
  } catch (error) {
    if (error instanceof XmlRefusal) return { ok: false, message: error.message };
    throw error;
  }
}

class Reader {
  private position = 0;
  private elements = 0;
  private readonly stack: OpenElement[] = [];
  private root: XmlElement | undefined;

  constructor(
    private readonly text: string,
    private readonly limits: XmlLimits,
  ) {}

  document(): XmlElement {
    this.prolog();
    for (;;) {
      const open = this.text.indexOf('<', this.position);
      const end = open === -1 ? this.text.length : open;
      if (end > this.position) this.characterData(this.text.slice(this.position, end));
      this.position = end;
      if (open === -1) break;
      this.markup();
    }
    const unclosed = this.stack[this.stack.length - 1];
    if (unclosed !== undefined) this.refuse(`the document ends inside <${unclosed.qualifiedName}>`);
    if (this.root === undefined) this.refuse('the document has no root element');
    return this.root;
  }

  /** An optional BOM and XML declaration; the declaration, if there, must say version 1.x and, if it names one, UTF-8. */
  private prolog(): void {
    if (this.text.startsWith('\ufeff')) this.position = 1;
    if (!this.text.startsWith('<?xml', this.position) || /[\w:.-]/.test(this.text.charAt(this.position + 5))) return;
    const declaration = declarationPattern.exec(this.text.slice(this.position, this.position + 200));
    if (declaration === null) this.refuse('a malformed XML declaration');
    const encoding = declaration[3];
    if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') this.refuse(`the document declares the encoding ${encoding}; only UTF-8 is read`);
    this.position += declaration[0].length;
  }

  private markup(): void {
    const { text, position } = this;
    if (text.startsWith('<!--', position)) return this.skipPast('-->', 'a comment');
    if (text.startsWith('<![CDATA[', position)) return this.cdata();
    if (text.startsWith('<!', position)) this.refuse('a document type declaration (DTD) or other <! markup; DTDs and entity declarations are refused');
    if (text.startsWith('<?', position)) return this.processingInstruction();
    if (text.startsWith('</', position)) return this.endTag();
    this.startTag();
  }

  private characterData(raw: string): void {
    const current = this.stack[this.stack.length - 1];
    if (current === undefined) {
      if (raw.trim() !== '') this.refuse('text outside the root element');
      return;
    }
    if (raw.includes('>') && raw.includes(']]>')) this.refuse(']]> in text');
    current.text += this.resolveReferences(raw);
  }

  private cdata(): void {
    const current = this.stack[this.stack.length - 1];
    if (current === undefined) this.refuse('a CDATA section outside the root element');
    const start = this.position + '<![CDATA['.length;
    const close = this.text.indexOf(']]>', start);
    if (close === -1) this.refuse('a CDATA section is never closed');
    current.text += this.text.slice(start, close);
    this.position = close + 3;
  }

  private processingInstruction(): void {
    this.position += 2;
    const target = this.name('a processing instruction');
    if (target.toLowerCase() === 'xml') this.refuse('an XML declaration that is not at the very start');
    this.skipPast('?>', 'a processing instruction');
  }

  private startTag(): void {
    const tagStart = this.position;
    this.position += 1;
    const qualifiedName = this.name('a start tag');
    let attributes: Map<string, string> | undefined;
    for (;;) {
      const spaced = this.skipWhiteSpace();
      const code = this.text.charCodeAt(this.position);
      if (code === 0x3e /* > */ || (code === 0x2f /* / */ && this.text.charCodeAt(this.position + 1) === 0x3e)) break;
      if (!spaced) this.refuse(`${at(this.text, tagStart)}: <${qualifiedName}> is malformed`);
      attributes ??= new Map<string, string>();
      this.attribute(attributes, qualifiedName);
    }
    const selfClosing = this.text.charCodeAt(this.position) === 0x2f;
    this.position += selfClosing ? 2 : 1;
    if (this.root !== undefined && this.stack.length === 0) this.refuse(`${at(this.text, tagStart)}: a second root element <${qualifiedName}>`);
    if (this.stack.length >= this.limits.depthMax) this.refuse(`${at(this.text, tagStart)}: elements nested over ${this.limits.depthMax} deep`);
    this.elements += 1;
    if (this.elements > this.limits.elementsMax) this.refuse(`more than ${this.limits.elementsMax} elements`);
    this.stack.push({ name: localName(qualifiedName), qualifiedName, attributes: attributes ?? noAttributes, children: undefined, text: '' });
    if (selfClosing) this.close();
  }

  private attribute(attributes: Map<string, string>, element: string): void {
    const name = this.name(`an attribute of <${element}>`);
    this.skipWhiteSpace();
    if (this.text.charCodeAt(this.position) !== 0x3d /* = */) this.refuse(`${at(this.text, this.position)}: the attribute ${name} of <${element}> has no value`);
    this.position += 1;
    this.skipWhiteSpace();
    const quote = this.text.charAt(this.position);
    if (quote !== '"' && quote !== "'") this.refuse(`${at(this.text, this.position)}: the value of ${name} is not quoted`);
    const close = this.text.indexOf(quote, this.position + 1);
    if (close === -1) this.refuse(`${at(this.text, this.position)}: the value of ${name} is never closed`);
    const raw = this.text.slice(this.position + 1, close);
    if (raw.includes('<')) this.refuse(`${at(this.text, this.position)}: a < in the value of ${name}`);
    if (attributes.has(name)) this.refuse(`${at(this.text, this.position)}: <${element}> has the attribute ${name} twice`);
    if (attributes.size >= this.limits.attributesPerElementMax) this.refuse(`${at(this.text, this.position)}: <${element}> has over ${this.limits.attributesPerElementMax} attributes`);
    attributes.set(name, this.resolveReferences(raw.replace(/[\t\n]/g, ' ')));
    this.position = close + 1;
  }

  private endTag(): void {
    const tagStart = this.position;
    this.position += 2;
    const qualifiedName = this.name('an end tag');
    this.skipWhiteSpace();
    if (this.text.charCodeAt(this.position) !== 0x3e) this.refuse(`${at(this.text, tagStart)}: </${qualifiedName}> is malformed`);
    this.position += 1;
    const current = this.stack[this.stack.length - 1];
    if (current === undefined || current.qualifiedName !== qualifiedName) {
      this.refuse(`${at(this.text, tagStart)}: </${qualifiedName}> where ${current === undefined ? 'no element is open' : `</${current.qualifiedName}> is expected`}`);
    }
    this.close();
  }

  /** The innermost open element is complete: it becomes its parent's child, or the root. */
  private close(): void {
    const open = this.stack.pop()!;
    const element: XmlElement = { name: open.name, attributes: open.attributes, children: open.children ?? noChildren, text: open.text };
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) this.root = element;
    else (parent.children ??= []).push(element);
  }

  private name(what: string): string {
    namePattern.lastIndex = this.position;
    const found = namePattern.exec(this.text);
    if (found === null) this.refuse(`${at(this.text, this.position)}: ${what} without a valid name`);
    if (found[0].length > this.limits.tagNameCharsMax) this.refuse(`${at(this.text, this.position)}: a name over ${this.limits.tagNameCharsMax} characters`);
    this.position += found[0].length;
    return found[0];
  }

  /** Whether any white space was skipped. */
  private skipWhiteSpace(): boolean {
    whiteSpace.lastIndex = this.position;
    whiteSpace.exec(this.text);
    const skipped = whiteSpace.lastIndex > this.position;
    this.position = whiteSpace.lastIndex;
    return skipped;
  }

  private skipPast(terminator: string, what: string): void {
    const close = this.text.indexOf(terminator, this.position);
    if (close === -1) this.refuse(`${at(this.text, this.position)}: ${what} is never closed`);
    this.position = close + terminator.length;
  }

  /** `raw` with XML's five entity references and character references replaced; any other `&` is refused. */
  private resolveReferences(raw: string): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(reference, (found: string, body: string, semicolon: string) => {
      if (semicolon === '') this.refuse(`${at(this.text, this.position)}: a & that starts no reference (write &amp;)`);
      const predefined = predefinedEntities.get(body);
      if (predefined !== undefined) return predefined;
      const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
      if (numeric === null) this.refuse(`${at(this.text, this.position)}: the reference ${found.slice(0, 40)} is not one of XML's five entities (no DTD is read)`);
      const codePoint = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      if (!isXmlCharacter(codePoint)) this.refuse(`${at(this.text, this.position)}: the character reference ${found} names a character XML does not allow`);
      return String.fromCodePoint(codePoint);
    });
  }

  private refuse(message: string): never {
    throw new XmlRefusal(message);
  }
}

function isXmlCharacter(codePoint: number): boolean {
  return codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd || (codePoint >= 0x20 && codePoint <= 0xd7ff) || (codePoint >= 0xe000 && codePoint <= 0xfffd) || (codePoint >= 0x10000 && codePoint <= 0x10ffff);
}

function normaliseLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function localName(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':');
  return colon === -1 ? qualifiedName : qualifiedName.slice(colon + 1);
}

/** "line N" of a position, for a message that points the admin at the place in the file. */
function at(text: string, position: number): string {
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < position; index = text.indexOf('\n', index + 1)) line += 1;
  return `line ${line}`;
}

// ---------------------------------------------------------------------------------------------
// Reading the tree (shared by the converters of this folder)

/** The children of `element` called `name`, in document order. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

/** The collapsed text of the first child called `name`, or `undefined` when there is none or it is empty. */
export function childText(element: XmlElement, name: string): string | undefined {
  const child = childElement(element, name);
  return child === undefined ? undefined : elementText(child);
}

/** An element's own text, collapsed, or `undefined` when it is empty. */
export function elementText(element: XmlElement): string | undefined {
  return nonEmpty(collapseWhiteSpace(element.text));
}

/** An attribute's collapsed value, or `undefined` when it is absent or empty. */
export function attributeText(element: XmlElement, name: string): string | undefined {
  const value = element.attributes.get(name);
  return value === undefined ? undefined : nonEmpty(collapseWhiteSpace(value));
}

/** Runs of white space (any Unicode space, tab, line end) as one space, trimmed: XML Schema's `collapse`, as names are compared. */
export function collapseWhiteSpace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

function nonEmpty(text: string): string | undefined {
  return text === '' ? undefined : text;
}

const dateTimePattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An `xs:dateTime` with a time zone (`2026-02-27T00:00:09.554Z`, `2026-08-05T16:47:04.449+02:00`)
 * as the UTC instant the sanctions-list document holds (`…T14:47:04.449Z`), milliseconds kept,
 * finer digits dropped; `undefined` for anything else, a time without a zone included (it names no
 * one instant).
 */
export function utcInstant(text: string): string | undefined {
  const parts = dateTimePattern.exec(text.trim());
  if (parts === null) return undefined;
  const milliseconds = (parts[2] ?? '').slice(0, 3).padEnd(3, '0');
  const local = `${parts[1]}.${milliseconds}`;
  // Date.parse would accept 24:00 and roll 31 April over: the local part must survive a round trip.
  const asUtc = Date.parse(`${local}Z`);
  if (!Number.isFinite(asUtc) || new Date(asUtc).toISOString() !== `${local}Z`) return undefined;
  const instant = Date.parse(`${local}${parts[3]}`);
  return Number.isFinite(instant) ? new Date(instant).toISOString() : undefined;
}
