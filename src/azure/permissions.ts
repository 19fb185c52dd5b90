/** The action that sharing a gallery to the community requires. */
export const SHARE_ACTION = 'Microsoft.Compute/galleries/share/action';
export const GALLERY_READ_ACTION = 'Microsoft.Compute/galleries/read';

/** Built-in roles that grant the share action. */
export const BUILT_IN_SHARING_ROLES: Record<string, string> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  '1ef6a3be-d0ac-425d-8c01-acb62866290b': 'Compute Gallery Sharing Admin',
};

export interface PermissionSet {
  actions?: string[];
  notActions?: string[];
}

/**
 * Tells whether a role's permissions grant an action: some `actions` pattern matches it and no
 * `notActions` pattern of the same permission set excludes it. Patterns compare case-
 * insensitively, with `*` matching any run of characters, as Azure RBAC does.
 */
export function grantsAction(permissions: readonly PermissionSet[], action: string): boolean {
  return permissions.some(
    (permission) =>
      (permission.actions ?? []).some((pattern) => matchesAction(pattern, action)) &&
      !(permission.notActions ?? []).some((pattern) => matchesAction(pattern, action)),
  );
}

export function matchesAction(pattern: string, action: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`, 'i').test(action);
}

/** Returns the last segment of a role definition id, which is the role's GUID. */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  return (roleDefinitionId.split('/').pop() ?? '').toLowerCase();
}
