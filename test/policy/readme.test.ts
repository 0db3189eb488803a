import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyTable } from '../../scripts/policy-table';

describe('the README', () => {
  it("shows who may do what exactly as the policy table says (regenerate with npm run policy:table)", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(policyTable());
  });
});
