import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const SECTIONS = [
  '## Machine',
  '## Targets',
  '## Method',
  '## Preview turn by gallery size',
  '## Version list concurrency',
  '## Approve to decision',
  '## `status` throughput',
  '## Memory',
  '## Start to `/readyz`',
  '## Warnings and errors the bots logged',
  '## How to read these figures',
  '## What limits the figures',
];

describe('benchmark runner', () => {
  let folder: string;
  let page: string;

  beforeAll(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-bench-smoke-'));
    const out = path.join(folder, 'benchmarks.md');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--disable-warning=DEP0111',
        'bench/run.ts',
        '--tiny',
        '--runs',
        '1',
        '--out',
        out,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 240_000 },
    );
    if (run.status !== 0) {
      throw new Error(
        `bench/run.ts --tiny exited with ${run.status}:\n${run.stdout}\n${run.stderr}`,
      );
    }
    page = readFileSync(out, 'utf8');
  }, 300_000);

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it.each(SECTIONS)('tiny run writes %s', (heading) => {
    expect(page.split('\n')).toContain(heading);
  });

  it('tiny run measures every target', () => {
    const targets = page.slice(page.indexOf('## Targets'), page.indexOf('## Method'));
    const rows = targets
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('| ') && !line.startsWith('| Figure') && !line.startsWith('| ---'),
      );
    expect(rows).toHaveLength(11);
    const unmeasured = rows.filter((row) => row.includes('not measured'));
    // The tiny profile previews 10 images only, so the two 1,000-image targets have no figure.
    expect(unmeasured).toHaveLength(2);
    for (const row of unmeasured) expect(row).toContain('1,000 images');
  });

  it('tiny run measures read baseline', () => {
    const preview = page.slice(
      page.indexOf('## Preview turn by gallery size'),
      page.indexOf('## Version list concurrency'),
    );
    const row = preview.split('\n').find((line) => /^\|\s*1 \|/.test(line)) ?? '';
    const cells = row.split('|').map((cell) => cell.trim());
    // Echo with the same reads p50, then the preview's p50 divided by it.
    expect(cells[11]).toMatch(/ms$/);
    expect(cells[12]).toMatch(/^\d+\.\d\d×$/);
  });

  it('tiny run measures an echo burst', () => {
    const approve = page.slice(page.indexOf('## Approve to decision'), page.indexOf('## `status`'));
    const row = approve.split('\n').find((line) => /^\|\s*1 \|/.test(line)) ?? '';
    const cells = row.split('|').map((cell) => cell.trim());
    // Run, store, rounds × clicks, p50, p95, max, echo burst p50, echo burst p95.
    expect(cells[2]).toBe('SQLite');
    expect(cells[7]).toMatch(/ms$/);
    expect(cells[8]).toMatch(/ms$/);
  });

  it('tiny run records one approval', () => {
    const approve = page.slice(page.indexOf('## Approve to decision'));
    expect(approve).toMatch(/\|\s*1 of 1\s*\|/);
  });

  it('tiny run approves on Azurite', () => {
    const approve = page.slice(page.indexOf('## Approve to decision'), page.indexOf('## `status`'));
    const row = approve.split('\n').find((line) => /^\|\s*1 \| Azurite /.test(line)) ?? '';
    const cells = row.split('|').map((cell) => cell.trim());

    // p95, then the one approval that the audit trail on Azure Table Storage recorded.
    expect(cells[5]).toMatch(/ms$/);
    expect(cells.at(-2)).toBe('1 of 1');
  });
});
