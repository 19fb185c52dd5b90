/**
 * The publish flow in a real client: the Microsoft 365 Agents Playground's web UI in headless
 * Chromium, against the sandbox bot. playground-driver.ts does the clicking inside a network
 * namespace that has only loopback (made with unshare), so neither the Playground nor Chromium
 * can reach any other host. Screenshots of each step go to test-artifacts/playground/.
 *
 * Needs Debian's chromium at /usr/bin/chromium, util-linux's unshare and iproute2's ip. Without
 * them the test is skipped, except under CI=true, where it fails and names what is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM_PATH, type DriverResult } from './playground-driver';

const REPOSITORY_ROOT = path.join(__dirname, '..', '..');
const ARTIFACTS = path.join(REPOSITORY_ROOT, 'test-artifacts', 'playground');
const DRIVER = path.join(__dirname, 'playground-driver.ts');
const TSX_CLI = require.resolve('tsx/cli');
const DRIVER_TIMEOUT_IN_MS = 150_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** unshare options for a namespace with only loopback. A user without root maps itself to root. */
const UNSHARE_ARGS = process.getuid?.() === 0 ? ['--net'] : ['--user', '--map-root-user', '--net'];

function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM_PATH)) missing.push(`${CHROMIUM_PATH} (apt-get install chromium)`);
  if (spawnSync('ip', ['-V']).status !== 0) missing.push('ip (apt-get install iproute2)');
  const probe = spawnSync('unshare', [...UNSHARE_ARGS, 'true']);
  if (probe.status !== 0) {
    missing.push(`a network namespace (unshare ${UNSHARE_ARGS.join(' ')} failed: ${probe.stderr})`);
  }
  return missing;
}

const missing = missingPrerequisites();
const runOrSkip = missing.length > 0 && process.env.CI !== 'true' ? test.skip : test;
if (missing.length > 0) {
  console.warn(`The Playground browser test needs: ${missing.join('; ')}.`);
}

/** Runs the driver in a new loopback-only network namespace and returns what it wrote. */
async function runDriver(): Promise<{ result: DriverResult; exitCode: number | null }> {
  const script = `ip link set lo up && exec "${process.execPath}" "${TSX_CLI}" "${DRIVER}" "${ARTIFACTS}"`;
  const child = spawn('unshare', [...UNSHARE_ARGS, 'sh', '-c', script], {
    cwd: REPOSITORY_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), DRIVER_TIMEOUT_IN_MS);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const result = JSON.parse(
    readFileSync(path.join(ARTIFACTS, 'result.json'), 'utf8'),
  ) as DriverResult;
  return { result, exitCode };
}

describe('agents playground in chromium', () => {
  runOrSkip(
    'publishes ready gallery end to end',
    async () => {
      expect(missing).toEqual([]);

      const { result, exitCode } = await runDriver();

      expect(result.error).toBeUndefined();
      expect(exitCode).toBe(0);
      expect(result.interfaces).toEqual(['lo']);

      const preview = result.cardText['02-preview'] ?? '';
      expect(preview).toContain('readyGallery');
      expect(preview).toContain('The checks found no blockers and no warnings.');
      expect(preview).toContain('Submit for approval');

      const approval = result.cardText['03-approval'] ?? '';
      expect(approval).toContain('Waiting for approval');
      expect(approval).toContain('Release 1.1 of the build agent images for customers');

      const final = result.cardText['04-public'] ?? '';
      expect(result.publicName).toMatch(/^contoso-[0-9a-f-]{36}$/);
      expect(final).toContain('Approved by: Alex Wilber');
      expect(final).toContain(`Public name: ${result.publicName}`);

      expect(result.screenshots).toEqual([
        '01-command.png',
        '02-preview.png',
        '02-preview-card.png',
        '03-approval.png',
        '03-approval-card.png',
        '04-public.png',
        '04-public-card.png',
      ]);
      for (const file of result.screenshots) {
        const bytes = readFileSync(path.join(ARTIFACTS, file));
        expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
        expect(statSync(path.join(ARTIFACTS, file)).size).toBeGreaterThan(10_000);
      }
    },
    DRIVER_TIMEOUT_IN_MS + 10_000,
  );
});
