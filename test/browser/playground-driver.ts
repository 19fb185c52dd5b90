/**
 * Drives the publish flow through the Microsoft 365 Agents Playground's web UI in headless
 * Chromium: starts the sandbox bot and the Playground, types the command, submits, approves, and
 * saves a screenshot of each step. playground-flow.test.ts runs it inside a network namespace
 * that has only loopback, and checks the result it writes.
 *
 *   unshare --net sh -c 'ip link set lo up && exec node node_modules/tsx/dist/cli.mjs \
 *     test/browser/playground-driver.ts test-artifacts/playground'
 *
 * Writes result.json, bot.log, playground.log and the PNG files into the given folder. Exits 0
 * when every step passed and 1 otherwise, with the error in result.json.
 */
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startPlayground, startSandboxBot, type RunningProcess } from '../../scripts/playground';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const STEP_TIMEOUT_IN_MS = 30_000;
const JUSTIFICATION = 'Release 1.1 of the build agent images for customers';
const PUBLIC_NAME_PATTERN =
  /Public name: (\S+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;

/** What the driver saw, for the test to check step by step. */
export interface DriverResult {
  /** Network interfaces of the namespace the driver ran in. */
  interfaces: string[];
  /** Text of the card each step looked at, keyed by step name. */
  cardText: Record<string, string>;
  /** Public name shown on the final card. */
  publicName?: string;
  /** Screenshot files written, relative to the artifacts folder. */
  screenshots: string[];
  /** URLs the page requested outside loopback; each was aborted. */
  blockedRequests: string[];
  error?: string;
}

async function run(artifacts: string, result: DriverResult): Promise<void> {
  result.interfaces = networkInterfaces();

  const bot = await startSandboxBot({
    env: {
      STORAGE: `sqlite:${path.join(artifacts, 'bot.db')}`,
      LOG_LEVEL: 'info',
    },
    output: createWriteStream(path.join(artifacts, 'bot.log')),
  });
  const processes: RunningProcess[] = [bot];
  const profile = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-chromium-'));
  let context: BrowserContext | undefined;
  try {
    const playground = await startPlayground({
      botEndpoint: `${bot.url}/api/messages`,
      logFile: path.join(artifacts, 'playground-internal.log'),
      output: createWriteStream(path.join(artifacts, 'playground.log')),
    });
    processes.push(playground);

    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 1700 },
    });
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (isLoopbackUrl(url)) return route.continue();
      result.blockedRequests.push(url);
      return route.abort('internetdisconnected');
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(STEP_TIMEOUT_IN_MS);
    await drivePublishFlow(page, playground.url, artifacts, result);
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    for (const running of processes.reverse()) await running.stop();
  }
}

/** Performs the steps a person would take in the Playground, with a screenshot after each. */
async function drivePublishFlow(
  page: Page,
  playgroundUrl: string,
  artifacts: string,
  result: DriverResult,
): Promise<void> {
  const capture = async (name: string, card?: Locator): Promise<void> => {
    const file = `${name}.png`;
    await page.screenshot({ path: path.join(artifacts, file) });
    result.screenshots.push(file);
    if (card) {
      const cardFile = `${name}-card.png`;
      await card.screenshot({ path: path.join(artifacts, cardFile) });
      result.screenshots.push(cardFile);
      result.cardText[name] = await card.innerText();
    }
  };

  await page.goto(playgroundUrl);
  await page.getByRole('treeitem', { name: 'Personal Chat' }).click();
  const messageBox = page
    .getByRole('textbox', { name: /type a message/i })
    .or(page.locator('[contenteditable="true"][role="textbox"]'));
  await messageBox.first().click();
  await page.keyboard.type('publish sandbox-rg/readyGallery');
  await capture('01-command');
  await page.keyboard.press('Enter');

  const submit = page.getByRole('button', { name: 'Submit for approval' });
  await submit.waitFor();
  const previewCard = page.locator('.ac-adaptiveCard', { has: submit });
  await page
    .getByRole('textbox', { name: /Why should this gallery be public/ })
    .fill(JUSTIFICATION);
  await capture('02-preview', previewCard);
  await submit.click();

  const approve = page.getByRole('button', { name: 'Approve', exact: true }).last();
  await approve.waitFor();
  const approvalCard = page.locator('.ac-adaptiveCard', { has: approve });
  await capture('03-approval', approvalCard);
  await approve.click();

  const finalCard = page.locator('.ac-adaptiveCard', { hasText: PUBLIC_NAME_PATTERN }).last();
  await finalCard.waitFor();
  await capture('04-public', finalCard);
  result.publicName = PUBLIC_NAME_PATTERN.exec(result.cardText['04-public'] ?? '')?.[1];
}

/**
 * Lists the network interfaces of this process's network namespace. /proc/self/net/dev is read
 * per namespace, unlike /sys/class/net, which shows the namespace that mounted sysfs.
 */
function networkInterfaces(): string[] {
  return readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]!.trim())
    .filter((name) => name !== '')
    .sort();
}

function isLoopbackUrl(url: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return true;
  const { hostname } = new URL(url);
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}

async function main(): Promise<void> {
  const artifacts = path.resolve(process.argv[2] ?? path.join('test-artifacts', 'playground'));
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const result: DriverResult = {
    interfaces: [],
    cardText: {},
    screenshots: [],
    blockedRequests: [],
  };
  try {
    await run(artifacts, result);
  } catch (error) {
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.exitCode = 1;
  }
  writeFileSync(path.join(artifacts, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
}

if (require.main === module) void main();
