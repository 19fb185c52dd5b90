import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Finding } from '../azure/findings';
import { hasBlocker } from '../azure/findings';
import { publicMetadataHash, redactSnapshotSecrets, type GallerySnapshot } from '../azure/snapshot';
import { describeChanges } from '../azure/snapshot-diff';
import { redactUrlSecrets } from '../azure/url-secrets';
import {
  AlreadyExistsError,
  PreconditionFailedError,
  type Collection,
  type Store,
} from '../store/port';
import { ClickChecks } from '../workflow/click-checks';
import { WorkflowError } from '../workflow/errors';
import { LeasedLoop } from '../workflow/leased-loop';
import type { GalleryGateway } from '../workflow/ports';
import type { Person, PublishRequest } from '../workflow/request';
import type { RequestRepository } from '../workflow/requests';
import {
  WATCH_BASELINES,
  WATCH_CHANGES,
  type WatchBaseline,
  type WatchChange,
} from './watch-records';

/** Posts a newly detected change; the Teams surface implements it. */
export interface WatchNotifier {
  changeDetected(change: WatchChange, request: PublishRequest): Promise<void>;
}

export interface GalleryWatchDependencies {
  store: Store;
  requests: RequestRepository;
  gateway: GalleryGateway;
  allowSelfApproval: boolean;
  logger: Logger;
  /** Time between runs. */
  intervalInMs: number;
  notifier?: WatchNotifier;
  now?: () => Date;
  /** Lease owner name of this instance; random by default. */
  owner?: string;
}

export interface GalleryWatchRun {
  /** False when another instance holds the lease, so this one did nothing. */
  ran: boolean;
  /** Number of published galleries read. */
  checked: number;
  /** Ids of the changes detected and posted by this run. */
  posted: string[];
}

export const WATCH_LEASE = 'gallery-watch';

/**
 * Compares every gallery that the bot published with the public content that was approved:
 * the publish request's snapshot, or the baseline of the last acknowledged change. A difference
 * is stored once per (baseline, current content) pair and posted once, so repeated runs and
 * several instances post it once.
 */
export class GalleryWatch {
  private readonly baselines: Collection<WatchBaseline>;
  private readonly changes: Collection<WatchChange>;
  private readonly checks: ClickChecks;
  private readonly now: () => Date;
  private readonly loop: LeasedLoop;

  constructor(private readonly deps: GalleryWatchDependencies) {
    this.baselines = deps.store.collection(WATCH_BASELINES);
    this.changes = deps.store.collection(WATCH_CHANGES);
    this.now = deps.now ?? (() => new Date());
    this.checks = new ClickChecks(deps.gateway, deps.allowSelfApproval, this.now);
    this.loop = new LeasedLoop({
      leases: deps.store.leases,
      lease: WATCH_LEASE,
      owner: deps.owner ?? `gallery-watch-${randomBytes(6).toString('hex')}`,
      intervalInMs: deps.intervalInMs,
      logger: deps.logger,
      failureMessage: 'gallery watch run failed',
    });
  }

  /** Runs the check every `intervalInMs` until `close`. */
  start(): void {
    this.loop.start(() => this.runOnce());
  }

  close(): Promise<void> {
    return this.loop.close();
  }

  async getChange(changeId: string): Promise<WatchChange | undefined> {
    return (await this.changes.get(changeId))?.value;
  }

  async getBaseline(galleryKey: string): Promise<WatchBaseline | undefined> {
    return (await this.baselines.get(galleryKey))?.value;
  }

  /**
   * Reads each published gallery and posts its differences from the baseline, if this instance
   * holds the lease. The lease is kept until it lapses, so other instances skip their runs.
   */
  async runOnce(at: Date = this.now()): Promise<GalleryWatchRun> {
    const result: GalleryWatchRun = { ran: false, checked: 0, posted: [] };
    if (!(await this.loop.acquireLease())) return result;
    result.ran = true;

    for (const request of await this.publishedRequests()) {
      try {
        result.checked += 1;
        const change = await this.checkGallery(request, at);
        if (change) result.posted.push(change.id);
      } catch (error) {
        this.deps.logger.warn(
          { err: error, requestId: request.id, gallery: request.galleryKey },
          'checking a published gallery failed',
        );
      }
    }
    return result;
  }

