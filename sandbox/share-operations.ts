import { randomUUID } from 'node:crypto';

import { ArmError, badRequest, resourceNotFound } from './arm-errors';
import { normalizeLocation, normalizePath, subscriptionOf } from './arm-path';
import type { EmulatorRequest, EmulatorResponse, RouteContext } from './exchange';
import { authorize, requireParentsExist } from './resource-routes';
import type { ArmResource } from './seed';
import type { World } from './world';

export type ShareOperationType = 'EnableCommunity' | 'Reset';

/** Terminal status and error that replace the success of the next share operation. */
export interface ShareFailure {
  /** Terminal status of the operation; default `Failed`. */
  status?: 'Failed' | 'Canceled';
  code: string;
  message: string;
}

export interface ShareOperationSettings {
  /** Number of InProgress responses before the terminal status. */
  pollsBeforeDone: number;
  /** Sent in `Retry-After` on the 202 and on InProgress polls. */
  retryAfterInSeconds: number;
}

type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

interface ShareOperation {
  id: string;
  galleryId: string;
  statusUrl: string;
  operationType: ShareOperationType;
  startTime: string;
  endTime?: string;
  pollCount: number;
  status: OperationStatus;
  error?: { code: string; message: string };
  plannedFailure?: ShareFailure;
  sharingStatusBefore?: unknown;
}

const SHARE_ACTION = 'Microsoft.Compute/galleries/share/action';

/**
 * The gallery share POST as a long-running operation: a 202 with `Azure-AsyncOperation`,
 * `Location` and `Retry-After`, then status polls that report InProgress a set number of times
 * before the terminal status. The gallery changes when the operation completes.
 */
export class ShareOperations {
  private readonly operations = new Map<string, ShareOperation>();
  private readonly plannedFailures: ShareFailure[] = [];

  constructor(
    private readonly world: World,
    private readonly context: RouteContext,
    private readonly settings: ShareOperationSettings,
  ) {}

  /** Makes the next share operation that starts end with `failure`; calls queue up in order. */
  failNext(failure: ShareFailure): void {
    this.plannedFailures.push(failure);
  }

  /** Serves `POST …/galleries/{gallery}/share`. */
  begin(request: EmulatorRequest): EmulatorResponse {
    const galleryId = normalizePath(request.path).replace(/\/share$/i, '');
    authorize(this.world, SHARE_ACTION, galleryId);
    requireParentsExist(this.world, galleryId);
    const gallery = this.world.get(galleryId);
    if (!gallery) throw resourceNotFound(galleryId);

    const operationType = parseSharingUpdate(request.body);
    this.rejectConcurrentOperation(gallery);
    if (operationType === 'EnableCommunity') validateCommunityGallery(gallery);

    const operation = this.createOperation(gallery, operationType, request);
    operation.sharingStatusBefore = gallery.properties?.sharingStatus;
    setSharingStatus(gallery, 'InProgress');
    this.world.put(gallery);

    return {
      status: 202,
      headers: {
        'Azure-AsyncOperation': operation.statusUrl,
        Location: monitorUrl(operation.statusUrl),
        'Retry-After': String(this.settings.retryAfterInSeconds),
      },
      body: { operationType },
    };
  }

  /**
   * Serves the operation status URL, without checking the caller's roles. With `monitor=true`
   * (the `Location` URL) it returns 202 while running, then 200 with the sharing update on
   * success, or 400 with the error when the operation failed or was canceled.
   */
  poll(request: EmulatorRequest, operationId: string): EmulatorResponse {
    const operation = this.operations.get(operationId.toLowerCase());
    if (!operation) {
      throw new ArmError(404, 'OperationNotFound', `The operation '${operationId}' was not found.`);
    }

    operation.pollCount += 1;
    if (operation.status === 'InProgress' && operation.pollCount > this.settings.pollsBeforeDone) {
      this.complete(operation);
    }

    if (request.query.get('monitor')?.toLowerCase() === 'true')
      return monitorResponse(operation, this.settings);
    return { status: 200, headers: this.retryHeaders(operation), body: statusBody(operation) };
  }

