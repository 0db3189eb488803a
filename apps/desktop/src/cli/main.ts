import { ScryptPasswordHasher } from '@qenex/engine/node';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, RandomIds, demoUsers, systemClock, type Context } from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { runCommand, usage } from './commands';
import { installedLists, listsFromDirectory, screenCommand, screenPairCommand, ScreenUsageError } from './screen';

/**
 * `qenex`: the engine on a workstation database, from a terminal. One process, one command.
 * Wiring lives here and only here: storage, clock and ids are built and passed down.
 */
async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      db: { type: 'string', default: process.env.QENEX_DB ?? '.qenex/workstation.db' },
      as: { type: 'string', default: 'alice' },
      json: { type: 'boolean', default: false },
      count: { type: 'string' },
      rate: { type: 'string' },
      limit: { type: 'string' },
      after: { type: 'string' },
      note: { type: 'string' },
      dob: { type: 'string' },
      country: { type: 'string' },
      type: { type: 'string' },
      lists: { type: 'string' },
      statement: { type: 'string' },
      created: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(usage);
    return 0;
  }
  // Screening needs no books: the lists come from --lists, or from the workstation's installed ones.
  if (positionals[0] === 'screen' || positionals[0] === 'screen-pair') return screen(positionals, values);
  // SWIFT messages need no books either: the file is the whole input.
  if (positionals[0] === 'swift') return swift(positionals, values);
  const user = (demoUsers as Record<string, Context>)[values.as];
  if (user === undefined) {
    process.stderr.write(`Unknown user "${values.as}". Demo users: ${Object.keys(demoUsers).join(', ')}.\n`);
    return 2;
  }
  const path = resolve(values.db);
  mkdirSync(dirname(path), { recursive: true });
  const storage = new SqliteStorage({ path });
  const ids = new RandomIds(systemClock);
  const engine = new Engine({ storage, clock: systemClock, ids, passwords: new ScryptPasswordHasher() });
  try {
    return await runCommand({ engine, ids, clock: systemClock, user, path, options: values, out: (text) => process.stdout.write(`${text}\n`) }, positionals);
  } finally {
    await storage.close();
  }
}

async function screen(positionals: readonly string[], values: { readonly [key: string]: string | boolean | undefined; readonly db: string }): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    if (positionals[0] === 'screen-pair') return screenPairCommand(positionals.slice(1), values, out);
    const lists = typeof values.lists === 'string' ? await listsFromDirectory(values.lists) : await installedLists(resolve(values.db));
    return await screenCommand(positionals.slice(1), values, lists, out);
  } catch (error) {
    if (!(error instanceof ScreenUsageError)) throw error;
    process.stderr.write(`qenex ${positionals[0]}: ${error.message}\n`);
    return 2;
  }
}

async function swift(positionals: readonly string[], values: { readonly [key: string]: string | boolean | undefined }): Promise<number> {
  // Loaded when used: the message parsers and the schema validator cost the other commands nothing.
  const { localDateTime, readSwiftInput, swiftCommand, SwiftUsageError } = await import('./swift');
  const io = { read: readSwiftInput, out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`), now: () => localDateTime() };
  try {
    return await swiftCommand(positionals.slice(1), values, io);
  } catch (error) {
    if (!(error instanceof SwiftUsageError)) throw error;
    process.stderr.write(`qenex swift: ${error.message}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`qenex: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