  /**
   * Records the change's content as the new baseline, after the same checks as an approval:
   * the user has an approving role now and is not the original requester (unless allowed),
   * and the gallery still has the content the card shows. Acknowledging twice changes nothing.
   */
  async acknowledge(changeId: string, user: Person): Promise<WatchChange> {
    const change = await this.requireChange(changeId);
    if (change.acknowledged) return change;
    const request = await this.deps.requests.get(change.requestId);

    let eligibleRoles: string[];
    try {
      eligibleRoles = await this.checks.approverRoles(request, user);
      await this.assertCurrent(change);
    } catch (error) {
      if (error instanceof WorkflowError) {
        await this.audit(change, user, 'watch-acknowledge-rejected', {
          reason: `${error.code}: ${error.message}`,
        });
      }
      throw error;
    }

    const at = this.now().toISOString();
    await this.writeBaseline(change, {
      galleryKey: change.galleryKey,
      gallery: change.gallery,
      requestId: change.requestId,
      snapshot: change.snapshot,
      metadataHash: change.metadataHash,
      changeId: change.id,
      acknowledgedBy: user,
      acknowledgedAt: at,
      eligibleRoles,
    });
    const acknowledged = await this.updateChange(change.id, (current) =>
      current.acknowledged
        ? undefined
        : { ...current, acknowledged: { by: user, at, eligibleRoles } },
    );
    await this.audit(change, user, 'watch-acknowledge', { eligibleRoles });
    this.deps.logger.info(
      { changeId, gallery: change.galleryKey, user: user.aadObjectId },
      'gallery change acknowledged',
    );
    return acknowledged;
  }

  /** Links an unpublish request started from the change's card. */
  async linkUnpublish(changeId: string, requestId: string): Promise<WatchChange> {
    return this.updateChange(changeId, (current) =>
      current.unpublishRequestIds.includes(requestId)
        ? undefined
        : { ...current, unpublishRequestIds: [...current.unpublishRequestIds, requestId] },
    );
  }

  /** Lists the latest shared publish request of each gallery that no later unpublish reset. */
  private async publishedRequests(): Promise<PublishRequest[]> {
    const latest = new Map<string, PublishRequest>();
    for (const request of await this.deps.requests.list({ state: 'shared' })) {
      const known = latest.get(request.galleryKey);
      if (!known || finishedAt(request) > finishedAt(known))
        latest.set(request.galleryKey, request);
    }
    return [...latest.values()].filter((request) => request.kind === 'publish');
  }

  private async checkGallery(request: PublishRequest, at: Date): Promise<WatchChange | undefined> {
    const baseline = await this.getBaseline(request.galleryKey);
    const before = baseline?.snapshot ?? request.snapshot;
    const baselineHash = baseline?.metadataHash ?? request.metadataHash;

    const current = await this.deps.gateway.inspect(request.gallery);
    const metadataHash = publicMetadataHash(current);
    if (metadataHash === baselineHash) return undefined;

    const change = this.buildChange(request, before, baselineHash, current, metadataHash, at);
    try {
      await this.changes.create(change.id, change);
    } catch (error) {
      // Another run or instance already stored (and posted) this very difference.
      if (error instanceof AlreadyExistsError) return undefined;
      throw error;
    }
    this.deps.logger.info(
      { changeId: change.id, gallery: change.galleryKey, urgent: change.urgent },
      'published gallery changed since its approval',
    );
    await this.audit(change, undefined, 'watch-change-detected', {
      details: { changes: change.changes, findings: change.findings.map((f) => f.code) },
    });
    await this.deps.notifier?.changeDetected(change, request);
    return change;
  }

  private buildChange(
    request: PublishRequest,
    before: GallerySnapshot,
    baselineHash: string,
    current: GallerySnapshot,
    metadataHash: string,
    at: Date,
  ): WatchChange {
    const changes = describeChanges(
      redactSnapshotSecrets(before, redactUrlSecrets),
      redactSnapshotSecrets(current, redactUrlSecrets),
    );
    const findings = newFindings(
      this.deps.gateway.review(before, 'publish'),
      this.deps.gateway.review(current, 'publish'),
    );
    const id = `w-${createHash('sha256')
      .update(`${request.galleryKey}\n${baselineHash}\n${metadataHash}`)
      .digest('hex')
      .slice(0, 24)}`;
    return {
      id,
      galleryKey: request.galleryKey,
      gallery: request.gallery,
      requestId: request.id,
      baselineHash,
      metadataHash,
      snapshot: current,
      // A difference hidden by the redaction (a changed credential value) still gets a line.
      changes: changes.length > 0 ? changes : ['The public metadata changed.'],
      findings,
      urgent: hasBlocker(findings),
      detectedAt: at.toISOString(),
      unpublishRequestIds: [],
    };
  }

