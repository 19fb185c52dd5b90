import { lastProvidersIndex, pathKey, splitPath } from './arm-path';
import type { ArmResource } from './seed';
import type { World } from './world';

/** One entry of a role definition's `permissions`. */
export interface RolePermission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

/**
 * Tells whether an action pattern of a role definition covers an action. Patterns compare
 * case-insensitively and `*` stands for any characters, `/` included, as in Azure RBAC.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`, 'i').test(action);
}

/** Returns the scope of a role assignment: `properties.scope`, or the id before the provider. */
export function assignmentScope(assignment: ArmResource): string {
  const scope = assignment.properties?.scope;
  if (typeof scope === 'string') return scope;
  const segments = splitPath(assignment.id);
  return '/' + segments.slice(0, lastProvidersIndex(segments)).join('/');
}

/** Returns the role assignments made at a scope or at any scope above it. */
export function assignmentsAtOrAbove(world: World, scope: string): ArmResource[] {
  const chain = new Set(world.scopeChain(scope).map(pathKey));
  return world
    .ofType('Microsoft.Authorization/roleAssignments')
    .filter((assignment) => chain.has(pathKey(assignmentScope(assignment))));
}

/** Returns the role assignments made at a scope or at any scope below it. */
export function assignmentsAtOrBelow(world: World, scope: string): ArmResource[] {
  const key = pathKey(scope);
  const prefix = key === '/' ? '/' : `${key}/`;
  return world.ofType('Microsoft.Authorization/roleAssignments').filter((assignment) => {
    const assignmentKey = pathKey(assignmentScope(assignment));
    return assignmentKey === key || assignmentKey.startsWith(prefix);
  });
}

/** Returns the permissions a principal has at a scope, one entry per role definition. */
export function effectivePermissions(
  world: World,
  principalId: string,
  scope: string,
): RolePermission[] {
  const principals = world.groupsOf(principalId);
  principals.add(principalId.toLowerCase());

  const roleDefinitionNames = new Set<string>();
  const permissions: RolePermission[] = [];
  for (const assignment of assignmentsAtOrAbove(world, scope)) {
    const assignee = String(assignment.properties?.principalId ?? '').toLowerCase();
    if (!principals.has(assignee)) continue;

    const definition = world.roleDefinition(String(assignment.properties?.roleDefinitionId ?? ''));
    if (!definition || roleDefinitionNames.has(definition.name.toLowerCase())) continue;
    roleDefinitionNames.add(definition.name.toLowerCase());
    permissions.push(...rolePermissions(definition));
  }
  return permissions;
}

/**
 * Tells whether a principal may perform an action at a scope: some role granted at or above
 * the scope lists the action and does not exclude it in the same permission entry.
 */
export function isActionAllowed(
  world: World,
  principalId: string,
  action: string,
  scope: string,
): boolean {
  return effectivePermissions(world, principalId, scope).some(
    (permission) =>
      permission.actions.some((pattern) => actionMatches(pattern, action)) &&
      !permission.notActions.some((pattern) => actionMatches(pattern, action)),
  );
}

function rolePermissions(definition: ArmResource): RolePermission[] {
  const entries = definition.properties?.permissions;
  if (!Array.isArray(entries)) return [];
  return entries.map((entry: Record<string, unknown>) => ({
    actions: stringArray(entry.actions),
    notActions: stringArray(entry.notActions),
    dataActions: stringArray(entry.dataActions),
    notDataActions: stringArray(entry.notDataActions),
  }));
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}
