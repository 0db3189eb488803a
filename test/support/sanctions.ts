/** Installs a sanctions list as the update client does once its signed metadata verified (the trust itself is tested in test/updates). */
import { createHash } from 'node:crypto';
import { encodeSanctionsList, sanctionsPath, systemRole, type Clock, type Engine, type SanctionsList } from '@qenex/engine';

export async function installSanctionsList(engine: Engine, clock: Clock, document: SanctionsList): Promise<void> {
  const body = encodeSanctionsList(document);
  const bytes = new TextEncoder().encode(body);
  const installed = await engine.execute(
    'update.install',
    {
      trust: { roots: [], timestamp: null, snapshot: null, targets: null, delegated: {}, verifiedAtMs: clock.nowMs() },
      install: [{ path: sanctionsPath(document.listId), role: 'compliance', sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length, body }],
      remove: [],
      checkedAtMs: clock.nowMs(),
      refusal: null,
      appStaged: null,
    },
    { actor: 'update-client', roles: [systemRole], deviceId: 'update-client' },
  );
  if (!installed.ok) throw new Error(`update.install refused: ${installed.code}: ${installed.message}`);
}
