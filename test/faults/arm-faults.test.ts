import type { FaultAnswer } from '../../sandbox/emulator';
import {
  USERS,
  cardOf,
  cardText,
  clickCard,
  sendText,
  settledRequest,
  startHarness,
  storedRequest,
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

type HttpAnswer = Exclude<FaultAnswer, string>;

/** Builds a Resource Manager error response, `{ error: { code, message } }`. */
function armError(status: number, code: string, message: string): HttpAnswer {
  return { status, body: { error: { code, message } } };
}

const THROTTLED = armError(
  429,
  'TooManyRequests',
  'The request is being throttled as the limit has been reached for operation type.',
);

describe('resource manager faults', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({ invokeDeadlineInMs: 60_000 });
  });

  afterEach(async () => {
    await harness.close();
  });

  async function previewText(): Promise<string> {
    const reply = await sendText(harness, USERS.alex, 'publish sandbox-rg/readyGallery');
    return cardText(cardOf(reply.body));
  }

  function offersSubmit(text: string): boolean {
    return text.includes('Submit');
  }

  describe('reads', () => {
    it.each<[string, FaultAnswer]>([
      ['429 with retry-after', { ...THROTTLED, headers: { 'Retry-After': '1' } }],
      ['500', armError(500, 'InternalServerError', 'Something went wrong.')],
      ['503', armError(503, 'ServiceUnavailable', 'The service is unavailable.')],
      ['connection reset', 'reset'],
    ])('%s read is retried', async (_name, answer) => {
      harness.emulator.inject({ method: 'GET', path: GALLERY_PATH, answer });

      const text = await previewText();

      expect(text).toContain('readyGallery');
      expect(text).not.toMatch(/failed/i);
      expect(requestCount(harness.emulator, 'GET', GALLERY_PATH)).toBe(2);
    });

    it('429 without retry-after fails preview', async () => {
      harness.emulator.inject({ method: 'GET', path: GALLERY_PATH, answer: THROTTLED });

      const text = await previewText();

      expect(text).toMatch(/Reading gallery .*readyGallery failed/);
      expect(text).toContain('TooManyRequests');
      expect(text).toMatch(/try again in a few minutes/i);
      expect(offersSubmit(text)).toBe(false);
      // The SDK retries a 429 only when it carries Retry-After.
      expect(requestCount(harness.emulator, 'GET', GALLERY_PATH)).toBe(1);
    });

    it('lasting 503 fails preview', async () => {
      harness.emulator.inject({
        method: 'GET',
        path: GALLERY_PATH,
        times: 4,
        answer: armError(503, 'ServiceUnavailable', 'The service is unavailable.'),
      });

      const text = await previewText();

      expect(text).toContain('ServiceUnavailable');
      expect(text).toMatch(/busy or unreachable/);
      // One request and the SDK's three retries.
      expect(requestCount(harness.emulator, 'GET', GALLERY_PATH)).toBe(4);
    });
  });

  describe('share post', () => {
    it.each<[string, FaultAnswer, RegExp]>([
      [
        '429 with retry-after',
        { ...THROTTLED, headers: { 'Retry-After': '1' } },
        /TooManyRequests/,
      ],
      ['500', armError(500, 'InternalServerError', 'Something went wrong.'), /InternalServerError/],
      [
        '503',
        armError(503, 'ServiceUnavailable', 'The service is unavailable.'),
        /ServiceUnavailable/,
      ],
      ['connection reset', 'reset', /ECONNRESET/],
    ])('%s fails without resending', async (_name, answer, code) => {
      harness.emulator.inject({ method: 'POST', path: SHARE_PATH, answer });

      const { settled, preview, approvalCard } = await approveReadyGallery(harness);

      expect(settled.state).toBe('failed');
      expect(settled.share?.error?.code).toMatch(code);
      expect(harness.emulator.shareCalls()).toHaveLength(1);
      expect(latestCardText(harness, preview)).toMatch(code);
      expect(latestCardText(harness, preview)).toMatch(/An approver can retry/);
      expect(latestCardOffers(harness, approvalCard, 'retryShare')).toBe(true);
    });

    it('409 operation not allowed fails', async () => {
      harness.emulator.inject({
        method: 'POST',
        path: SHARE_PATH,
        answer: armError(
          409,
          'OperationNotAllowed',
          "Another operation is in progress on the gallery 'readyGallery'. Retry after it completes.",
        ),
      });

      const { requestId, settled, preview, approvalCard } = await approveReadyGallery(harness);

      expect(settled.state).toBe('failed');
      expect(settled.share?.error?.code).toBe('OperationNotAllowed');
      expect(harness.emulator.shareCalls()).toHaveLength(1);
      const text = latestCardText(harness, preview);
      expect(text).toContain('OperationNotAllowed');
      expect(text).toContain('Another operation is in progress');

      // The way forward: an approver retries once the other operation is over.
      const retry = await clickCard(harness, USERS.megan, approvalCard, 'retryShare', {
        requestId,
      });
      expect(retry.status).toBe(200);
      const retried = await settledRequest(harness, requestId);
      expect(retried.state).toBe('shared');
      expect(retried.share?.attempt).toBe(2);
      expect(harness.emulator.shareCalls()).toHaveLength(2);
    });
  });

  describe('share operation', () => {
    it('operation failed is shown', async () => {
      harness.emulator.failNextShare({
        code: 'GalleryCommunityShareFailed',
        message: 'Sharing failed in region westus.',
      });

      const { settled, preview } = await approveReadyGallery(harness);

      expect(settled.state).toBe('failed');
      expect(settled.share?.error?.code).toBe('GalleryCommunityShareFailed');
      expect(settled.share?.error?.message).toContain('Sharing failed in region westus.');
      expect(latestCardText(harness, preview)).toContain('GalleryCommunityShareFailed');
      expect(harness.emulator.shareCalls()).toHaveLength(1);
    });

    it('operation canceled is shown', async () => {
      harness.emulator.failNextShare({
        status: 'Canceled',
        code: 'OperationCanceled',
        message: 'The operation was canceled.',
      });

      const { settled, preview } = await approveReadyGallery(harness);

      expect(settled.state).toBe('failed');
      expect(settled.share?.error?.code).toBe('Canceled');
      expect(latestCardText(harness, preview)).toMatch(/was canceled in Azure/);
      expect(harness.emulator.shareCalls()).toHaveLength(1);
    });

    it('500 on a poll is retried', async () => {
      harness.emulator.inject({
        method: 'GET',
        path: OPERATION_PATH,
        answer: armError(500, 'InternalServerError', 'Something went wrong.'),
      });

      const { settled } = await approveReadyGallery(harness);

      expect(settled.state).toBe('shared');
      expect(harness.emulator.shareCalls()).toHaveLength(1);
    });

    it('poll url 404 still ends', async () => {
      harness.emulator.inject({
        method: 'GET',
        path: OPERATION_PATH,
        answer: armError(404, 'OperationNotFound', 'The operation was not found.'),
      });

      const approval = approveReadyGallery(harness);
      await completeOperationAsAzure(harness.emulator);
      const { requestId, settled, preview } = await approval;

      // The bot read the gallery instead, found the operation over and confirmed it.
      expect(settled.state).toBe('shared');
      expect(storedRequest(harness.databaseFile, requestId)?.state).toBe('shared');
      expect(harness.emulator.shareCalls()).toHaveLength(1);
      expect(latestCardText(harness, preview)).toMatch(/contoso-/);
    });
  });
});
