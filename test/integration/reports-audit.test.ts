import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AuditRecord } from '../../src/store/port';
import {
  SUBSCRIPTION_ID,
  USERS,
  cardOf,
  cardText,
  sendText,
  startHarness,
  type Harness,
} from '../support/bot-harness';
import {
  WEBHOOK_SECRET,
  countAuditRecords,
  postReport,
  publishReadyGallery,
  reportBody,
} from './reports-support';

const run = promisify(execFile);
const REPOSITORY_ROOT = path.join(__dirname, '..', '..');

/** Runs the export script against the harness's database; never rejects on an exit code. */
async function exportAudit(
  harness: Harness,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/audit-export.ts', ...args],
      {
        cwd: REPOSITORY_ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          STORAGE: `sqlite:${harness.databaseFile}`,
          AZURE_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function readJsonLines(file: string): AuditRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

describe('audit trail command and export', () => {
  let harness: Harness;
  let requestId: string;
  let reportId: string;

  beforeAll(async () => {
    harness = await startHarness({ env: { ABUSE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
    ({ requestId } = await publishReadyGallery(harness));
    const accepted = await postReport(harness, reportBody());
    reportId = String(accepted.body.reportId);
  });

  afterAll(async () => {
    await harness.close();
  });

  it('request trail shows every transition', async () => {
    const reply = await sendText(harness, USERS.lynne, `audit ${requestId}`);
    const text = cardText(cardOf(reply.body));

    for (const transition of [
      'preview · (none) → draft',
      'submit · draft → pending',
      'approve · pending → approved',
      'sharing → shared',
    ]) {
      expect(text).toContain(transition);
    }
    expect(text).toContain('Megan Bowen');
    expect(text).toMatch(/Compute Gallery Sharing Admin/);
    expect(text).toMatch(/[0-9a-f]{64}/);
  });

  it('gallery trail includes reports', async () => {
    const reply = await sendText(harness, USERS.lynne, 'audit sandbox-rg/readyGallery');
    const text = cardText(cardOf(reply.body));

    expect(text).toContain('report-received');
    expect(text).toContain(reportId);
    expect(text).toContain(requestId);
  });

  it('report trail is found by id', async () => {
    const reply = await sendText(harness, USERS.lynne, `audit ${reportId}`);
    const text = cardText(cardOf(reply.body));

    expect(text).toContain('report-received');
    expect(text).not.toContain('submit · draft → pending');
  });

  it('invalid subject is explained', async () => {
    const reply = await sendText(harness, USERS.lynne, 'audit not/a/gallery/id');

    expect(cardText(cardOf(reply.body))).toMatch(/not a gallery id/i);
  });

  it('export writes every record', async () => {
    const file = path.join(path.dirname(harness.databaseFile), 'audit.jsonl');

    const result = await exportAudit(harness, ['--out', file]);

    expect(result.code).toBe(0);
    const records = readJsonLines(file);
    expect(records).toHaveLength(countAuditRecords(harness.databaseFile));
    const sequences = records.map((record) => record.sequence ?? 0);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(records.map((record) => record.requestId))).toEqual(
      new Set([requestId, reportId]),
    );
    expect(result.stdout).toContain(`Wrote ${records.length} audit records`);
  });

  it('export of one request', async () => {
    const file = path.join(path.dirname(harness.databaseFile), 'request.jsonl');

    const result = await exportAudit(harness, ['--out', file, '--subject', requestId]);

    expect(result.code).toBe(0);
    const records = readJsonLines(file);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.requestId === requestId)).toBe(true);
  });

  it('export without out fails', async () => {
    const result = await exportAudit(harness, []);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out is missing');
  });
});
