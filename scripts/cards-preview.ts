/**
 * Renders sample cards with the `adaptivecards` renderer in headless Chromium and writes one PNG
 * per card to docs/cards/. Needs Debian's chromium at /usr/bin/chromium. The page is built from
 * strings and the renderer bundle in node_modules, and every network request is aborted.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import {
  helpCard,
  imageListCard,
  noticeCard,
  requestCard,
  statusListCard,
  type AdaptiveCard,
  type RequestCardOptions,
} from '../src/cards';
import type { PublishRequest } from '../src/workflow/request';
import {
  makeFinding,
  makeImage,
  makeImages,
  makeRequest,
  makeSnapshot,
} from '../test/cards/request-factory';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUTPUT_DIR = join(__dirname, '..', 'docs', 'cards');
const RENDERER_BUNDLE = require.resolve('adaptivecards/dist/adaptivecards.min.js');

const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; padding: 16px; background: #f5f5f5; font-family: sans-serif; }
  #card { width: 520px; background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; }
  #card .ac-textBlock, #card .ac-richTextBlock { overflow-wrap: anywhere; }
</style></head><body><div id="card"></div></body></html>`;

// Runs in the page. Teams renders Markdown in TextBlock, so this page does too (bold and
// links), which makes any untrusted text that reached a TextBlock visible in the PNGs.
const RENDER_SCRIPT = `
  const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = escapeHtml(text)
      .replace(/\\*\\*(.+?)\\*\\*/g, '<strong>$1</strong>')
      .replace(/\\[(.+?)\\]\\((.+?)\\)/g, '<a href="$2">$1</a>');
    result.didProcess = true;
  };
  const hostConfig = new AdaptiveCards.HostConfig({
    fontFamily: "'Liberation Sans', sans-serif",
    actions: { actionsOrientation: 'horizontal', maxActions: 6, buttonSpacing: 8 },
    containerStyles: {
      default: { backgroundColor: '#FFFFFF' },
      emphasis: { backgroundColor: '#F3F2F1' },
      accent: { backgroundColor: '#DEECF9' },
      good: { backgroundColor: '#DFF6DD' },
      attention: { backgroundColor: '#FDE7E9' },
      warning: { backgroundColor: '#FFF4CE' },
    },
  });
  window.renderCard = (json) => {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = hostConfig;
    const context = new AdaptiveCards.SerializationContext();
    card.parse(json, context);
    const target = document.getElementById('card');
    target.replaceChildren(card.render());
    const problems = [];
    for (let i = 0; i < context.eventCount; i += 1) problems.push(context.getEventAt(i).message);
    return problems;
  };
`;

interface Sample {
  name: string;
  card: AdaptiveCard;
  /** Title of a button to click before the screenshot, to open an `Action.ShowCard`. */
  click?: string;
}

function render(request: PublishRequest, options: Partial<RequestCardOptions> = {}): AdaptiveCard {
  return requestCard(request, {
    audience: 'requester',
    allowSelfApproval: false,
    approverTeamsUserIds: ['29:approver'],
    ...options,
  });
}

function buildSamples(): Sample[] {
  const blocker = makeFinding({
    severity: 'blocker',
    code: 'SasTokenInUrl',
    subject: 'gallery eula',
    message: 'The EULA URL carries a SAS token (sig=…), which anyone could use.',
    fix: 'Publish the EULA at a URL without a SAS token and update the gallery.',
  });
  const hostile = makeImage({
    name: 'ubuntu-evil',
    publisher: '[Click here](https://evil.example)',
    offer: '**urgent**',
    description: '"quoted" \\back\\slash ${request.id} <b>not bold</b> Публичная',
  });
  const large = makeSnapshot({ images: [hostile, ...makeImages(999)] });
  const longUrl = `https://contoso.example/${'very-long-path/'.repeat(700)}`;
  const long = makeSnapshot();
  long.gallery.community = {
    publisherUri: longUrl,
    publisherContact: 'images@contoso.example',
    eula: longUrl,
    publicNamePrefix: 'contoso',
    publicNames: [],
    communityGalleryEnabled: false,
  };
  const pending = makeRequest({ state: 'pending' });

  return [
    { name: 'draft-requester', card: render(makeRequest()) },
    { name: 'draft-blocked', card: render(makeRequest({ findings: [blocker, makeFinding()] })) },
    {
      name: 'draft-already-public',
      card: render(makeRequest({ findings: [makeFinding({ code: 'AlreadyPublic' })] })),
    },
    { name: 'draft-unpublish', card: render(makeRequest({ kind: 'unpublish' })) },
    { name: 'draft-1000-images-markdown', card: render(makeRequest({ snapshot: large })) },
    { name: 'draft-long-values', card: render(makeRequest({ snapshot: long })) },
    {
      name: 'pending-approver',
      card: render(pending, { audience: 'approver', allowSelfApproval: true }),
    },
    {
      name: 'pending-approver-deny',
      card: render(pending, { audience: 'approver' }),
      click: 'Deny…',
    },
    { name: 'pending-requester', card: render(pending) },
    { name: 'pending-channel', card: render(pending, { audience: 'channel' }) },
    {
      name: 'pending-changed',
      card: render(pending, { audience: 'approver', changes: ['Publisher URL changed'] }),
    },
    { name: 'approved', card: render(makeRequest({ state: 'approved' })) },
    { name: 'sharing', card: render(makeRequest({ state: 'sharing' })) },
    { name: 'shared', card: render(makeRequest({ state: 'shared' })) },
    {
      name: 'failed-approver',
      card: render(makeRequest({ state: 'failed' }), { audience: 'approver' }),
    },
    { name: 'denied', card: render(makeRequest({ state: 'denied' })) },
    { name: 'cancelled', card: render(makeRequest({ state: 'cancelled' })) },
    { name: 'expired', card: render(makeRequest({ state: 'expired' })) },
    { name: 'image-list-page-1', card: imageListCard(makeRequest({ snapshot: large }), 1) },
    { name: 'image-list-page-2', card: imageListCard(makeRequest({ snapshot: large }), 2) },
    {
      name: 'status-list',
      card: statusListCard([pending, makeRequest({ id: 'req-0002', state: 'failed' })]),
    },
    { name: 'help', card: helpCard() },
    {
      name: 'notice-error',
      card: noticeCard('Approval failed', 'The request req-0001 is no longer pending.', 'error'),
    },
  ];
}

async function screenshotCard(page: Page, sample: Sample): Promise<void> {
  const renderCard = (card: AdaptiveCard): string[] =>
    (globalThis as unknown as { renderCard(card: AdaptiveCard): string[] }).renderCard(card);
  const problems = await page.evaluate(renderCard, sample.card);
  if (problems.length > 0) {
    throw new Error(`The renderer reported problems in ${sample.name}: ${problems.join('; ')}`);
  }

  if (sample.click) await page.getByRole('button', { name: sample.click }).click();
  await page.locator('#card').screenshot({ path: join(OUTPUT_DIR, `${sample.name}.png`) });
}

async function main(): Promise<void> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 600, height: 800 } });
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    await page.setContent(PAGE_HTML);
    await page.addScriptTag({ path: RENDERER_BUNDLE });
    await page.addScriptTag({ content: RENDER_SCRIPT });

    for (const sample of buildSamples()) {
      await screenshotCard(page, sample);
      console.log(`wrote docs/cards/${sample.name}.png`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
