import pino from 'pino';
import { AzureCallError } from '../../src/azure/errors';
import { publicMetadataHash } from '../../src/azure/snapshot';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { GalleryGateway } from '../../src/workflow/ports';
import type { PublishRequest } from '../../src/workflow/request';
import { REQUESTS } from '../../src/workflow/requests';
import { WorkflowService } from '../../src/workflow/service';
import { sendLease } from '../../src/workflow/share-runner';
import { makeRequest, makeSnapshot } from '../cards/request-factory';

const MEGAN = { aadObjectId: '33333333-3333-3333-3333-333333333333', name: 'Megan Bowen' };
const PUBLIC_NAME = 'contoso-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';

/** A scripted Azure: each method records its call and returns what the test set. */
class FakeGateway implements GalleryGateway {
  readonly calls: string[] = [];
  /** Results of `sharingInProgress`, in order. The last one repeats. */
  inProgress: boolean[] = [false];
  beginError: unknown;
  confirmError: unknown;

  async inspect() {
    this.calls.push('inspect');
    return makeSnapshot();
  }

  review() {
    return [];
  }

  async findApprovers() {
    this.calls.push('findApprovers');
    return [
      {
        principalId: MEGAN.aadObjectId,
        principalType: 'User',
        roles: ['Owner at /subscriptions/s'],
      },
    ];
  }

  async missingBotPermissions() {
    return [];
  }

  async beginShare() {
    this.calls.push('beginShare');
    if (this.beginError) throw this.beginError;
    return { pollerState: '{"state":{}}', wait: async () => undefined };
  }

  async resumeShare() {
    this.calls.push('resumeShare');
  }

  async confirmShare() {
    this.calls.push('confirmShare');
    if (this.confirmError) throw this.confirmError;
    return { publicNames: [PUBLIC_NAME] };
  }

  async sharingInProgress() {
    this.calls.push('sharingInProgress');
    return this.inProgress.length > 1 ? (this.inProgress.shift() as boolean) : !!this.inProgress[0];
  }
}

const notPublic = new AzureCallError('NotConfirmed', undefined, 'The gallery is not public.', '');

