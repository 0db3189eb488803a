import { demoPassword } from '@qenex/engine';
import { enrolWorkstation } from './enrol';
import type { HostConfig } from './host';

/** The demo branch's workstation id. */
export const demoDeviceId = 'ws-main-street-1';
/** The branch staff the demo registers on it. */
export const demoBranchStaff = ['alice', 'tom', 'bob'] as const;

interface Api {
  (method: 'GET' | 'POST', path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }>;
}

function api(serverUrl: string, fetcher: typeof fetch): Api {
  let keys = 0;
  return async (method, path, token, body) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = `demo-${Date.now()}-${(keys += 1)}`;
    const response = await fetcher(`${serverUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : JSON.parse(text) };
  };
}

async function signIn(call: Api, username: string): Promise<string> {
  const answer = await call('POST', '/api/v1/sessions', null, { username, password: demoPassword, deviceId: 'demo-setup' });
  if (answer.status !== 201) throw new Error(`demo setup: ${username} could not sign in: ${JSON.stringify(answer.body)}`);
  return String(answer.body.token);
}

/**
 * The demo branch's workstation, set up as a bank's would be: an administrator enrols it, a second
 * administrator approves it (`approve`: the demo's second administrator at the server), the branch
 * staff are registered on it, and operations sets the branch's offline limits with an
 * administrator's approval. Done once; a workstation already enrolled is left as it is.
 */
export async function setUpDemoWorkstation(config: Pick<HostConfig, 'dataDir' | 'serverUrl' | 'secrets' | 'fetcher'>, approve: (deviceId: string) => Promise<void>): Promise<{ readonly deviceId: string; readonly fresh: boolean }> {
  const call = api(config.serverUrl, config.fetcher ?? globalThis.fetch);
  const adam = await signIn(call, 'adam');
  const branches = await call('GET', '/api/v1/branches', adam);
  const branch = (branches.body as Array<{ id: string; code: string }>).find((candidate) => candidate.code === '0001');
  if (branch === undefined) throw new Error('demo setup: the server has no branch 0001 (start it with QENEX_DEMO=true on an empty database)');
  const enrolled = await enrolWorkstation(config, { deviceId: demoDeviceId, branchId: branch.id, adminToken: adam });
  if (!enrolled.ok) throw new Error(`demo setup: enrolment refused: ${enrolled.code}: ${enrolled.message}`);
  if (enrolled.status === 'already_enrolled') return { deviceId: demoDeviceId, fresh: false };
  await approve(demoDeviceId);
  for (const username of demoBranchStaff) {
    const registered = await call('POST', `/api/v1/devices/${demoDeviceId}/users`, adam, { username });
    if (registered.status !== 201 && registered.status !== 200) throw new Error(`demo setup: registering ${username}: ${JSON.stringify(registered.body)}`);
  }
  const olivia = await signIn(call, 'olivia');
  const policy = await call('POST', '/api/v1/stand-in-policies', olivia, {
    branchId: branch.id,
    currency: 'USD',
    perTransaction: '300000',
    perCustomerPerDay: '500000',
    perTellerPerDay: '2000000',
    validForMs: 7 * 86_400_000,
  });
  if (policy.status === 202) await call('POST', `/api/v1/approvals/${policy.body.approvalId}/decision`, adam, { decision: 'approve', note: 'demo branch offline limits' });
  else if (policy.status !== 200) throw new Error(`demo setup: stand-in policy: ${JSON.stringify(policy.body)}`);
  return { deviceId: demoDeviceId, fresh: true };
}
