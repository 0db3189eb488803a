import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkstationSync, type Id128, encodeBase64url, hybridKeyPair, hybridPublicKeysToJson, sealedBoxKeyPair } from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { encodeSecrets, type HostConfig } from './host';

export interface EnrolRequest {
  readonly deviceId: string;
  readonly branchId: string;
  /** An administrator's bearer token at the server; a second administrator approves the enrolment there. */
  readonly adminToken: string;
}

export type EnrolResult = { readonly ok: true; readonly status: 'enrolled' | 'already_enrolled' } | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * Enrols this workstation with the server: new device keys (kept in the host's secret store, never
 * in the database), the public halves registered by an administrator, the server's keys pinned in
 * the local state. The device can sync once a second administrator has approved it at the server.
 */
export async function enrolWorkstation(config: Pick<HostConfig, 'dataDir' | 'serverUrl' | 'secrets' | 'fetcher'>, request: EnrolRequest): Promise<EnrolResult> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const storage = new SqliteStorage({ path: join(config.dataDir, 'workstation.db') });
  try {
    if ((await storage.read((tx) => tx.banking.get('workstation', 'local'))) !== undefined && (await config.secrets.load()) !== null) return { ok: true, status: 'already_enrolled' };
    const fetcher = config.fetcher ?? globalThis.fetch;
    const signingSeed = globalThis.crypto.getRandomValues(new Uint8Array(64));
    const kem = sealedBoxKeyPair();
    const signing = hybridKeyPair(signingSeed);
    const enrol = await fetcher(`${config.serverUrl}/api/v1/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${request.adminToken}`, 'idempotency-key': `enrol-${request.deviceId}-${encodeBase64url(signing.publicKeys.ed25519)}` },
      body: JSON.stringify({ deviceId: request.deviceId, branchId: request.branchId, publicKeys: hybridPublicKeysToJson(signing.publicKeys), kemPublicKey: encodeBase64url(kem.publicKey) }),
    });
    if (enrol.status !== 201 && enrol.status !== 200) {
      const problem = (await enrol.json().catch(() => ({}))) as { code?: string; detail?: string };
      return { ok: false, code: problem.code ?? `http_${enrol.status}`, message: problem.detail ?? `The server refused the enrolment (${enrol.status}).` };
    }
    const keys = (await (await fetcher(`${config.serverUrl}/api/v1/server-keys`)).json()) as { publicKeys: { mlDsa65: string; ed25519: string }; kemPublicKey: string };
    await config.secrets.save(encodeSecrets({ signingSeed: encodeBase64url(signingSeed), kemSecretKey: encodeBase64url(kem.secretKey) }));
    await WorkstationSync.initialise(storage, {
      deviceId: request.deviceId,
      branchId: request.branchId as Id128,
      keyVersion: 1,
      // The secret keys live in the secret store; the database holds none.
      signingSeed: '',
      kemSecretKey: '',
      serverPublicKeys: keys.publicKeys,
      serverKeyVersion: 1,
      serverKemPublicKey: keys.kemPublicKey,
    });
    return { ok: true, status: 'enrolled' };
  } finally {
    await storage.close();
  }
}
