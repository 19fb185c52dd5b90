import { randomUUID } from 'node:crypto';

import { ArmError } from './arm-errors';
import { splitPath } from './arm-path';
import { pageOf, type EmulatorRequest, type EmulatorResponse, type RouteContext } from './exchange';
import type { World } from './world';

const TYPE_CASTS: Record<string, string> = {
  'microsoft.graph.user': '#microsoft.graph.user',
  'microsoft.graph.group': '#microsoft.graph.group',
  'microsoft.graph.serviceprincipal': '#microsoft.graph.servicePrincipal',
};

/**
 * Serves the Microsoft Graph v1.0 calls the bot makes: a group's `transitiveMembers` (with an
 * optional type cast such as `/microsoft.graph.user`), a group's direct `members`, and
 * a user or group by id. Errors have Graph's shape, not Resource Manager's.
 */
export function handleGraph(
  world: World,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  if (!request.headers.authorization) {
    return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  }
  try {
    return routeGraph(world, request, context);
  } catch (error) {
    if (error instanceof ArmError) return graphError(error.status, error.code, error.message);
    throw error;
  }
}

function routeGraph(
  world: World,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  const [version, collectionSegment, id, relationSegment, cast, ...extra] = splitPath(request.path);
  const collection = collectionSegment?.toLowerCase();
  const relation = relationSegment?.toLowerCase();
  if (request.method !== 'GET' || version !== 'v1.0' || id === undefined || extra.length > 0) {
    return unsupportedSegment(request.path);
  }

  if (collection === 'users' && relation === undefined) {
    const user = world.user(id);
    return user ? { status: 200, body: directoryObject(world, user.id) } : resourceMissing(id);
  }
  if (collection !== 'groups') return unsupportedSegment(request.path);

  const group = world.group(id);
  if (!group) return resourceMissing(id);
  if (relation === undefined) return { status: 200, body: directoryObject(world, group.id) };

  const castType = cast === undefined ? undefined : TYPE_CASTS[cast.toLowerCase()];
  if (cast !== undefined && castType === undefined) return unsupportedSegment(request.path);

  let memberIds: string[];
  if (relation === 'transitivemembers') memberIds = world.transitiveMembers(group.id);
  else if (relation === 'members') memberIds = group.members;
  else return unsupportedSegment(request.path);

  const members = memberIds
    .map((memberId) => directoryObject(world, memberId))
    .filter((member) => castType === undefined || member['@odata.type'] === castType)
    .map((member) => selectFields(member, request.query.get('$select')));
  const page = pageOf(members, request, context, '@odata.nextLink');
  return {
    status: 200,
    body: {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#directoryObjects',
      ...page,
    },
  };
}

function directoryObject(world: World, id: string): Record<string, unknown> {
  const user = world.user(id);
  if (user) {
    return {
      '@odata.type': '#microsoft.graph.user',
      id: user.id,
      displayName: user.displayName,
      userPrincipalName: user.userPrincipalName,
      mail: user.mail ?? null,
    };
  }
  const group = world.group(id);
  if (group)
    return {
      '@odata.type': '#microsoft.graph.group',
      id: group.id,
      displayName: group.displayName,
    };

  const principal = world.servicePrincipal(id);
  if (principal) {
    return {
      '@odata.type': '#microsoft.graph.servicePrincipal',
      id: principal.id,
      displayName: principal.displayName,
      appId: principal.appId ?? null,
    };
  }
  return { '@odata.type': '#microsoft.graph.directoryObject', id };
}

/** Applies `$select`; `@odata.type` and `id` are always kept. */
function selectFields(
  item: Record<string, unknown>,
  select: string | null,
): Record<string, unknown> {
  if (select === null) return item;
  const fields = new Set(['@odata.type', 'id', ...select.split(',').map((field) => field.trim())]);
  return Object.fromEntries(Object.entries(item).filter(([key]) => fields.has(key)));
}

function resourceMissing(id: string): EmulatorResponse {
  return graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function unsupportedSegment(path: string): EmulatorResponse {
  return graphError(400, 'BadRequest', `Resource not found for the segment '${path}'.`);
}

function graphError(status: number, code: string, message: string): EmulatorResponse {
  return {
    status,
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString(), 'request-id': randomUUID() },
      },
    },
  };
}