describe('workflow share operations', () => {
  let store: SqliteStore;
  let gateway: FakeGateway;
  let now: Date;

  beforeEach(() => {
    store = new SqliteStore({ path: ':memory:' });
    gateway = new FakeGateway();
    now = new Date('2026-01-07T06:40:00Z');
  });

  afterEach(async () => {
    await store.close();
  });

  function workflow(): WorkflowService {
    return new WorkflowService({
      store,
      gateway,
      policy: { requestTtlInHours: 72, allowSelfApproval: false },
      logger: pino({ level: 'silent' }),
      now: () => now,
      settlePollIntervalInMs: 1,
      maxSettleWaitInMs: 60_000,
    });
  }

  async function stored(request: PublishRequest): Promise<PublishRequest> {
    const snapshot = makeSnapshot();
    const value = { ...request, snapshot, metadataHash: publicMetadataHash(snapshot) };
    await store.collection(REQUESTS).create(value.id, value);
    return value;
  }

  it('interrupted claim fails without post', async () => {
    const request = await stored(makeRequest({ state: 'sharing' }));
    gateway.confirmError = notPublic;
    const service = workflow();

    await service.resumeInterrupted();
    await service.idle();

    const after = await service.requests.get(request.id);
    expect(after.state).toBe('failed');
    expect(after.share?.error?.code).toBe('Interrupted');
    expect(gateway.calls).not.toContain('beginShare');
    expect(gateway.calls).not.toContain('resumeShare');
  });

  it('interrupted claim waits for gallery', async () => {
    const request = await stored(makeRequest({ state: 'sharing' }));
    gateway.inProgress = [true, true, false];
    const service = workflow();

    await service.resumeInterrupted();
    await service.idle();

    const after = await service.requests.get(request.id);
    expect(after.state).toBe('shared');
    expect(after.publicNames).toEqual([PUBLIC_NAME]);
    expect(gateway.calls.filter((call) => call === 'sharingInProgress')).toHaveLength(3);
    expect(gateway.calls).not.toContain('beginShare');
  });

  it('live sender is not resumed', async () => {
    const request = await stored(makeRequest({ state: 'sharing' }));
    // Another process claimed the share and is sending the POST.
    expect(await store.leases.acquire(sendLease(request.id), 'other-process', 60_000)).toBe(true);
    const service = workflow();

    await service.resumeInterrupted();
    await service.idle();

    expect((await service.requests.get(request.id)).state).toBe('sharing');
    expect(gateway.calls).toEqual([]);
  });

  it('stored operation is polled again', async () => {
    const request = await stored(
      makeRequest({
        state: 'sharing',
        share: { attempt: 2, startedAt: '2026-01-07T06:31:00Z', pollerState: '{"state":{}}' },
      }),
    );
    const service = workflow();

    await service.resumeInterrupted();
    await service.idle();

    const after = await service.requests.get(request.id);
    expect(after.state).toBe('shared');
    expect(after.share?.attempt).toBe(2);
    expect(gateway.calls).toEqual(['resumeShare', 'confirmShare']);
  });

  it('approved request is shared once', async () => {
    const request = await stored(makeRequest({ state: 'approved' }));
    const first = workflow();
    const second = workflow();

    await Promise.all([first.resumeInterrupted(), second.resumeInterrupted()]);
    await Promise.all([first.idle(), second.idle()]);

    expect((await first.requests.get(request.id)).state).toBe('shared');
    expect(gateway.calls.filter((call) => call === 'beginShare')).toHaveLength(1);
  });

  it('lost post response reads gallery', async () => {
    const request = await stored(makeRequest({ state: 'approved' }));
    gateway.beginError = new AzureCallError('ECONNRESET', undefined, 'socket hang up', '');
    const service = workflow();

    await service.resumeInterrupted();
    await service.idle();

    const after = await service.requests.get(request.id);
    expect(after.state).toBe('shared');
    expect(gateway.calls).toEqual(['beginShare', 'sharingInProgress', 'confirmShare']);
  });

  it('refused post fails at once', async () => {
    const request = await stored(makeRequest({ state: 'approved' }));
    gateway.beginError = new AzureCallError('OperationNotAllowed', 409, 'Another operation.', '');
    const service = workflow();

    await service.resumeInterrupted();
    await service.idle();

    const after = await service.requests.get(request.id);
    expect(after.state).toBe('failed');
    expect(after.share?.error).toEqual({
      code: 'OperationNotAllowed',
      message: 'Another operation.',
    });
    expect(gateway.calls).toEqual(['beginShare']);
  });

  it('endless operation times out', async () => {
    const request = await stored(makeRequest({ state: 'sharing' }));
    gateway.inProgress = [true];
    const service = new WorkflowService({
      store,
      gateway,
      policy: { requestTtlInHours: 72, allowSelfApproval: false },
      logger: pino({ level: 'silent' }),
      settlePollIntervalInMs: 1,
      maxSettleWaitInMs: 20,
    });

    await service.resumeInterrupted();
    await service.idle();

    const after = await service.requests.get(request.id);
    expect(after.state).toBe('failed');
    expect(after.share?.error?.code).toBe('Timeout');
  });

  it('expired request cannot be decided', async () => {
    const request = await stored(makeRequest({ state: 'pending' }));
    now = new Date('2026-01-10T06:05:00Z');
    const service = workflow();

    await expect(service.decide(request.id, MEGAN, 'approved')).rejects.toMatchObject({
      code: 'Expired',
    });
    await service.idle();

    expect((await service.requests.get(request.id)).state).toBe('expired');
    const audit = await store.audit.list({ requestId: request.id });
    expect(audit.map((record) => record.action)).toEqual(['expire']);
    expect(gateway.calls).not.toContain('findApprovers');
  });

  it('listeners see the latest state', async () => {
    const request = await stored(makeRequest({ state: 'pending' }));
    const service = workflow();
    const seen: string[] = [];
    service.onChange(async (changed) => {
      seen.push(changed.state);
    });

    await service.decide(request.id, MEGAN, 'approved');
    await service.idle();

    // Every notification reads the request again, so the last one always shows the end state.
    expect(seen[seen.length - 1]).toBe('shared');
    expect(seen.length).toBeGreaterThanOrEqual(1);
  });
});
