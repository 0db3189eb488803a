import {
  Engine,
  ManualClock,
  SequentialIds,
  commands,
  deviceKeyId,
  encodeBase64url,
  hybridKeyPair,
  hybridPublicKeysToJson,
  mustWithApproval,
  sealPush,
  sealedBoxKeyPair,
  seedDemoBank,
  signRequest,
  demoPassword,
  demoUsers,
  type Context,
  type DemoBank,
  type Id128,
  type JsonValue,
  type Outcome,
  type PolicyTable,
  type PushBatch,
  type Verdict,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { SealedCustodyKeys } from '@qenex/engine/node';
import { cheapPasswords, serverKeys } from '../sync/simulation';

/**
 * A bank for the policy matrix: the demo branch, one user per role (branch roles at the branch,
 * central staff at none, and one with no roles), each till-working role with its own open till, a
 * rich customer with USD and EUR accounts, a stand-in policy, and an enrolled workstation every
 * matrix user is registered on. Built once as a SQLite image, copied for every engine under test.
 */
export const matrixRoles = ['teller', 'head_teller', 'compliance_officer', 'operations', 'treasury', 'ledger_operator', 'admin', 'auditor', 'digital_channel', 'none'] as const;
export type MatrixRole = (typeof matrixRoles)[number];
/** Who calls online: the matrix users, and the two callers that are no user (a device's signature, nobody signed in). */
export type OnlineCaller = MatrixRole | 'device' | 'anonymous';
export const onlineCallers: readonly OnlineCaller[] = [...matrixRoles, 'device', 'anonymous'];

export const branchRoles: ReadonlySet<MatrixRole> = new Set(['teller', 'head_teller']);
export const workstationId = 'ws-matrix';
/** A session's device that is no enrolled workstation: a central console. */
export const consoleId = 'matrix-console';

export function userOf(role: MatrixRole): string {
  return `mx-${role.replace('_', '-')}`;
}

/** The amounts a sample moves: well inside every limit, or above the teller's (minor units, USD). */
export type Size = 'small' | 'large';
export const sampleAmount: Readonly<Record<Size, string>> = { small: '1000', large: '1000000' };
/** The over/short a till count shows: none, or 500.00 (over a teller's 0 and a head teller's 100.00). */
export const sampleVariance: Readonly<Record<Size, Record<string, number>>> = { small: {}, large: { '10000': 5 } };
/** The stand-in policy of the matrix branch (minor units, USD). */
export const matrixStandIn = { perTransaction: '300000', perCustomerPerDay: '400000', perTellerPerDay: '1500000' };

export interface Image {
  readonly bytes: Buffer;
  readonly bank: DemoBank;
  readonly startMs: number;
  /** Each till-working matrix user's own open session. */
  readonly sessions: Readonly<Record<string, Id128>>;
  readonly rich: { readonly customerId: Id128; readonly usd: Id128; readonly eur: Id128; readonly tokenA: Id128; readonly tokenB: Id128 };
}

const deviceSigning = hybridKeyPair(new Uint8Array(64).fill(77));
const deviceKem = sealedBoxKeyPair(new Uint8Array(32).fill(78));
const admin2 = { actor: 'ada', roles: ['admin'], deviceId: consoleId };

async function must(engine: Engine, name: string, input: unknown, ctx: Context): Promise<any> {
  const result = await engine.executeAny(name, input, ctx);
  if (!result.ok) throw new Error(`fixture ${name} as ${ctx.actor}: ${result.code} ${result.message}`);
  return result.value;
}

async function approved(engine: Engine, name: string, input: unknown, maker: Context, checker: Context): Promise<any> {
  return mustWithApproval(engine, name as never, input as never, maker, checker);
}

let built: Promise<Image> | undefined;

/** The bank, built once per process. */
export function matrixImage(): Promise<Image> {
  built ??= buildImage();
  return built;
}

async function buildImage(): Promise<Image> {
  const startMs = Date.UTC(2026, 11, 1, 9);
  const clock = new ManualClock(startMs);
  const ids = new SequentialIds(clock, 500);
  const storage = new SqliteStorage({ path: ':memory:' });
  const engine = new Engine({ storage, clock, ids, serverKeys: serverKeys(), passwords: cheapPasswords, paymentFormats: () => [], custodyKeys: matrixCustodyKeys });
  const bank = await seedDemoBank(engine, ids, { clock });
  const { bob, olivia, adam } = demoUsers;
  const bootstrap = { actor: 'bootstrap-1', roles: ['admin'], deviceId: 'bootstrap' };
  const checker = { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' };
  for (const role of matrixRoles) {
    const username = userOf(role);
    await must(engine, 'user.create', { username, displayName: username, password: demoPassword, branchId: branchRoles.has(role) ? bank.branchId : null }, bootstrap);
    if (role !== 'none') await approved(engine, 'user.set_roles', { username, roles: [role] }, bootstrap, checker);
  }
  await approved(engine, 'vault.fund', { transferId: ids.next(), branchId: bank.branchId, money: { amount: '90000000', currency: 'USD' } }, bob, olivia);
  const sessions: Record<string, Id128> = {};
  for (const role of ['teller', 'head_teller'] as const) {
    const tillId = ids.next();
    await must(engine, 'till.create', { tillId, branchId: bank.branchId, code: `MX${role === 'teller' ? 'T' : 'H'}`, currency: 'USD' }, olivia);
    await approved(engine, 'vault.to_till', { transferId: ids.next(), tillId, money: { amount: '5000000', currency: 'USD' } }, bob, { actor: userOf(role), roles: [role], deviceId: consoleId });
    const sessionId = ids.next();
    await must(engine, 'till.open_session', { sessionId, tillId, count: { '10000': 500 } }, { actor: userOf(role), roles: [role], deviceId: consoleId });
    sessions[userOf(role)] = sessionId;
  }
  const rich = await richCustomer(engine, ids, bank);
  await approved(engine, 'standin.set_policy', { branchId: bank.branchId, currency: 'USD', ...matrixStandIn, validForMs: 30 * 24 * 3600 * 1000 }, olivia, adam);
  // Every transfer-limited command runs large for each mode within one business day: the head
  // teller's daily cap is raised so that what decides is the per-transaction limit the table names.
  await approved(engine, 'limit.set', { holder: { role: 'head_teller' }, kind: 'transfer', currency: 'USD', perTransaction: '2000000', perDay: '1000000000' }, olivia, adam);
  await enrolDevice(engine, bank.branchId, workstationId);
  await must(engine, 'payment.set_correspondent', matrixCorrespondent, olivia);
  for (const role of matrixRoles) await must(engine, 'device.register_user', { deviceId: workstationId, username: userOf(role) }, adam);
  const tokens = await richTokens(engine, ids, rich.customerId);
  const bytes = storage.db.serialize();
  await storage.close();
  return { bytes, bank, startMs, sessions, rich: { ...rich, ...tokens } };
}

/** Custody keys for the matrix's token accounts, sealed under a fixed test key. */
const matrixCustodyKeys = new SealedCustodyKeys(new Uint8Array(32).fill(5));
/** The matrix's digital assets: two tokens on a test chain, and a pool between them. */
export const matrixAssets = { chainId: '31337', tokenA: `0x${'a1'.repeat(20)}`, tokenB: `0x${'b2'.repeat(20)}`, pair: `0x${'c3'.repeat(20)}`, router: `0x${'d4'.repeat(20)}` } as const;

/** The rich customer's two token accounts, ten tokens deposited into the first and credited once confirmed. */
async function richTokens(engine: Engine, ids: SequentialIds, customerId: Id128): Promise<{ tokenA: Id128; tokenB: Id128 }> {
  const { olivia, adam, alice } = demoUsers;
  for (const [assetId, contract] of [['MXTA', matrixAssets.tokenA], ['MXTB', matrixAssets.tokenB]] as const) {
    await approved(engine, 'asset.register', { assetId, name: assetId, chainId: matrixAssets.chainId, contract, decimals: 18, maxHoldingTokens: '1000000000', confirmations: 1 }, olivia, adam);
  }
  await approved(engine, 'asset.register_pool', { poolId: 'MXTAB', assetA: 'MXTA', assetB: 'MXTB', pair: matrixAssets.pair, router: matrixAssets.router, deadlineSecondsMax: 600 }, olivia, adam);
  const tokenA = ids.next();
  const tokenB = ids.next();
  const opened = await must(engine, 'asset.open_account', { accountId: tokenA, customerId, assetId: 'MXTA' }, alice);
  await must(engine, 'asset.open_account', { accountId: tokenB, customerId, assetId: 'MXTB' }, alice);
  const blockHash = `0x${'e5'.repeat(32)}`;
  const log = { token: matrixAssets.tokenA, from: `0x${'f6'.repeat(20)}`, to: opened.address, value: (10n * 10n ** 18n).toString(), txHash: `0x${'a7'.repeat(32)}`, logIndex: 0, blockNumber: '1', blockHash };
  await must(engine, 'asset.observe_deposits', { chainId: matrixAssets.chainId, logs: [log] }, gatewayCtx);
  await must(engine, 'asset.confirm', { chainId: matrixAssets.chainId, head: '1', blocks: [{ number: '1', hash: blockHash }] }, gatewayCtx);
  return { tokenA, tokenB };
}

/** The bank's USD correspondent: where the matrix's SWIFT payments go. */
export const matrixCorrespondent = { currency: 'USD', bic: 'CHASUS33XXX', name: 'Matrix Correspondent', ownBic: 'QENXGB2LXXX', accountAtCorrespondent: '400099' } as const;

/** The payment gateway: the server's own process, as no person. */
export const gatewayCtx: Context = { actor: 'swift-gateway', roles: ['system'], deviceId: 'server' };

/** A verified customer with a large USD balance (a deposit held and approved) and a EUR account. */
async function richCustomer(engine: Engine, ids: SequentialIds, bank: DemoBank): Promise<Omit<Image['rich'], 'tokenA' | 'tokenB'>> {
  const { alice, bob } = demoUsers;
  const customerId = ids.next();
  await must(engine, 'customer.create', { customerId, branchId: bank.branchId, fullName: 'Rich Matrix', dateOfBirth: '1970-01-01', nationalId: 'MX-RICH-1', address: '1 Vault Row', phone: '+1 415 555 0100' }, alice);
  await must(engine, 'customer.review_kyc', { customerId, kycStatus: 'verified', riskRating: 'low' }, bob);
  const usd = ids.next();
  const eur = ids.next();
  await must(engine, 'account.open', { accountId: usd, customerId, productId: 'CURRENT-USD' }, alice);
  await must(engine, 'account.open', { accountId: eur, customerId, productId: 'CURRENT-EUR' }, alice);
  await approved(engine, 'cash.deposit', { transferId: ids.next(), sessionId: bank.sessionId, accountId: usd, money: { amount: '50000000', currency: 'USD' } }, alice, bob);
  return { customerId, usd, eur };
}

async function enrolDevice(engine: Engine, branchId: Id128, deviceId: string): Promise<void> {
  const publicKeys = hybridPublicKeysToJson(deviceSigning.publicKeys);
  await must(engine, 'device.enrol', { deviceId, branchId, publicKeys, kemPublicKey: encodeBase64url(deviceKem.publicKey) }, demoUsers.adam);
  await must(engine, 'device.approve', { deviceId }, admin2);
}

/**
 * One engine over a copy of the bank, with the policy table under test, and what its samples need:
 * fresh ids and codes, prerequisites made by the demo's own staff (never by the caller under test),
 * and signed device messages.
 */
export class MatrixWorld {
  readonly engine: Engine;
  readonly storage: SqliteStorage;
  readonly clock: ManualClock;
  readonly ids: SequentialIds;
  private counter = 0;
  private batchSeq = 0;
  private commandSeq = 0;
  private lastDigest = '';

  constructor(
    readonly image: Image,
    policies?: PolicyTable,
  ) {
    this.storage = new SqliteStorage({ path: ':memory:', image: image.bytes });
    this.clock = new ManualClock(image.startMs + 60_000);
    this.ids = new SequentialIds(this.clock, 900);
    this.engine = new Engine({ storage: this.storage, clock: this.clock, ids: this.ids, serverKeys: serverKeys(), passwords: cheapPasswords, paymentFormats: () => [], custodyKeys: matrixCustodyKeys, ...(policies === undefined ? {} : { policies }) });
  }

  close(): Promise<void> {
    return this.storage.close();
  }

  get bank(): DemoBank {
    return this.image.bank;
  }

  next(): number {
    this.counter += 1;
    return this.counter;
  }

  must(name: string, input: unknown, ctx: Context): Promise<any> {
    return must(this.engine, name, input, ctx);
  }

  approved(name: string, input: unknown, maker: Context, checker: Context): Promise<any> {
    return approved(this.engine, name, input, maker, checker);
  }

  /** The caller's own open till session, or alice's for a caller without one. */
  sessionOf(actor: string): Id128 {
    return this.image.sessions[actor] ?? this.bank.sessionId;
  }

  /** An outgoing SWIFT payment of the rich customer, sent alice's way and handed to the correspondent (so it can be recalled). */
  async sentPayment(): Promise<Id128> {
    const paymentId = this.ids.next();
    await this.must('payment.send', paymentSample(this.image.rich.usd, paymentId, '1000'), demoUsers.alice);
    await this.must('payment.mark_sent', { paymentId, type: 'pacs.008', messageId: `MX${this.next()}`, xml: '<Envelope/>' }, gatewayCtx);
    return paymentId;
  }

  /** A withdrawal of the rich customer's tokens, admitted (alice asks, bob agrees); signed by the gateway when asked. */
  async tokenWithdrawal(signed = false): Promise<{ opId: Id128; nonce: number; txHash: string }> {
    const opId = this.ids.next();
    await mustWithApproval(this.engine, 'asset.withdraw', { withdrawalId: opId, accountId: this.image.rich.tokenA, to: `0x${'34'.repeat(20)}`, amount: '1000' } as never, demoUsers.alice, demoUsers.bob);
    const op = await this.storage.read((tx) => tx.banking.get('chainOp', opId));
    const wallet = await this.storage.read((tx) => tx.banking.get('custodyWallet', op!.walletId));
    const txHash = `0x${opId.padStart(64, '0')}`;
    if (signed) await this.must('asset.record_signed', { opId, txs: [{ nonce: wallet!.nextNonce, rawTx: '0x02f8', txHash }] }, gatewayCtx);
    return { opId, nonce: wallet!.nextNonce + (signed ? 1 : 0), txHash };
  }

  /** A reconciliation of the nostro against an (empty) statement, made by the gateway. */
  async reconciliation(): Promise<string> {
    const statementId = `MXSTM${this.next()}`;
    const day = new Date(this.clock.nowMs()).toISOString().slice(0, 10);
    await this.must('payment.reconcile_nostro', reconcileSample(statementId, day), gatewayCtx);
    return statementId;
  }

  /** A customer registered by alice (so anyone else may verify them), verified by bob when asked. */
  async customer(verified: boolean): Promise<Id128> {
    const customerId = this.ids.next();
    const n = this.next();
    await this.must('customer.create', { customerId, branchId: this.bank.branchId, fullName: `Matrix Customer ${n}`, dateOfBirth: '1980-05-05', nationalId: `MX-C-${n}`, address: '2 Ledger Lane', phone: '+1 415 555 0199' }, demoUsers.alice);
    if (verified) await this.must('customer.review_kyc', { customerId, kycStatus: 'verified', riskRating: 'low' }, demoUsers.bob);
    return customerId;
  }

  /** An empty account of a fresh customer. */
  async emptyAccount(): Promise<Id128> {
    const accountId = this.ids.next();
    await this.must('account.open', { accountId, customerId: await this.customer(true), productId: 'SAVINGS-USD' }, demoUsers.alice);
    return accountId;
  }

  /** A till with nothing in it, made by operations. */
  async emptyTill(): Promise<Id128> {
    const tillId = this.ids.next();
    await this.must('till.create', { tillId, branchId: this.bank.branchId, code: `MXE${this.next()}`, currency: 'USD' }, demoUsers.olivia);
    return tillId;
  }

  /** An approval request another person made (alice's deposit over her limit). */
  async pendingApproval(): Promise<Id128> {
    const held = await this.engine.executeAny(
      'cash.deposit',
      { transferId: this.ids.next(), sessionId: this.bank.sessionId, accountId: this.bank.customers[0]!.accountIds[0]!, money: { amount: '900000', currency: 'USD' } },
      demoUsers.alice,
    );
    const approvalId = held.ok ? undefined : held.details?.approvalId;
    if (typeof approvalId !== 'string') throw new Error(`fixture: alice's deposit was not held: ${JSON.stringify(held)}`);
    return approvalId as Id128;
  }

  /**
   * A fresh open compliance case, assigned to the caller when they may work cases (to carol
   * otherwise): a new customer's cash over 10,000 USD in a day alerts (deposits bob approved over alice's limit).
   */
  async openCase(actor: string, roles: readonly string[]): Promise<Id128> {
    const customerId = await this.customer(true);
    const accountId = this.ids.next();
    await this.must('account.open', { accountId, customerId, productId: 'CURRENT-USD' }, demoUsers.alice);
    for (let index = 0; index < 2; index += 1) {
      await this.approved('cash.deposit', { transferId: this.ids.next(), sessionId: this.bank.sessionId, accountId, money: { amount: '600000', currency: 'USD' } }, demoUsers.alice, demoUsers.bob);
    }
    const cases = (await this.must('case.list', { view: 'queue', queue: 'monitoring' }, demoUsers.carol)) as { id: Id128; customerIds: string[] }[];
    const opened = cases.find((found) => found.customerIds.includes(customerId));
    if (opened === undefined) throw new Error("fixture: the new customer's cash opened no case");
    await this.must('case.assign', { caseId: opened.id, assignee: roles.includes('compliance_officer') ? actor : 'carol' }, demoUsers.carol);
    return opened.id;
  }

  /** A CTR filed from a fresh case: carol proposes, dana approves. */
  async filedReport(): Promise<Id128> {
    const caseId = await this.openCase('carol', ['compliance_officer']);
    const proposed = (await this.must('case.propose_report', { caseId, proposalId: this.ids.next(), form: 'CTRX' }, demoUsers.carol)) as { proposal: { approvalId: string } };
    const filed = (await this.must('approval.decide', { approvalId: proposed.proposal.approvalId, decision: 'approve' }, demoUsers.dana)) as { result: { report: { id: Id128 } } };
    return filed.result.report.id;
  }

  /** Two raw ledger accounts (no banking code), made by the ledger operator. */
  async rawAccounts(): Promise<[Id128, Id128]> {
    const a = this.ids.next();
    const b = this.ids.next();
    await this.must('ledger.create_accounts', { accounts: [{ id: a, ledger: 840, code: 1 }, { id: b, ledger: 840, code: 1 }] }, demoUsers.lena);
    return [a, b];
  }

  /** The public keys every matrix device enrols with. */
  deviceKeys() {
    return { publicKeys: hybridPublicKeysToJson(deviceSigning.publicKeys), kemPublicKey: encodeBase64url(deviceKem.publicKey) };
  }

  /** A device enrolled by adam, pending, or approved by another administrator. */
  async device(approve: boolean): Promise<string> {
    const deviceId = `mx-dev-${this.next()}`;
    await this.must('device.enrol', { deviceId, branchId: this.bank.branchId, ...this.deviceKeys() }, demoUsers.adam);
    if (approve) await this.must('device.approve', { deviceId }, admin2);
    return deviceId;
  }

  /** A signed request from a workstation (pull, subscription, rotation), fresh, with a new nonce. */
  signedRequest(kind: string, deviceId: string, body: { readonly [key: string]: JsonValue } = {}) {
    return signRequest(kind, { deviceId, atMs: this.clock.nowMs(), nonce: `matrix-nonce-${this.next()}-${deviceId}`, ...body }, signer(deviceId));
  }

  /** A rotation request signed with a device's current keys (to the same keys: only the signature matters here). */
  rotation(deviceId: string) {
    return this.signedRequest('rotate_keys', deviceId, { publicKeys: { ...hybridPublicKeysToJson(deviceSigning.publicKeys) }, kemPublicKey: encodeBase64url(deviceKem.publicKey) });
  }

  /** A first batch from a fresh approved device: one command the server replays (and may refuse; the push itself stands). */
  async freshBatch(): Promise<unknown> {
    const deviceId = await this.device(true);
    const batch: PushBatch = { deviceId, batchSeq: 1, prevDigest: '', commands: [{ seq: 1, name: 'customer.get', input: { customerId: this.bank.customers[0]!.id }, actor: userOf('teller'), roles: [], atMs: this.clock.nowMs() }] };
    return sealPush(batch, signer(deviceId), serverKeys().kem.publicKey);
  }

  /** Pushes commands as one batch from the matrix workstation; the server's verdict for each. */
  async push(queued: ReadonlyArray<{ readonly name: string; readonly input: unknown; readonly actor: string }>): Promise<Verdict[]> {
    this.batchSeq += 1;
    const batch: PushBatch = {
      deviceId: workstationId,
      batchSeq: this.batchSeq,
      prevDigest: this.lastDigest,
      commands: queued.map((command) => {
        this.commandSeq += 1;
        return { seq: this.commandSeq, name: command.name, input: wire(command.input) as { [key: string]: JsonValue }, actor: command.actor, roles: [], atMs: this.clock.nowMs() };
      }),
    };
    const result = await this.engine.executeAny('sync.push', { message: sealPush(batch, signer(workstationId), serverKeys().kem.publicKey) }, { actor: 'device', roles: ['device'], deviceId: 'network' });
    if (!result.ok) throw new Error(`push refused: ${result.code} ${result.message}`);
    const answer = (result.value as { answer: { payload: { verdicts: Verdict[]; batchDigest: string } } }).answer;
    this.lastDigest = answer.payload.batchDigest;
    return answer.payload.verdicts;
  }

  /** The kind of a command, as its spec declares it (reads are never replayed). */
  static kindOf(name: string): 'read' | 'write' {
    return (commands as Record<string, { kind: 'read' | 'write' }>)[name]!.kind;
  }
}

function signer(deviceId: string) {
  return { keyId: deviceKeyId(deviceId, 1), secretKeys: deviceSigning.secretKeys };
}

/** An input as the wire and the outbox carry it: amounts as strings. */
function wire(input: unknown): JsonValue {
  return JSON.parse(JSON.stringify(input, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))) as JsonValue;
}

export type { Outcome };

/** A SWIFT payment from `fromAccountId` to a beneficiary in Germany. */
export function paymentSample(fromAccountId: string, paymentId: string, amount: string) {
  return {
    paymentId,
    fromAccountId,
    money: { amount, currency: 'USD' },
    creditor: { name: 'Matrix Beneficiary GmbH', kind: 'company', account: { iban: 'DE89370400440532013000' }, townName: 'Berlin', country: 'DE' },
    creditorAgentBic: 'COBADEFFXXX',
    debtorAddress: { townName: 'San Francisco', country: 'US' },
  };
}

export function reconcileSample(statementId: string, day: string) {
  const zero = { amount: '0', creditDebit: 'CRDT' };
  return { messageId: statementId, xml: '<Envelope/>', currency: 'USD', statementId, fromDate: day, toDate: day, opening: zero, closing: zero, entries: [] };
}
