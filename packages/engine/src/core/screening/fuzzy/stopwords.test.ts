import { describe, expect, it } from 'vitest';
import { classifyWord, isRomanNumeral, mergeLetterRuns, oneEditApart } from './stopwords';

describe('classifyWord', () => {
  it('reads company forms and their long forms in several languages as one canonical form', () => {
    for (const word of ['ltd', 'limited', 'ltda']) expect(classifyWord(word, 'organisation')).toEqual({ role: 'form', canonical: 'ltd' });
    for (const word of ['llc', 'ooo', 'tov', 'obshchestvo', 'otvetstvennostyu']) expect(classifyWord(word, 'organisation')).toEqual({ role: 'form', canonical: 'llc' });
    for (const word of ['jsc', 'oao', 'pjsc', 'aktsionernoe']) expect(classifyWord(word, 'organisation').canonical).toBe('jsc');
    expect(classifyWord('gmbh', 'organisation').role).toBe('form');
  });

  it('keeps what a word is for the kind of name: forms are not dropped from a person, nor honorifics from a company', () => {
    expect(classifyWord('co', 'organisation').role).toBe('form');
    expect(classifyWord('co', 'unknown').role).toBe('generic');
    expect(classifyWord('co', 'person').role).toBe('name');
    expect(classifyWord('dr', 'person').role).toBe('honorific');
    expect(classifyWord('sheikh', 'unknown').role).toBe('honorific');
    expect(classifyWord('sheikh', 'organisation').role).toBe('name');
    expect(classifyWord('general', 'person').role).toBe('title');
    expect(classifyWord('general', 'organisation').role).toBe('generic');
    expect(classifyWord('general', 'unknown').role).toBe('generic');
    expect(classifyWord('col', 'unknown').role).toBe('title');
    expect(classifyWord('ii', 'person').role).toBe('honorific');
    expect(classifyWord('ii', 'object').role).toBe('name');
  });

  it('reads the names of object properties as words like any other (Constructora, Constructor)', () => {
    for (const word of ['constructor', 'tostring', '__proto__', 'hasownproperty']) expect(classifyWord(word, 'unknown')).toEqual({ role: 'name', canonical: word });
  });

  it('reads particles as one canonical form whatever the name', () => {
    expect(classifyWord('ibn', 'person')).toEqual({ role: 'particle', canonical: 'bin' });
    expect(classifyWord('el', 'organisation')).toEqual({ role: 'particle', canonical: 'al' });
  });

  it('recognises a company form or long generic word one typing error away, with its first letter', () => {
    expect(classifyWord('compnay', 'organisation')).toEqual({ role: 'form', canonical: 'co' });
    expect(classifyWord('limitted', 'organisation')).toEqual({ role: 'form', canonical: 'ltd' });
    expect(classifyWord('tradding', 'organisation')).toEqual({ role: 'generic', canonical: 'trading' });
    expect(classifyWord('golding', 'organisation').role).toBe('name');
    expect(classifyWord('behazd', 'unknown').role).toBe('name');
    expect(classifyWord('vompany', 'organisation').role).toBe('name');
  });
});

describe('mergeLetterRuns', () => {
  it('joins one-letter words that spell a company form, in a name that is not a person', () => {
    expect(mergeLetterRuns(['cecoex', 's', 'a'], 'organisation')).toEqual(['cecoex', 'sa']);
    expect(mergeLetterRuns(['acme', 'l', 'l', 'c'], 'unknown')).toEqual(['acme', 'llc']);
    expect(mergeLetterRuns(['x', 's', 'a', 'c'], 'organisation')).toEqual(['x', 'sac']);
    expect(mergeLetterRuns(['j', 'r', 'smith'], 'unknown')).toEqual(['j', 'r', 'smith']);
    expect(mergeLetterRuns(['s', 'a', 'smith'], 'person')).toEqual(['s', 'a', 'smith']);
  });
});

describe('isRomanNumeral', () => {
  it('reads numerals of two letters or more outside persons, and single letters only in objects', () => {
    expect(isRomanNumeral('viii', 'object')).toBe(true);
    expect(isRomanNumeral('v', 'object')).toBe(true);
    expect(isRomanNumeral('v', 'organisation')).toBe(false);
    expect(isRomanNumeral('ii', 'unknown')).toBe(true);
    expect(isRomanNumeral('ii', 'person')).toBe(false);
    expect(isRomanNumeral('mix', 'object')).toBe(false);
    expect(isRomanNumeral('iiii', 'object')).toBe(false);
  });
});

describe('oneEditApart', () => {
  it('allows one letter changed, added, removed, or two neighbours swapped, and nothing more', () => {
    expect(oneEditApart('company', 'compnay')).toBe(true);
    expect(oneEditApart('company', 'compny')).toBe(true);
    expect(oneEditApart('company', 'companny')).toBe(true);
    expect(oneEditApart('company', 'vompany')).toBe(true);
    expect(oneEditApart('berhad', 'behazd')).toBe(false);
    expect(oneEditApart('limited', 'lmtd')).toBe(false);
  });
});
