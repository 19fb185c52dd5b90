import {
  USERS,
  cardOf,
  cardText,
  sendText,
  startHarness,
  type Harness,
} from '../support/bot-harness';
import {
  GALLERY_PATH,
  OPERATION_PATH,
  SHARE_PATH,
  approveReadyGallery,
  completeOperationAsAzure,
  latestCardOffers,
  latestCardText,
  requestCount,
} from './fault-flow';

describe('hanging resource manager requests', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({
      invokeDeadlineInMs: 60_000,
      app: { requestTimeoutInMs: 2000 },
    });
  });

  afterEach(async () => {
    await harness.close();
  });

  it('hanging gallery read times out', async () => {
    harness.emulator.inject({ method: 'GET', path: GALLERY_PATH, answer: 'hang' });

    const reply = await sendText(harness, USERS.alex, 'publish sandbox-rg/readyGallery');
    const text = cardText(cardOf(reply.body));

    expect(text).toMatch(/Reading gallery .*readyGallery timed out/);
    expect(text).toMatch(/No response from https:\/\/127\.0\.0\.1:\d+ within 2 seconds\./);
    expect(text).toMatch(/try again in a few minutes/i);
    expect(requestCount(harness.emulator, 'GET', GALLERY_PATH)).toBe(1);
  });

  it('hanging share post fails cleanly', async () => {
    harness.emulator.inject({ method: 'POST', path: SHARE_PATH, answer: 'hang' });

    const { settled, preview, approvalCard } = await approveReadyGallery(harness);

    expect(settled.state).toBe('failed');
    expect(settled.share?.error?.code).toBe('Timeout');
    expect(settled.share?.error?.message).toMatch(/Sharing gallery readyGallery .*timed out/);
    expect(harness.emulator.shareCalls()).toHaveLength(1);
    expect(latestCardText(harness, preview)).toContain('Timeout');
    expect(latestCardOffers(harness, approvalCard, 'retryShare')).toBe(true);
  });

  it('hanging poll still ends', async () => {
    harness.emulator.inject({ method: 'GET', path: OPERATION_PATH, answer: 'hang' });

    const approval = approveReadyGallery(harness);
    await completeOperationAsAzure(harness.emulator);
    const { settled } = await approval;

    // The timed-out poll sent the bot to read the gallery, which showed the operation over.
    expect(settled.state).toBe('shared');
    expect(harness.emulator.shareCalls()).toHaveLength(1);
  });
});