  /** Raises unless the change's baseline is still current and the gallery still matches it. */
  private async assertCurrent(change: WatchChange): Promise<void> {
    const baseline = await this.getBaseline(change.galleryKey);
    const request = await this.deps.requests.get(change.requestId);
    const baselineHash = baseline?.metadataHash ?? request.metadataHash;
    const current = publicMetadataHash(await this.deps.gateway.inspect(change.gallery));
    if (baselineHash !== change.baselineHash || current !== change.metadataHash) {
      throw new WorkflowError(
        'MetadataChanged',
        `Gallery ${change.gallery.galleryName} changed again since this card was posted, so ` +
          'acknowledging it would approve content nobody reviewed. Wait for the next card.',
      );
    }
  }

  /**
   * Writes the baseline only over the one the change was compared with, as a conditional write,
   * so of two acknowledgements of different changes at the same time one is rejected.
   */
  private async writeBaseline(change: WatchChange, baseline: WatchBaseline): Promise<void> {
    const acknowledgedFirst = new WorkflowError(
      'MetadataChanged',
      `Another change of gallery ${change.gallery.galleryName} was acknowledged first. ` +
        'Wait for the next card.',
    );
    const stored = await this.baselines.get(change.galleryKey);
    // Teams resending the click of an acknowledgement that was already written.
    if (stored?.value.changeId === change.id) return;
    if (stored && stored.value.metadataHash !== change.baselineHash) throw acknowledgedFirst;
    try {
      if (stored) await this.baselines.replace(change.galleryKey, baseline, stored.etag);
      else await this.baselines.create(change.galleryKey, baseline);
    } catch (error) {
      if (error instanceof AlreadyExistsError || error instanceof PreconditionFailedError) {
        throw acknowledgedFirst;
      }
      throw error;
    }
  }

  private async updateChange(
    changeId: string,
    update: (current: WatchChange) => WatchChange | undefined,
  ): Promise<WatchChange> {
    const stored = await this.changes.get(changeId);
    if (!stored) throw notFound(changeId);
    const next = update(structuredClone(stored.value));
    if (!next) return stored.value;
    return (await this.changes.replace(changeId, next, stored.etag)).value;
  }

  private async requireChange(changeId: string): Promise<WatchChange> {
    const change = await this.getChange(changeId);
    if (!change) throw notFound(changeId);
    return change;
  }

  private async audit(
    change: WatchChange,
    user: Person | undefined,
    action: string,
    extra: { reason?: string; eligibleRoles?: string[]; details?: Record<string, unknown> },
  ): Promise<void> {
    await this.deps.store.audit.append({
      at: this.now().toISOString(),
      requestId: change.requestId,
      galleryId: change.galleryKey,
      actor: user
        ? { kind: 'user', aadObjectId: user.aadObjectId, name: user.name }
        : { kind: 'system', name: 'gallery watch' },
      action,
      fromState: 'shared',
      toState: 'shared',
      metadataHash: change.metadataHash,
      eligibleRoles: extra.eligibleRoles,
      reason: extra.reason,
      details: { changeId: change.id, baselineHash: change.baselineHash, ...extra.details },
    });
  }
}

/** Lists the findings of `after` that `before` did not have, leaving out `AlreadyPublic`. */
function newFindings(before: Finding[], after: Finding[]): Finding[] {
  const key = (finding: Finding) => `${finding.code}\n${finding.subject}\n${finding.message}`;
  const known = new Set(before.map(key));
  return after.filter((finding) => finding.code !== 'AlreadyPublic' && !known.has(key(finding)));
}

function finishedAt(request: PublishRequest): number {
  return Date.parse(request.share?.finishedAt ?? request.updatedAt);
}

function notFound(changeId: string): WorkflowError {
  return new WorkflowError('RequestNotFound', `Gallery change ${changeId} was not found.`);
}
