/**
 * Roles and what each may do. Every command names one permission; a context without it is refused
 * before the command reads anything.
 */
export const roles = ['teller', 'head_teller', 'compliance_officer', 'operations', 'admin', 'auditor'] as const;
/** Whoever has not signed in yet: may only sign in. */
export const anonymousRole = 'anonymous';
export type Role = (typeof roles)[number];

export const permissions = [
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
  'transfer.create',
  'audit.read',
  'audit.anchor',
  'user.manage',
  'session.create',
  'device.manage',
  'sync.push',
  'sync.exceptions',
] as const;
export type Permission = (typeof permissions)[number];

const tellerPermissions: readonly Permission[] = [
  'customer.read',
  'customer.write',
  'account.read',
  'account.open',
  'till.operate',
  'fx.exchange',
  'transfer.create',
];

export const rolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  teller: tellerPermissions,
  head_teller: [
    ...tellerPermissions,
    'customer.verify',
    'till.supervise',
    'vault.operate',
    'approval.decide',
    'account.close',
    'ledger.read',
    'sync.exceptions',
  ],
  compliance_officer: ['customer.read', 'customer.verify', 'account.read', 'ledger.read', 'audit.read', 'sync.exceptions'],
  operations: [
    'approval.decide',
    'customer.read',
    'account.read',
    'ledger.read',
    'ledger.write',
    'branch.manage',
    'product.manage',
    'limits.manage',
    'vault.operate',
    'audit.anchor',
  ],
  admin: ['branch.manage', 'product.manage', 'limits.manage', 'audit.read', 'user.manage', 'approval.decide', 'device.manage'],
  auditor: ['customer.read', 'account.read', 'ledger.read', 'audit.read'],
};

/**
 * What a workstation's signature (not a person's session) authorises: pushing its batches and
 * pulling its branch. Never assignable to a user.
 */
export const deviceRole = 'device';
const devicePermissions: readonly Permission[] = ['sync.push'];

/**
 * The server's own scheduled work (signing the audit head periodically and at shutdown), run
 * as no person. Never assignable to a user.
 */
export const systemRole = 'system';
const systemPermissions: readonly Permission[] = ['audit.anchor'];

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
