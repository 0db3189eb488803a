import { bridgeChannels, bridgeRequestBytesMax, uiCommands, type BridgeChannel, type BridgeChannels } from '@qenex/ui/bridge';
import { z } from 'zod';

/**
 * The schema of every bridge request, checked by whoever receives one (the Electron main process for
 * IPC, the browser-mode server for HTTP) before the workstation host sees it. A request that does
 * not match is refused with `invalid_bridge_request`; nothing runs.
 */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'control characters are not allowed');
const none = z.object({}).strict();

export const bridgeRequestSchemas = {
  'session.signIn': z.object({ username: text(64).min(1), password: z.string().min(1).max(256) }).strict(),
  'session.signOut': none,
  'session.current': none,
  'engine.run': z.object({ command: z.enum(uiCommands), input: z.unknown() }).strict(),
  'engine.preview': z.object({ command: z.enum(uiCommands), input: z.unknown() }).strict(),
  'approval.onTheSpot': z
    .object({
      approvalId: text(64).min(1),
      username: text(64).min(1),
      password: z.string().min(1).max(256),
      decision: z.enum(['approve', 'reject']),
      note: text(500).optional(),
    })
    .strict(),
  'sync.status': none,
  'sync.now': none,
  'receipt.get': z.object({ transferId: text(64).min(1) }).strict(),
  'work.today': none,
  'draft.save': z
    .object({
      key: text(100).min(1),
      // Bytes, as the store counts them (10,000 '€' are 30,000 bytes).
      value: z.string().refine((value) => new TextEncoder().encode(value).length <= 16 * 1024, 'is longer than 16 KiB'),
    })
    .strict(),
  'draft.load': z.object({ key: text(100).min(1) }).strict(),
} as const satisfies { readonly [C in BridgeChannel]: z.ZodType<BridgeChannels[C]['request']> };

export type ParsedRequest =
  | { readonly ok: true; readonly channel: BridgeChannel; readonly request: unknown }
  | { readonly ok: false; readonly code: 'unknown_bridge_channel' | 'invalid_bridge_request'; readonly message: string };

export function isBridgeChannel(value: unknown): value is BridgeChannel {
  return typeof value === 'string' && (bridgeChannels as readonly string[]).includes(value);
}

/** Checks a channel name and its request; the size bound comes first, before anything walks the value. */
export function parseBridgeRequest(channel: unknown, request: unknown, encodedBytes?: number): ParsedRequest {
  if (!isBridgeChannel(channel)) return { ok: false, code: 'unknown_bridge_channel', message: 'There is no such bridge channel.' };
  const bytes = encodedBytes ?? jsonBytes(request);
  if (bytes === null || bytes > bridgeRequestBytesMax) {
    return { ok: false, code: 'invalid_bridge_request', message: `A bridge request is JSON of at most ${bridgeRequestBytesMax} bytes.` };
  }
  const parsed = bridgeRequestSchemas[channel].safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: 'invalid_bridge_request', message: `The ${channel} request is not valid${issue === undefined ? '' : `: ${issue.path.join('.') || 'request'} ${issue.message}`}.` };
  }
  return { ok: true, channel, request: parsed.data };
}

function jsonBytes(value: unknown): number | null {
  try {
    const encoded = JSON.stringify(value);
    return encoded === undefined ? null : Buffer.byteLength(encoded);
  } catch {
    return null;
  }
}
