import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  DEMO_SEED_PATH,
  SeedValidationError,
  loadSeed,
  type ArmResource,
  type Seed,
} from '../../sandbox/seed';
import { GROUP_SCOPE, SUBSCRIPTION_SCOPE, galleryId } from './sandbox-clients';

const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const SHARING_ADMIN = '1ef6a3be-d0ac-425d-8c01-acb62866290b';

// The Microsoft 365 Agents Playground's mock users; its ids are not valid GUIDs.
const PLAYGROUND_USERS: Record<string, string> = {
  'Alex Wilber': '00000000-0000-0000-0000-0000000000020',
  'Megan Bowen': '00000000-0000-0000-0000-0000000000021',
  'Adele Vance': '00000000-0000-0000-0000-0000000000022',
  'Isaiah Langer': '00000000-0000-0000-0000-0000000000023',
  'Patti Fernandez': '00000000-0000-0000-0000-0000000000024',
  'Lynne Robbins': '00000000-0000-0000-0000-0000000000025',
};

function assignmentsOf(seed: Seed, principalId: string): string[] {
  return seed.resources
    .filter((resource) => resource.properties?.principalId === principalId)
    .map((resource) => {
      const role = String(resource.properties?.roleDefinitionId).split('/').pop();
      return `${role}@${resource.properties?.scope}`;
    })
    .sort();
}

function findResource(seed: Seed, id: string): ArmResource {
  const resource = seed.resources.find((candidate) => candidate.id === id);
  if (!resource) throw new Error(`The demo seed has no resource ${id}`);
  return resource;
}

describe('demo seed', () => {
  const seed = loadSeed(DEMO_SEED_PATH);

  it('keeps playground user object ids', () => {
    const users = Object.fromEntries(
      seed.directory.users.map((user) => [user.displayName, user.id]),
    );

    expect(users).toEqual(PLAYGROUND_USERS);
  });

  it('grants the described roles', () => {
    const group = seed.directory.groups.find(
      (candidate) => candidate.displayName === 'Gallery publishers',
    );

    expect(assignmentsOf(seed, PLAYGROUND_USERS['Alex Wilber']!)).toEqual([
      `${OWNER}@${SUBSCRIPTION_SCOPE}`,
    ]);
    expect(assignmentsOf(seed, PLAYGROUND_USERS['Megan Bowen']!)).toEqual([
      `${SHARING_ADMIN}@${GROUP_SCOPE}`,
    ]);
    expect(assignmentsOf(seed, PLAYGROUND_USERS['Patti Fernandez']!)).toEqual([
      `${CONTRIBUTOR}@${SUBSCRIPTION_SCOPE}`,
    ]);
    expect(group?.members.sort()).toEqual([
      PLAYGROUND_USERS['Adele Vance'],
      PLAYGROUND_USERS['Isaiah Langer'],
    ]);
    expect(assignmentsOf(seed, group?.id ?? '')).toEqual([
      `${SHARING_ADMIN}@${galleryId('readyGallery')}`,
    ]);
    expect(assignmentsOf(seed, seed.botPrincipalId)).toEqual(
      expect.arrayContaining([`${READER}@${GROUP_SCOPE}`, `${SHARING_ADMIN}@${GROUP_SCOPE}`]),
    );
  });

  it('galleries have the intended permissions', () => {
    const permissionsOf = (name: string): unknown =>
      (findResource(seed, galleryId(name)).properties?.sharingProfile as { permissions: string })
        .permissions;

    expect(permissionsOf('readyGallery')).toBe('Community');
    expect(permissionsOf('privateGallery')).toBe('Private');
    expect(permissionsOf('blockedGallery')).toBe('Community');
  });

  it('ready gallery has three images', () => {
    const images = seed.resources.filter(
      (resource) =>
        resource.type === 'Microsoft.Compute/galleries/images' &&
        resource.id.startsWith(`${galleryId('readyGallery')}/`),
    );
    const versions = seed.resources.filter(
      (resource) =>
        resource.type === 'Microsoft.Compute/galleries/images/versions' &&
        resource.id.startsWith(`${galleryId('readyGallery')}/`),
    );

    expect(images).toHaveLength(3);
    expect(images.every((image) => image.properties?.osState === 'Generalized')).toBe(true);
    expect(versions).toHaveLength(6);
    expect(JSON.stringify(versions)).not.toContain('diskEncryptionSetId');
  });

  it('blocked gallery carries its blockers', () => {
    const gallery = findResource(seed, galleryId('blockedGallery'));
    const info = (gallery.properties?.sharingProfile as { communityGalleryInfo: { eula: string } })
      .communityGalleryInfo;
    const blockedResources = seed.resources.filter((resource) =>
      resource.id.startsWith(`${galleryId('blockedGallery')}/`),
    );

    expect(info.eula).toMatch(/[?&]sig=/);
    expect(JSON.stringify(blockedResources)).toContain('diskEncryptionSetId');
    expect(
      blockedResources.some(
        (resource) =>
          resource.type === 'Microsoft.Compute/galleries/images' && resource.location === 'eastus',
      ),
    ).toBe(true);
  });
});

describe('loadSeed', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'seed-test-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  function writeSeed(content: string): string {
    const file = path.join(directory, 'seed.json');
    writeFileSync(file, content);
    return file;
  }

  it('reports every problem with the file', () => {
    const file = writeSeed(
      JSON.stringify({
        resources: [
          {
            id: galleryId('g1'),
            name: 'other',
            type: 'Microsoft.Compute/galleries',
            properties: { sharingProfile: { permissions: 'Public' } },
          },
          {
            id: `${GROUP_SCOPE}/providers/Microsoft.Authorization/roleAssignments/a1`,
            name: 'a1',
            type: 'Microsoft.Authorization/roleAssignments',
            properties: {
              roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
              principalId: 'p1',
              principalType: 'User',
              scope: GROUP_SCOPE,
            },
          },
        ],
        directory: { users: [], groups: [] },
      }),
    );

    let error: unknown;
    try {
      loadSeed(file);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(SeedValidationError);
    const message = (error as Error).message;
    expect(message).toContain(`Invalid sandbox seed ${file}:`);
    expect(message).toContain('botPrincipalId is missing');
    expect(message).toContain('name must equal the last segment of the id, "g1"');
    expect(message).toContain(
      'sharingProfile.permissions must be one of Private, Groups, Community',
    );
    expect(message).toContain(
      `role definition /providers/Microsoft.Authorization/roleDefinitions/${OWNER} is not in the seed`,
    );
    expect((error as SeedValidationError).problems).toHaveLength(4);
  });

  it('reports a wrong resource type', () => {
    const file = writeSeed(
      JSON.stringify({
        botPrincipalId: 'bot',
        resources: [
          { id: `${galleryId('g1')}/images/i1`, name: 'i1', type: 'Microsoft.Compute/galleries' },
        ],
        directory: { users: [], groups: [] },
      }),
    );

    expect(() => loadSeed(file)).toThrow('type must be "Microsoft.Compute/galleries/images"');
  });

  it('reports malformed json', () => {
    const file = writeSeed('{ "resources": ');

    expect(() => loadSeed(file)).toThrow(`Invalid sandbox seed ${file}:\n- is not valid JSON`);
  });

  it('reports a missing file', () => {
    const file = path.join(directory, 'absent.json');

    expect(() => loadSeed(file)).toThrow(`Invalid sandbox seed ${file}:\n- cannot be read`);
  });
});
