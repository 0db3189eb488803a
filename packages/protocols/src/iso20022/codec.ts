/**
 * One description per message part gives its writer, its reader and its validation, so the three
 * cannot drift apart: a codec knows where each model field lives in the XML (a path of element
 * names in schema order), the facets and CBPR+ rules its value obeys, and how to read it back.
 *
 * Validation runs over the model in either of two modes: before building, issues name the model
 * path (`creditor.postalAddress.country`); after reading, the same checks name the XML path
 * (`Document/FIToFICstmrCdtTrf/CdtTrfTxInf/Cdtr/PstlAdr/Ctry`). Every site carries both paths.
 */
import type { Issue, TranslationNote } from '../payment/model';
import type { Rule } from './cbpr';
import { escapeXml, type XmlElement } from './xml';

/** Where a value is: its model path and its XML path. */
export interface Site {
  readonly model: string;
  readonly xml: string;
}

export interface Report {
  /** 'model' before building (issues name model paths), 'xml' after reading (issues name XML paths). */
  readonly mode: 'model' | 'xml';
  readonly issues: Issue[];
  /**
   * When reading: what the message holds that the model does not carry (a schema-defined element
   * left out, named by its XML path). Absent, such elements are not collected (building never has them).
   */
  readonly notes?: TranslationNote[];
}

/** Records that an element the schema defines was read but is not carried by the model. */
export function dropped(report: Report, xmlPath: string, detail: string): void {
  report.notes?.push({ field: xmlPath, kind: 'dropped', detail });
}

export function flag(report: Report, site: Site, rule: string, message: string): void {
  report.issues.push({ field: report.mode === 'model' ? site.model : site.xml, rule, message });
}

export function childSite(site: Site, key: string, xmlPath: string): Site {
  return { model: site.model === '' ? key : `${site.model}.${key}`, xml: xmlPath === '' ? site.xml : `${site.xml}/${xmlPath}` };
}

export interface Codec<T> {
  /** A list: the record hands it every element at its path, not just one. */
  readonly many?: { readonly min: number };
  readonly check: (value: T, site: Site, report: Report) => void;
  /** The element(s) `<tag>` carrying the value. */
  readonly write: (value: T, tag: string) => string;
  /** The value of the element(s); structural problems are flagged, the value's rules are left to `check`. */
  readonly read: (elements: readonly XmlElement[], site: Site, report: Report) => T | undefined;
}

export function applyRules<T>(rules: readonly Rule<T>[], value: T, site: Site, report: Report): void {
  for (const rule of rules) {
    const broken = rule.test(value);
    if (broken !== undefined) flag(report, site, rule.id, broken);
  }
}

/** The text of a leaf element: child elements are not expected in it. */
function leafText(elements: readonly XmlElement[], site: Site, report: Report): string | undefined {
  const [element] = elements;
  if (element === undefined) return undefined;
  if (element.children.length > 0) {
    flag(report, { model: site.model, xml: `${site.xml}/${element.children[0]?.name ?? ''}` }, 'xml.element_not_supported', 'a text element holds no elements');
    return undefined;
  }
  return element.text;
}

export interface TextOptions {
  readonly min?: number;
  readonly max: number;
  readonly rules?: readonly Rule<string>[];
}

/** Text with the schema's length facets (in characters) and the given rules. */
export function text(options: TextOptions): Codec<string> {
  const min = options.min ?? 1;
  return {
    check: (value, site, report) => {
      const length = [...value].length;
      if (length < min || length > options.max) {
        flag(report, site, 'schema.length', `must have ${min === options.max ? min : `${min} to ${options.max}`} characters, has ${length}`);
        return;
      }
      applyRules(options.rules ?? [], value, site, report);
    },
    write: (value, tag) => `<${tag}>${escapeXml(value)}</${tag}>`,
    read: leafText,
  };
}

/** A pattern facet of the schema (BICFI, UETR, IBAN, …) as a rule. */
export function pattern(id: string, regex: RegExp, description: string): Rule<string> {
  return { id, test: (value) => (regex.test(value) ? undefined : `must match ${description}`) };
}

