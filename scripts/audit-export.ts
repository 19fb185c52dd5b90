/**
 * Writes the audit trail as JSON Lines, one record per line, oldest first:
 *
 *   npm run audit:export -- --out FILE [--subject <gallery, request id or report id>]
 *
 * Without --subject it writes every record. It reads STORAGE from the environment and `.env`
 * like the bot, and may run while the bot runs, because the store serves concurrent readers.
 */
import 'dotenv/config';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readConfig } from '../src/config';
import { listAllAuditRecords, listAuditTrail, parseAuditSubject } from '../src/reports/audit-trail';
import { openStore, parseStorageSetting } from '../src/store/open-store';

const USAGE =
  'Usage: npm run audit:export -- --out FILE [--subject <gallery, request id or report id>]\n' +
  '  --out FILE      file to write, replaced if it exists\n' +
  '  --subject TEXT  only the trail of one gallery (resource id or resourceGroup/gallery),\n' +
  '                  request (r-…) or abuse report (rp-…)';

async function main(argv: string[]): Promise<number> {
  let values: { out?: string; subject?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        subject: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.out) {
    console.error(`--out is missing.\n${USAGE}`);
    return 2;
  }

  const config = readConfig(process.env);
  const storage = parseStorageSetting(config.storage);
  if (storage.kind === 'sqlite' && storage.path !== ':memory:' && !existsSync(storage.path)) {
    console.error(
      `No database at ${storage.path}. Set STORAGE=sqlite:<path> to the bot's database file.`,
    );
    return 1;
  }

  const store = await openStore(config.storage, {
    connectionString: config.storageConnectionString,
  });
  try {
    const records = values.subject
      ? await listAuditTrail(store, parseAuditSubject(values.subject, config.azure.subscriptionId))
      : await listAllAuditRecords(store);
    const lines = records.map((record) => `${JSON.stringify(record)}\n`).join('');
    // Writing a temporary file first means a reader never sees half an export.
    const temporary = `${values.out}.partial`;
    writeFileSync(temporary, lines, 'utf8');
    renameSync(temporary, values.out);
    console.log(`Wrote ${records.length} audit records to ${values.out}.`);
    return 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`Audit export failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
