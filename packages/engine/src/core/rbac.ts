/**
 * Roles and what each may do. Every command names one permission; a context without it is refused
 * before the command reads anything.
 */
export const roles = ['teller', 'head_teller', 'compliance_officer', 'operations', 'treasury', 'ledger_operator', 'admin', 'auditor', 'digital_channel'] as const;
/** Whoever has not signed in yet: may only sign in. */
export const anonymousRole = 'anonymous';
export type Role = (typeof roles)[number];

export const permissions = [
  'branch.read',
  'customer.read',
  'customer.write',
  'customer.verify',
  'account.read',
  'account.open',
  'account.close',
  'ledger.read',
  'ledger.write',
  'till.operate',
  'till.supervise',
  'vault.operate',
  'approval.decide',
  'branch.manage',
  'product.manage',
  'limits.manage',
  'fx.exchange',
  'fx.rates.publish',
  'fx.rates.read',
  'transfer.create',
  'audit.read',
  'audit.anchor',
  'access.read',
  'user.manage',
  'session.create',
  'device.manage',
  'sync.push',
  'sync.exceptions',
  'update.install',
  'update.status',
  'compliance.screen',
  'compliance.review',
  'compliance.rules',
  'screening.sweep',
  'payment.send',
  'payment.read',
  'payment.recall',
  'payment.manage',
  'payment.gateway',
  'asset.read',
  'asset.manage',
  'asset.withdraw',
  'asset.swap',
  'asset.gateway',
  'cbdc.manage',
  'cbdc.treasury',
  'cbdc.gateway',
  'cbdc.settle',
] as const;
export type Permission = (typeof permissions)[number];

const tellerPermissions: readonly Permission[] = [
  'branch.read',
  'customer.read',
  'customer.write',
  'account.read',
  'account.open',
  'till.operate',
  'fx.exchange',
  'fx.rates.read',
  'transfer.create',
  'payment.send',
  'payment.read',
  'asset.read',
  'asset.withdraw',
  'asset.swap',
];

export const rolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  // A teller decides only what the policy lets a teller check: cash handed to their till from the vault.
  teller: [...tellerPermissions, 'approval.decide'],
  head_teller: [
    ...tellerPermissions,
    'customer.verify',
    'till.supervise',
    'vault.operate',
    'approval.decide',
    'account.close',
    'ledger.read',
    'sync.exceptions',
    'payment.recall',
  ],
  compliance_officer: ['payment.read', 'branch.read', 'customer.read', 'customer.verify', 'account.read', 'ledger.read', 'audit.read', 'access.read', 'sync.exceptions', 'compliance.screen', 'compliance.review', 'compliance.rules', 'approval.decide', 'screening.sweep'],
  operations: ['asset.read', 'asset.manage', 'payment.read', 'payment.recall', 'payment.manage', 'approval.decide', 'branch.read', 'fx.rates.read', 'customer.read', 'account.read', 'ledger.read', 'branch.manage', 'product.manage', 'limits.manage', 'vault.operate', 'audit.anchor'],
  /** Publishes the bank's rate sheets; moves no money itself. */
  treasury: ['branch.read', 'fx.rates.publish', 'fx.rates.read', 'ledger.read', 'approval.decide', 'cbdc.manage', 'cbdc.treasury'],
  /**
   * Raw ledger batches for the bank's own integrations (clearing, suspense): the one role that
   * posts outside a banking command, and never to a customer's or a branch's accounts.
   */
  ledger_operator: ['ledger.read', 'ledger.write'],
  admin: ['asset.read', 'asset.manage', 'branch.read', 'branch.manage', 'product.manage', 'limits.manage', 'audit.read', 'user.manage', 'approval.decide', 'device.manage', 'update.status', 'cbdc.manage'],
  auditor: ['payment.read', 'branch.read', 'fx.rates.read', 'customer.read', 'account.read', 'ledger.read', 'audit.read', 'access.read'],
  /**
   * The bank's online and mobile banking front end: it moves a customer's money on the customer's
   * instruction (naming the device and country it came from), within its own limits, and sees
   * the accounts it moves money between. No till, no cash, no approvals.
   */
  digital_channel: ['branch.read', 'customer.read', 'account.read', 'transfer.create', 'payment.send'],
};

/** Roles that work at one branch: a user holding one serves only the branch they are assigned to. */
export const branchRoles: readonly Role[] = ['teller', 'head_teller'];

/**
 * What a workstation's signature (not a person's session) authorises: pushing its batches and
 * pulling its branch. Never assignable to a user.
 */
export const deviceRole = 'device';
const devicePermissions: readonly Permission[] = ['sync.push'];

/**
 * A host's own work, run as no person: the server signing the audit head (periodically and at
 * shutdown), a host's update client installing content it verified from the pinned root, and the
 * server re-screening its customers when a sanctions list changes, and its payment gateway
 * applying what the correspondent sent. Never assignable to a user.
 */
export const systemRole = 'system';
const systemPermissions: readonly Permission[] = ['audit.anchor', 'update.install', 'screening.sweep', 'payment.gateway', 'asset.gateway', 'cbdc.gateway', 'cbdc.settle'];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function rolesAllow(actorRoles: readonly string[], permission: Permission): boolean {
  // Signing in is what a caller without a session does; everything else needs a role that grants it.
  if (permission === 'session.create') return true;
  if (actorRoles.includes(deviceRole)) return devicePermissions.includes(permission);
  if (actorRoles.includes(systemRole)) return systemPermissions.includes(permission);
  return actorRoles.some((role) => isRole(role) && rolePermissions[role].includes(permission));
}
