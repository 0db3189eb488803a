import { describe, expect, it } from 'vitest';
import { admit, type AdmissionRequest, type Caller } from './admit';
import { commandPolicies } from './table';

const teller: Caller = { id: 'tina', roles: ['teller'], status: 'active', branchId: 'b1', onDevice: null };
const head: Caller = { id: 'hugo', roles: ['head_teller'], status: 'active', branchId: 'b1', onDevice: null };
const limit = { perTransactionMinor: 500_000n, perDayMinor: 1_000_000n };

function request(overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    command: 'cash.withdraw',
    kind: 'write',
    mode: 'online',
    host: 'authority',
    caller: teller,
    deviceBranchId: null,
    subject: { branchId: 'b1', tellerId: 'tina' },
    measure: { amountMinor: 10_000n, currency: 'USD' },
    limit,
    usedTodayMinor: 0n,
    standIn: null,
    checker: null,
    ...overrides,
  };
}
const withdraw = commandPolicies['cash.withdraw'];
const decision = (overrides: Partial<AdmissionRequest>, policy = withdraw) => admit(policy, request(overrides));

describe('admission', () => {
  it('allows what is within the permission, the scope and the limit, and counts it toward the day', () => {
    expect(decision({})).toEqual({ kind: 'allow', countsTowardLimit: true, approvedBy: null });
  });

  it('refuses an unknown command, a disabled or unknown caller, and a caller without the permission, before anything else', () => {
    expect(admit(undefined, request())).toMatchObject({ kind: 'refuse', code: 'unknown_command' });
    expect(decision({ caller: { ...teller, status: 'disabled' } })).toMatchObject({ code: 'user_disabled' });
    expect(decision({ caller: { ...teller, status: 'unknown' } })).toMatchObject({ code: 'user_unknown' });
    expect(decision({ caller: { ...teller, roles: ['auditor'] } })).toMatchObject({ code: 'permission_denied' });
  });

  it('keeps where a command may run: reads and online commands are never replayed; a workstation needs the server for online ones', () => {
    expect(decision({ mode: 'replay', kind: 'read' })).toMatchObject({ code: 'not_replayable' });
    expect(decision({ mode: 'replay' }, commandPolicies['customer.create'])).toMatchObject({ code: 'not_allowed_offline' });
    expect(decision({ mode: 'offline', host: 'workstation' }, commandPolicies['account.open'])).toMatchObject({ code: 'needs_server' });
    expect(decision({ viaWorkstation: true, caller: { ...teller, roles: ['admin'] } }, commandPolicies['user.create'])).toMatchObject({ code: 'server_only' });
  });

  it('confines a branch role to its branch, its own till, and a workstation to its own branch', () => {
    expect(decision({ subject: { branchId: 'b2', tellerId: 'tina' } })).toMatchObject({ code: 'out_of_scope' });
    expect(decision({ subject: { branchId: 'b1', tellerId: 'tom' } })).toMatchObject({ code: 'session_belongs_to_another_teller' });
    expect(decision({ caller: { ...teller, branchId: null } })).toMatchObject({ code: 'no_branch_assigned' });
    expect(decision({ mode: 'replay', caller: { ...teller, onDevice: true }, deviceBranchId: 'b2' })).toMatchObject({ code: 'out_of_scope' });
    // Central staff reach every branch.
    const central: Caller = { id: 'cora', roles: ['compliance_officer'], status: 'active', branchId: null, onDevice: null };
    expect(admit(commandPolicies['customer.get'], request({ caller: central, command: 'customer.get', kind: 'read', subject: { branchId: 'b9' } }))).toMatchObject({ kind: 'allow' });
  });

  it('replays only for users registered on the workstation', () => {
    expect(decision({ mode: 'replay', caller: { ...teller, onDevice: false }, deviceBranchId: 'b1' })).toMatchObject({ code: 'user_not_on_device' });
  });

  it('holds what is over the limit per transaction, over the day, or with no limit set, naming the bound and who may approve', () => {
    expect(decision({ measure: { amountMinor: 500_001n, currency: 'USD' } })).toMatchObject({ kind: 'hold', basis: 'per_transaction', checker: 'till.supervise', limit: 'cash' });
    expect(decision({ usedTodayMinor: 990_001n })).toMatchObject({ kind: 'hold', basis: 'per_day' });
    expect(decision({ limit: null })).toMatchObject({ kind: 'hold', basis: 'no_limit' });
    expect(decision({ usedTodayMinor: 990_000n })).toMatchObject({ kind: 'allow' });
  });

  it('bounds payouts by the stand-in policy offline and replayed, never online', () => {
    const standIn = { ok: false as const, code: 'exceeds_stand_in_limit' as const, limit: 'per_customer_per_day' as const, message: 'over' };
    expect(decision({ standIn })).toMatchObject({ kind: 'allow' });
    expect(decision({ mode: 'offline', standIn })).toMatchObject({ kind: 'hold', basis: 'stand_in', limit: 'per_customer_per_day' });
    expect(decision({ mode: 'replay', caller: { ...teller, onDevice: true }, deviceBranchId: 'b1', standIn })).toMatchObject({ kind: 'hold', basis: 'stand_in' });
  });

  it('lets a second person release a hold only if they differ from the maker, are active, hold the checker permission and are in scope', () => {
    const over = { measure: { amountMinor: 600_000n, currency: 'USD' } };
    expect(decision({ ...over, checker: head })).toEqual({ kind: 'allow', countsTowardLimit: false, approvedBy: 'hugo' });
    expect(decision({ ...over, checker: teller })).toMatchObject({ code: 'checker_must_differ' });
    expect(decision({ ...over, checker: { ...head, status: 'disabled' } })).toMatchObject({ code: 'checker_disabled' });
    expect(decision({ ...over, checker: { ...head, id: 'tom', roles: ['teller'] } })).toMatchObject({ code: 'checker_lacks_permission' });
    expect(decision({ ...over, checker: { ...head, branchId: 'b2' } })).toMatchObject({ code: 'checker_out_of_scope' });
    expect(decision({ ...over, mode: 'offline', checker: { ...head, onDevice: false } })).toMatchObject({ code: 'checker_not_on_device' });
  });

  it('always holds what always needs a second person, and keeps the maker of a subject from its next step', () => {
    const admin: Caller = { id: 'ada', roles: ['admin'], status: 'active', branchId: null, onDevice: null };
    const roles = request({ command: 'user.set_roles', caller: admin, subject: null, measure: null, limit: null });
    expect(admit(commandPolicies['user.set_roles'], roles)).toMatchObject({ kind: 'hold', basis: 'always', checker: 'user.manage' });
    const kyc = request({ command: 'customer.review_kyc', caller: head, subject: { branchId: 'b1', creatorId: 'hugo' }, measure: null, limit: null });
    expect(admit(commandPolicies['customer.review_kyc'], kyc)).toMatchObject({ code: 'checker_must_differ' });
    expect(admit(commandPolicies['customer.review_kyc'], { ...kyc, subject: { branchId: 'b1', creatorId: 'tina' } })).toMatchObject({ kind: 'allow' });
  });

  it("holds a rate sheet that moves past the table's own tolerance", () => {
    const treasurer: Caller = { id: 'tess', roles: ['treasury'], status: 'active', branchId: null, onDevice: null };
    const sheet = (bp: bigint) => request({ command: 'fx.publish_rates', caller: treasurer, subject: null, limit: null, measure: { amountMinor: bp, currency: 'basis_points' } });
    expect(admit(commandPolicies['fx.publish_rates'], sheet(500n))).toMatchObject({ kind: 'allow' });
    expect(admit(commandPolicies['fx.publish_rates'], sheet(501n))).toMatchObject({ kind: 'hold', checker: 'fx.rates.publish', limit: 'rate_move' });
  });
});
