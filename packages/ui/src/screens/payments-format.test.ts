import { describe, expect, it } from 'vitest';
import { indentXml } from './Payments';

describe('the wire message as a person reads it', () => {
  it('puts each element on its own line, indented by depth, text kept whole', () => {
    const xml = '<?xml version="1.0"?><Envelope><AppHdr><Fr>A &amp; B</Fr><Empty/></AppHdr><Document/></Envelope>';
    expect(indentXml(xml)).toBe(['<?xml version="1.0"?>', '<Envelope>', '  <AppHdr>', '    <Fr>A &amp; B</Fr>', '    <Empty/>', '  </AppHdr>', '  <Document/>', '</Envelope>'].join('\n'));
  });
});
