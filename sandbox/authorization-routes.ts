import {
  badRequest,
  notServed,
  roleAssignmentNotFound,
  roleDefinitionNotFound,
} from './arm-errors';
import { lastProvidersIndex, pathKey, splitPath } from './arm-path';
import { pageOf, type EmulatorRequest, type EmulatorResponse, type RouteContext } from './exchange';
import {
  assignmentScope,
  assignmentsAtOrAbove,
  assignmentsAtOrBelow,
  effectivePermissions,
} from './rbac';
import { authorize, requireParentsExist } from './resource-routes';
import type { ArmResource } from './seed';
import type { World } from './world';

const ROLE_ASSIGNMENTS_READ = 'Microsoft.Authorization/roleAssignments/read';

/**
 * Serves `{scope}/providers/Microsoft.Authorization/…`: role assignments, role definitions and
 * the caller's permissions at a scope.
 */
export function handleAuthorizationProvider(
  world: World,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  const segments = splitPath(request.path);
  const providersIndex = lastProvidersIndex(segments);
  const scope = '/' + segments.slice(0, providersIndex).join('/');
  const [collection, name, ...extra] = segments.slice(providersIndex + 2);
  if (extra.length > 0) throw notServed(request.method, request.path);

  switch (collection?.toLowerCase()) {
    case 'roleassignments':
      return name === undefined
        ? listRoleAssignments(world, scope, request, context)
        : getRoleAssignment(world, scope, request);
    case 'roledefinitions':
      return name === undefined
        ? listRoleDefinitions(world, scope, request, context)
        : getRoleDefinition(world, name);
    case 'permissions':
      if (name === undefined) return listPermissions(world, scope, request, context);
      break;
  }
  throw notServed(request.method, request.path);
}

/**
 * Lists role assignments like Azure: `atScope()` keeps those at the scope and above it;
 * without it, assignments below the scope are included too. `principalId eq '…'` and
 * `assignedTo('…')` keep one principal's assignments, the latter with its groups'.
 */
function listRoleAssignments(
  world: World,
  scope: string,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  authorize(world, ROLE_ASSIGNMENTS_READ, scope);
  requireParentsExist(world, scope);

  const filter = parseAssignmentFilter(request.query.get('$filter'));
  const above = assignmentsAtOrAbove(world, scope);
  const below = filter.atScope ? [] : assignmentsAtOrBelow(world, scope);
  const byId = new Map<string, ArmResource>();
  for (const assignment of [...above, ...below]) byId.set(pathKey(assignment.id), assignment);

  let principals: Set<string> | undefined;
  if (filter.principalId !== undefined) {
    principals = filter.includeGroups ? world.groupsOf(filter.principalId) : new Set();
    principals.add(filter.principalId.toLowerCase());
  }
  const assignments = [...byId.values()]
    .filter((assignment) => {
      if (!principals) return true;
      return principals.has(String(assignment.properties?.principalId ?? '').toLowerCase());
    })
    .sort((a, b) => (pathKey(a.id) < pathKey(b.id) ? -1 : 1));
  return { status: 200, body: pageOf(assignments, request, context) };
}

function getRoleAssignment(
  world: World,
  scope: string,
  request: EmulatorRequest,
): EmulatorResponse {
  authorize(world, ROLE_ASSIGNMENTS_READ, scope);
  requireParentsExist(world, scope);

  const assignment = world.get(request.path);
  if (!assignment || pathKey(assignmentScope(assignment)) !== pathKey(scope)) {
    throw roleAssignmentNotFound(request.path);
  }
  return { status: 200, body: assignment };
}

// NOTE: role definition reads are not checked against the caller's roles, because built-in role
// definitions are readable to any signed-in caller and the emulator has no rule for custom ones.
function listRoleDefinitions(
  world: World,
  scope: string,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  requireParentsExist(world, scope);

  const chain = new Set(world.scopeChain(scope).map(pathKey));
  const filter = request.query.get('$filter');
  const roleName = filter === null ? undefined : /^roleName eq '(.*)'$/i.exec(filter.trim())?.[1];
  const roleType = filter === null ? undefined : /^type eq '(.*)'$/i.exec(filter.trim())?.[1];
  if (filter !== null && roleName === undefined && roleType === undefined) {
    throw badRequest('BadRequest', `The filter '${filter}' is not supported.`);
  }

  const definitions = world
    .ofType('Microsoft.Authorization/roleDefinitions')
    .filter((definition) => {
      const assignableScopes = definition.properties?.assignableScopes;
      if (!Array.isArray(assignableScopes)) return true;
      return assignableScopes.some((assignable) => chain.has(pathKey(String(assignable))));
    })
    .filter((definition) => {
      if (roleName !== undefined) return definition.properties?.roleName === roleName;
      if (roleType !== undefined) return definition.properties?.type === roleType;
      return true;
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { status: 200, body: pageOf(definitions, request, context) };
}

function getRoleDefinition(world: World, roleDefinitionId: string): EmulatorResponse {
  const definition = world.roleDefinition(roleDefinitionId);
  if (!definition) throw roleDefinitionNotFound(roleDefinitionId);
  return { status: 200, body: definition };
}

// NOTE: Azure lets every caller read their own permissions, so no role is required here.
function listPermissions(
  world: World,
  scope: string,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  requireParentsExist(world, scope);
  const permissions = effectivePermissions(world, world.botPrincipalId, scope);
  return { status: 200, body: pageOf(permissions, request, context) };
}

interface AssignmentFilter {
  atScope: boolean;
  principalId?: string;
  includeGroups: boolean;
}

function parseAssignmentFilter(filter: string | null): AssignmentFilter {
  const result: AssignmentFilter = { atScope: false, includeGroups: false };
  if (filter === null || filter.trim() === '') return result;

  for (const clause of filter.split(/\s+and\s+/i).map((part) => part.trim())) {
    const principal = /^principalId eq '([^']*)'$/i.exec(clause);
    const assignedTo = /^assignedTo\('([^']*)'\)$/i.exec(clause);
    if (/^atScope\(\)$/i.test(clause)) {
      result.atScope = true;
    } else if (principal) {
      result.principalId = principal[1];
    } else if (assignedTo) {
      result.principalId = assignedTo[1];
      result.includeGroups = true;
    } else {
      throw badRequest(
        'UnsupportedQuery',
        `The filter '${filter}' is not supported. Use atScope(), principalId eq '{id}' or assignedTo('{id}').`,
      );
    }
  }
  return result;
}
