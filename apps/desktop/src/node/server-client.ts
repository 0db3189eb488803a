import type { BridgeOutcome } from '@qenex/ui/bridge';

/** Longest an online request may take before the workstation treats the link as down. */
export const onlineRequestTimeoutMs = 15_000;

/** What the server answered, or that it could not be reached at all. */
export type ServerAnswer = { readonly reached: true; readonly status: number; readonly body: unknown } | { readonly reached: false; readonly message: string };

/**
 * The commands a workstation sends to the server while the link is up, and where each goes in the
 * server's API. Path fields are taken out of the input; the rest is the body.
 */
const onlineRoutes: Readonly<Record<string, { readonly method: 'GET' | 'POST'; readonly path: string; readonly pathFields: readonly string[] }>> = {
  'cash.deposit': { method: 'POST', path: '/api/v1/till-sessions/:sessionId/deposits', pathFields: ['sessionId'] },
  'cash.withdraw': { method: 'POST', path: '/api/v1/till-sessions/:sessionId/withdrawals', pathFields: ['sessionId'] },
  'transfer.internal': { method: 'POST', path: '/api/v1/internal-transfers', pathFields: [] },
  'fx.exchange': { method: 'POST', path: '/api/v1/exchanges', pathFields: [] },
  'till.open_session': { method: 'POST', path: '/api/v1/tills/:tillId/sessions', pathFields: ['tillId'] },
  'till.close_session': { method: 'POST', path: '/api/v1/till-sessions/:sessionId/close', pathFields: ['sessionId'] },
  'approval.list': { method: 'GET', path: '/api/v1/approvals', pathFields: [] },
  'account.statement': { method: 'GET', path: '/api/v1/accounts/:accountId/statement', pathFields: ['accountId'] },
  'update.status': { method: 'GET', path: '/api/v1/updates/status', pathFields: [] },
  'case.list': { method: 'GET', path: '/api/v1/cases', pathFields: [] },
  'case.get': { method: 'GET', path: '/api/v1/cases/:caseId', pathFields: ['caseId'] },
  'case.assign': { method: 'POST', path: '/api/v1/cases/:caseId/assignment', pathFields: ['caseId'] },
  'case.note': { method: 'POST', path: '/api/v1/cases/:caseId/notes', pathFields: ['caseId'] },
  'case.investigate': { method: 'POST', path: '/api/v1/cases/:caseId/investigation', pathFields: ['caseId'] },
  'case.close': { method: 'POST', path: '/api/v1/cases/:caseId/closure', pathFields: ['caseId'] },
  'case.propose_report': { method: 'POST', path: '/api/v1/cases/:caseId/report-proposals', pathFields: ['caseId'] },
  'monitoring.settings': { method: 'GET', path: '/api/v1/monitoring/scenarios', pathFields: [] },
  'monitoring.shadow': { method: 'GET', path: '/api/v1/monitoring/shadow', pathFields: [] },
  'monitoring.replay': { method: 'GET', path: '/api/v1/monitoring/replay', pathFields: [] },
  'payment.send': { method: 'POST', path: '/api/v1/payments', pathFields: [] },
  'payment.list': { method: 'GET', path: '/api/v1/payments', pathFields: [] },
  'payment.get': { method: 'GET', path: '/api/v1/payments/:paymentId', pathFields: ['paymentId'] },
  'payment.recall': { method: 'POST', path: '/api/v1/payments/:paymentId/recall', pathFields: ['paymentId'] },
};

export function sentOnline(command: string): boolean {
  return onlineRoutes[command] !== undefined;
}

/** The server's HTTP API as a workstation uses it: signing people in, and the commands it sends online. */
export class ServerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly deviceId: string,
    private readonly fetcher: typeof fetch = globalThis.fetch,
  ) {}

  async signIn(username: string, password: string): Promise<ServerAnswer> {
    return this.request('POST', '/api/v1/sessions', { username, password, deviceId: this.deviceId }, null, null);
  }

  async signOut(token: string): Promise<void> {
    await this.request('DELETE', '/api/v1/sessions/current', undefined, token, null);
  }

  async decide(token: string, approvalId: string, decision: 'approve' | 'reject', note: string | undefined): Promise<ServerAnswer> {
    const body = note === undefined ? { decision } : { decision, note };
    // A new key for each decision: a refused decision (the maker was disabled meanwhile) may be made again once the reason is gone.
    return this.request('POST', `/api/v1/approvals/${encodeURIComponent(approvalId)}/decision`, body, token, `decide-${crypto.randomUUID()}`);
  }

  /** One command to the server as the signed-in person; the idempotency key comes from the command's own ids, so a resend is the same request. */
  async run(token: string, command: string, input: Record<string, unknown>, idempotencyKey: string | null): Promise<ServerAnswer> {
    const route = onlineRoutes[command];
    if (route === undefined) throw new Error(`${command} is not sent online`);
    let path = route.path;
    const rest: Record<string, unknown> = { ...input };
    for (const field of route.pathFields) {
      path = path.replace(`:${field}`, encodeURIComponent(String(rest[field] ?? '')));
      delete rest[field];
    }
    if (route.method === 'GET') {
      const query = new URLSearchParams();
      // Absent fields stay out of the query (the server's defaults apply), rather than arriving as "undefined".
      for (const [key, value] of Object.entries(rest)) if (value !== undefined && value !== null) query.set(key, String(value));
      return this.request('GET', query.size === 0 ? path : `${path}?${query}`, undefined, token, null);
    }
    return this.request('POST', path, rest, token, idempotencyKey ?? `ws-${this.deviceId}-${crypto.randomUUID()}`);
  }

  /** The server's health, for the link indicator. */
  async ping(): Promise<boolean> {
    const answer = await this.request('GET', '/health', undefined, null, null);
    return answer.reached && answer.status < 500;
  }

  private async request(method: string, path: string, body: unknown, token: string | null, idempotencyKey: string | null): Promise<ServerAnswer> {
    const headers: Record<string, string> = { 'x-device-id': this.deviceId };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(onlineRequestTimeoutMs),
      });
    } catch (error) {
      return { reached: false, message: error instanceof Error ? error.message : String(error) };
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = { code: 'bad_server_answer', detail: `The server answered ${response.status} without JSON.` };
    }
    return { reached: true, status: response.status, body: parsed };
  }
}

/** A server answer as the screens see a command's outcome: the value, a hold with its approval, or a refusal with its code. */
export function outcomeOf(answer: Extract<ServerAnswer, { reached: true }>): BridgeOutcome {
  const body = (answer.body ?? {}) as Record<string, unknown>;
  if (answer.status === 202) {
    return { ok: false, code: 'approval_required', message: String(body.detail ?? 'Held for a second person.'), details: { ...body, heldAt: 'server' } };
  }
  if (answer.status >= 200 && answer.status < 300) return { ok: true, value: answer.body };
  const code = typeof body.code === 'string' ? body.code : `http_${answer.status}`;
  const message = typeof body.detail === 'string' ? body.detail : `The server answered ${answer.status}.`;
  const { type: _type, title: _title, status: _status, detail: _detail, instance: _instance, code: _code, ...details } = body;
  return Object.keys(details).length === 0 ? { ok: false, code, message } : { ok: false, code, message, details };
}