/** A code from a closed list (the schema's enumeration, or a CBPR+ subset of it). */
export function code<T extends string>(codes: readonly T[], rule = 'schema.code'): Codec<T> {
  return {
    check: (value, site, report) => {
      if (!(codes as readonly string[]).includes(value)) flag(report, site, rule, `must be one of ${codes.join(', ')}`);
    },
    write: (value, tag) => `<${tag}>${escapeXml(value)}</${tag}>`,
    read: (elements, site, report) => leafText(elements, site, report) as T | undefined,
  };
}

/** A list of repeated elements, at most `max`; empty lists are written as nothing. */
export function list<T>(item: Codec<T>, options: { readonly max: number; readonly min?: number; readonly rule?: string }): Codec<readonly T[]> {
  const min = options.min ?? 0;
  const itemSite = (site: Site, index: number): Site => ({ model: `${site.model}[${index}]`, xml: `${site.xml}[${index + 1}]` });
  return {
    many: { min },
    check: (values, site, report) => {
      if (values.length > options.max || values.length < min) {
        flag(report, site, options.rule ?? 'schema.occurrences', `must have ${min} to ${options.max} entries, has ${values.length}`);
        return;
      }
      values.forEach((value, index) => item.check(value, itemSite(site, index), report));
    },
    write: (values, tag) => values.map((value) => item.write(value, tag)).join(''),
    read: (elements, site, report) => {
      const values: T[] = [];
      elements.forEach((element, index) => {
        const value = item.read([element], itemSite(site, index), report);
        if (value !== undefined) values.push(value);
      });
      return values.length === elements.length ? values : undefined;
    },
  };
}

/** A codec of one type seen as another (e.g. an account's choice read as the model's union). */
export function mapped<A, B>(inner: Codec<A>, toModel: (value: A) => B, fromModel: (value: B) => A): Codec<B> {
  return {
    ...(inner.many === undefined ? {} : { many: inner.many }),
    check: (value, site, report) => inner.check(fromModel(value), site, report),
    write: (value, tag) => inner.write(fromModel(value), tag),
    read: (elements, site, report) => {
      const value = inner.read(elements, site, report);
      return value === undefined ? undefined : toModel(value);
    },
  };
}

/** A value wrapped in one more element: `<tag><inner>value</inner></tag>` (InstrForNxtAgt/InstrInf, Purp/Cd as a list item). */
export function inside<T>(innerTag: string, inner: Codec<T>): Codec<T> {
  return {
    check: (value, site, report) => inner.check(value, { model: site.model, xml: `${site.xml}/${innerTag}` }, report),
    write: (value, tag) => `<${tag}>${inner.write(value, innerTag)}</${tag}>`,
    read: (elements, site, report) => {
      const [element] = elements;
      if (element === undefined) return undefined;
      const [child, ...rest] = element.children;
      if (child === undefined || child.name !== innerTag || child.namespace !== element.namespace || rest.length > 0) {
        flag(report, { model: site.model, xml: `${site.xml}/${innerTag}` }, 'xml.element_missing', `must hold exactly one ${innerTag} and nothing else`);
        return undefined;
      }
      return inner.read([child], { model: site.model, xml: `${site.xml}/${innerTag}` }, report);
    },
  };
}

/** A plain decimal (an exchange rate) kept as the model's string, within the schema's digit facets. */
export function decimal(totalDigitsMax: number, fractionDigitsMax: number): Codec<string> {
  const shape = /^(\d+)(?:\.(\d+))?$/;
  return {
    check: (value, site, report) => {
      const match = shape.exec(value);
      if (match === null) {
        flag(report, site, 'schema.decimal', 'must be a decimal number such as 1.2345');
        return;
      }
      const whole = (match[1] ?? '').replace(/^0+(?=\d)/, '');
      const fraction = match[2] ?? '';
      if (fraction.length > fractionDigitsMax || whole.length + fraction.length > totalDigitsMax) {
        flag(report, site, 'schema.decimal_digits', `at most ${totalDigitsMax} digits, ${fractionDigitsMax} after the point`);
      }
    },
    write: (value, tag) => `<${tag}>${escapeXml(value)}</${tag}>`,
    read: leafText,
  };
}
