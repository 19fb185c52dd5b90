import {
  authorizationFailed,
  badRequest,
  parentResourceNotFound,
  resourceGroupNotFound,
  resourceNotFound,
  subscriptionNotFound,
} from './arm-errors';
import {
  collectionOwner,
  isCollectionPath,
  lastProvidersIndex,
  parentScope,
  resourceGroupOf,
  resourceTypeOf,
  splitPath,
  subscriptionOf,
} from './arm-path';
import { pageOf, type EmulatorRequest, type EmulatorResponse, type RouteContext } from './exchange';
import { isActionAllowed } from './rbac';
import type { ArmResource } from './seed';
import type { World } from './world';

const GALLERY_TYPE = 'microsoft.compute/galleries';
const COMMUNITY_GALLERY_TYPE = 'microsoft.compute/locations/communitygallery';

/** Serves GET of a resource at its id, or of a collection such as `…/galleries/g/images`. */
export function getResourceOrCollection(
  world: World,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  if (isCollectionPath(request.path)) return listCollection(world, request, context);
  return getResource(world, request);
}

/** Raises AuthorizationFailed unless the bot principal may perform `action` at `scope`. */
export function authorize(world: World, action: string, scope: string, shownScope = scope): void {
  if (!isActionAllowed(world, world.botPrincipalId, action, scope)) {
    throw authorizationFailed(world.botPrincipalId, action, shownScope);
  }
}

/**
 * Raises the 404 Azure returns when a scope's subscription, resource group or parent
 * resource is missing. The scope itself is not checked.
 */
export function requireParentsExist(world: World, scope: string): void {
  const subscriptionId = subscriptionOf(scope);
  if (subscriptionId === undefined) return;
  if (!world.hasSubscription(subscriptionId)) throw subscriptionNotFound(subscriptionId);

  const resourceGroup = resourceGroupOf(scope);
  if (resourceGroup === undefined) return;
  if (!world.resourceGroup(subscriptionId, resourceGroup)) {
    throw resourceGroupNotFound(resourceGroup);
  }

  const parents: string[] = [];
  let parent = parentScope(scope);
  while (parent !== undefined && lastProvidersIndex(splitPath(parent)) !== -1) {
    parents.unshift(parent);
    parent = parentScope(parent);
  }
  for (const id of parents) {
    if (!world.get(id)) throw parentResourceNotFound(id);
  }
}

/**
 * Returns a resource as a GET returns it. Galleries lose `publicNamePrefix`, which Azure never
 * returns, and their sharing groups unless `$select=Permissions` or
 * `$expand=SharingProfile/Groups` requests them. Community galleries have no `id`. Those two
 * types come back as copies, and every other resource as the same object.
 */
export function presentResource(resource: ArmResource, query: URLSearchParams): ArmResource {
  const type = resource.type.toLowerCase();
  if (type !== GALLERY_TYPE && type !== COMMUNITY_GALLERY_TYPE) return resource;

  const copy = structuredClone(resource);

  if (type === GALLERY_TYPE) {
    const sharingProfile = copy.properties?.sharingProfile as Record<string, unknown> | undefined;
    const communityInfo = sharingProfile?.communityGalleryInfo as
      | Record<string, unknown>
      | undefined;
    if (communityInfo) delete communityInfo.publicNamePrefix;
    if (sharingProfile && !wantsSharingGroups(query)) delete sharingProfile.groups;
  }
  if (type === COMMUNITY_GALLERY_TYPE) delete (copy as Partial<ArmResource>).id;
  return copy;
}

/** Returns the RBAC action that reads a resource type (`Microsoft.Compute/galleries/read`). */
export function readAction(type: string): string {
  if (type.toLowerCase() === 'microsoft.resources/resourcegroups') {
    return 'Microsoft.Resources/subscriptions/resourceGroups/read';
  }
  return `${type}/read`;
}

function getResource(world: World, request: EmulatorRequest): EmulatorResponse {
  const id = request.path;
  const type = resourceTypeOf(id);
  if (type.toLowerCase() === 'microsoft.resources/subscriptions') return getSubscription(world, id);

  authorize(world, readAction(type), id);
  requireParentsExist(world, id);

  const subscriptionId = subscriptionOf(id) ?? '';
  const resource =
    type.toLowerCase() === 'microsoft.resources/resourcegroups'
      ? world.resourceGroup(subscriptionId, resourceGroupOf(id) ?? '')
      : world.get(id);
  if (!resource) throw resourceNotFound(id);

  validateSelect(type, request.query);
  return { status: 200, body: presentResource(resource, request.query) };
}

function listCollection(
  world: World,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  const path = request.path;
  const owner = collectionOwner(path);
  const itemType = resourceTypeOf(`${path}/item`);

  authorize(world, readAction(itemType), owner, path);
  requireParentsExist(world, owner);
  if (lastProvidersIndex(splitPath(owner)) !== -1 && resourceGroupOf(owner) && !world.get(owner)) {
    throw parentResourceNotFound(owner);
  }

  const items = world.inCollection(path).map((item) => presentResource(item, request.query));
  return { status: 200, body: pageOf(items, request, context) };
}

function getSubscription(world: World, id: string): EmulatorResponse {
  const subscriptionId = subscriptionOf(id) ?? '';
  if (!world.hasSubscription(subscriptionId)) throw subscriptionNotFound(subscriptionId);
  return {
    status: 200,
    body: {
      id: `/subscriptions/${subscriptionId}`,
      subscriptionId,
      displayName: 'Sandbox subscription',
      state: 'Enabled',
    },
  };
}

function validateSelect(type: string, query: URLSearchParams): void {
  const select = query.get('$select');
  if (select === null || type.toLowerCase() !== GALLERY_TYPE) return;
  if (select.toLowerCase() !== 'permissions') {
    throw badRequest(
      'InvalidParameter',
      `The value '${select}' of parameter '$select' is not valid. The allowed value is 'Permissions'.`,
    );
  }
}

function wantsSharingGroups(query: URLSearchParams): boolean {
  return (
    query.get('$select')?.toLowerCase() === 'permissions' ||
    query.get('$expand')?.toLowerCase() === 'sharingprofile/groups'
  );
}
