/**
 * The README's table of who may do what, generated from the policy table and the roles' grants:
 * `npm run policy:table` prints it; test/policy/readme.test.ts fails when the README's copy is stale.
 */
import { commandPolicies, rolePermissions, roles, type CommandPolicy } from '@qenex/engine';

const runs: Readonly<Record<CommandPolicy['runs'], string>> = {
  offline: 'offline (replayed)',
  local: 'offline (local)',
  online: 'online',
  server: 'server only',
};

function holders(policy: CommandPolicy): string {
  if (policy.permission === 'session.create') return 'everyone';
  if (policy.permission === 'sync.push') return 'a workstation (its signature)';
  if (policy.permission === 'audit.anchor' && !roles.some((role) => rolePermissions[role].includes('audit.anchor'))) return 'the server';
  if (policy.permission === 'update.install') return "the host's update client (after verifying the signed metadata)";
  if (policy.permission === 'payment.gateway') return "the server's payment gateway (what the correspondent sent)";
  if (policy.permission === 'asset.gateway') return "the server's custody gateway (what the chain shows)";
  if (policy.permission === 'cbdc.gateway') return "the server's CBDC gateway (what the central bank's settlement reports)";
  if (policy.permission === 'cbdc.settle') return "the server's CBDC settlement (signed token transactions)";
  const granted = roles.filter((role) => rolePermissions[role].includes(policy.permission));
  const system = policy.permission === 'audit.anchor' ? ['the server'] : [];
  return [...granted, ...system].join(', ') || 'nobody';
}

function limit(policy: CommandPolicy): string {
  if (policy.limit === null) return '';
  if (typeof policy.limit === 'object') return `${policy.limit.kind} ≤ ${policy.limit.maxBasisPoints} bp`;
  return `${policy.limit} per transaction and day${policy.standIn === true ? '; stand-in offline' : ''}`;
}

function secondPerson(policy: CommandPolicy): string {
  const second = policy.secondPerson;
  const segregation = policy.notBySubjectCreator === true ? 'not its maker' : '';
  if (second.when === 'never') return segregation;
  const who = `${second.when === 'always' ? 'always' : 'above limit'}: ${second.checker}`;
  return segregation === '' ? who : `${who}; ${segregation}`;
}

export function policyTable(): string {
  const lines = [
    '| command | permission | held by | scope | limit | second person | runs |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [name, policy] of Object.entries(commandPolicies).sort(([a], [b]) => a.localeCompare(b)) as Array<[string, CommandPolicy]>) {
    const scope = policy.scope === 'any' ? '' : policy.scope.replace('_', ' ');
    lines.push(`| \`${name}\` | ${policy.permission} | ${holders(policy)} | ${scope} | ${limit(policy)} | ${secondPerson(policy)} | ${runs[policy.runs]} |`);
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('policy-table.ts')) process.stdout.write(`${policyTable()}\n`);