  private createOperation(
    gallery: ArmResource,
    operationType: ShareOperationType,
    request: EmulatorRequest,
  ): ShareOperation {
    const id = randomUUID();
    const apiVersion = request.query.get('api-version') ?? '';
    const location = normalizeLocation(gallery.location ?? 'westus');
    const statusUrl =
      `${this.context.baseUrl}/subscriptions/${subscriptionOf(gallery.id)}/providers/Microsoft.Compute` +
      `/locations/${location}/capsOperations/${id}?api-version=${encodeURIComponent(apiVersion)}`;

    const operation: ShareOperation = {
      id,
      galleryId: gallery.id,
      statusUrl,
      operationType,
      startTime: new Date().toISOString(),
      pollCount: 0,
      status: 'InProgress',
      plannedFailure: this.plannedFailures.shift(),
    };
    this.operations.set(id, operation);
    return operation;
  }

  private rejectConcurrentOperation(gallery: ArmResource): void {
    const running = [...this.operations.values()].find(
      (operation) =>
        operation.status === 'InProgress' &&
        operation.galleryId.toLowerCase() === gallery.id.toLowerCase(),
    );
    if (running) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Another operation is in progress on the gallery '${gallery.name}' (operation ` +
          `${running.id}). Retry after it completes.`,
      );
    }
  }

  private complete(operation: ShareOperation): void {
    operation.endTime = new Date().toISOString();
    const gallery = this.world.get(operation.galleryId);
    if (!gallery) {
      operation.status = 'Failed';
      const notFound = resourceNotFound(operation.galleryId);
      operation.error = { code: notFound.code, message: notFound.message };
      return;
    }

    const failure = operation.plannedFailure;
    if (failure) {
      operation.status = failure.status ?? 'Failed';
      operation.error = { code: failure.code, message: failure.message };
      if (operation.status === 'Failed') setSharingStatus(gallery, 'Failed', failure.message);
      else restoreSharingStatus(gallery, operation.sharingStatusBefore);
      this.world.put(gallery);
      return;
    }

    if (operation.operationType === 'EnableCommunity') this.enableCommunity(gallery);
    else this.resetSharing(gallery);
    operation.status = 'Succeeded';
  }

  private enableCommunity(gallery: ArmResource): void {
    const sharingProfile = sharingProfileOf(gallery);
    const info = (sharingProfile.communityGalleryInfo ?? {}) as Record<string, unknown>;
    const existingNames = Array.isArray(info.publicNames) ? (info.publicNames as string[]) : [];
    const publicNames =
      info.communityGalleryEnabled === true && existingNames.length > 0
        ? existingNames
        : [`${String(info.publicNamePrefix)}-${randomUUID()}`];

    sharingProfile.communityGalleryInfo = { ...info, publicNames, communityGalleryEnabled: true };
    setSharingStatus(gallery, 'Succeeded');
    this.world.put(gallery);
    for (const publicName of publicNames) {
      this.world.put(communityGalleryResource(gallery, publicName, sharingProfile));
    }
  }

  private resetSharing(gallery: ArmResource): void {
    const sharingProfile = sharingProfileOf(gallery);
    const info = sharingProfile.communityGalleryInfo as Record<string, unknown> | undefined;
    const publicNames = Array.isArray(info?.publicNames) ? (info?.publicNames as string[]) : [];
    const location = normalizeLocation(gallery.location ?? 'westus');

    for (const publicName of publicNames) {
      this.world.delete(communityGalleryId(gallery, location, publicName));
    }
    sharingProfile.permissions = 'Private';
    delete sharingProfile.groups;
    if (info) {
      delete info.publicNames;
      info.communityGalleryEnabled = false;
    }
    setSharingStatus(gallery, 'Succeeded');
    this.world.put(gallery);
  }

  private retryHeaders(operation: ShareOperation): Record<string, string> {
    if (operation.status !== 'InProgress') return {};
    return { 'Retry-After': String(this.settings.retryAfterInSeconds) };
  }
}

function parseSharingUpdate(body: unknown): ShareOperationType {
  const operationType =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>).operationType
      : undefined;
  if (typeof operationType !== 'string') {
    throw badRequest('InvalidParameter', "Required parameter 'operationType' is missing (null).");
  }

  const known: ShareOperationType[] = ['EnableCommunity', 'Reset'];
  const match = known.find((type) => type.toLowerCase() === operationType.toLowerCase());
  if (match) return match;
  // NOTE: Add and Remove (sharing with subscriptions and tenants) are real operation types
  // that the emulator does not implement.
  throw badRequest(
    'InvalidParameter',
    `The value '${operationType}' of parameter 'operationType' is not supported by the emulator; ` +
      'use EnableCommunity or Reset.',
  );
}

// NOTE: the error code Azure returns for EnableCommunity on a gallery without Community
// permissions is not documented in the sources at hand, so the emulator uses BadRequest.
function validateCommunityGallery(gallery: ArmResource): void {
  const sharingProfile = sharingProfileOf(gallery);
  const permissions = String(sharingProfile.permissions ?? 'Private');
  if (permissions.toLowerCase() !== 'community') {
    throw badRequest(
      'BadRequest',
      `The gallery '${gallery.name}' has sharing permissions '${permissions}', but EnableCommunity ` +
        "needs 'Community'. Update the gallery's sharing profile to Community with community gallery information first.",
    );
  }
  const info = sharingProfile.communityGalleryInfo as Record<string, unknown> | undefined;
  if (typeof info?.publicNamePrefix !== 'string' || info.publicNamePrefix === '') {
    throw badRequest(
      'BadRequest',
      `The gallery '${gallery.name}' has no communityGalleryInfo.publicNamePrefix, which EnableCommunity needs.`,
    );
  }
}

function sharingProfileOf(gallery: ArmResource): Record<string, unknown> {
  gallery.properties ??= {};
  const existing = gallery.properties.sharingProfile;
  if (typeof existing === 'object' && existing !== null) return existing as Record<string, unknown>;
  const created: Record<string, unknown> = { permissions: 'Private' };
  gallery.properties.sharingProfile = created;
  return created;
}

function setSharingStatus(gallery: ArmResource, state: string, details = ''): void {
  gallery.properties ??= {};
  gallery.properties.sharingStatus = {
    aggregatedState: state,
    summary: [{ region: normalizeLocation(gallery.location ?? 'westus'), state, details }],
  };
}

function restoreSharingStatus(gallery: ArmResource, sharingStatus: unknown): void {
  gallery.properties ??= {};
  if (sharingStatus === undefined) delete gallery.properties.sharingStatus;
  else gallery.properties.sharingStatus = sharingStatus;
}

function communityGalleryId(gallery: ArmResource, location: string, publicName: string): string {
  return (
    `/subscriptions/${subscriptionOf(gallery.id)}/providers/Microsoft.Compute/locations/${location}` +
    `/communityGalleries/${publicName}`
  );
}

/** Builds the public community gallery in the shape `communityGalleries.get` returns. */
function communityGalleryResource(
  gallery: ArmResource,
  publicName: string,
  sharingProfile: Record<string, unknown>,
): ArmResource {
  const location = normalizeLocation(gallery.location ?? 'westus');
  const info = sharingProfile.communityGalleryInfo as Record<string, unknown>;
  const tags = (gallery.tags ?? {}) as Record<string, string>;
  const artifactTags = Object.fromEntries(
    Object.entries(tags).filter(([key]) => key.toLowerCase().startsWith('sharetag-')),
  );

  return {
    id: communityGalleryId(gallery, location, publicName),
    name: publicName,
    type: 'Microsoft.Compute/locations/communityGallery',
    location,
    identifier: { uniqueId: `/CommunityGalleries/${publicName}` },
    properties: {
      artifactTags,
      communityMetadata: {
        publisherUri: info.publisherUri,
        publisherContact: info.publisherContact,
        eula: info.eula,
        publicNames: info.publicNames,
      },
    },
  };
}

function monitorUrl(statusUrl: string): string {
  return statusUrl.replace('?', '?monitor=true&');
}

function statusBody(operation: ShareOperation): Record<string, unknown> {
  return {
    name: operation.id,
    status: operation.status,
    startTime: operation.startTime,
    ...(operation.endTime ? { endTime: operation.endTime } : {}),
    ...(operation.error ? { error: operation.error } : {}),
  };
}

function monitorResponse(
  operation: ShareOperation,
  settings: ShareOperationSettings,
): EmulatorResponse {
  if (operation.status === 'InProgress') {
    return {
      status: 202,
      headers: {
        Location: monitorUrl(operation.statusUrl),
        'Retry-After': String(settings.retryAfterInSeconds),
      },
    };
  }
  if (operation.status === 'Succeeded') {
    return { status: 200, body: { operationType: operation.operationType } };
  }
  return { status: 400, body: { error: operation.error } };
}
