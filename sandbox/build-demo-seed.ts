/**
 * Builds sandbox/demo-seed.json from the official Compute Gallery example payloads and the
 * Microsoft 365 Agents Playground's default mock tenant, read from the fixtures folder that
 * sits beside the repository (FIXTURES).
 *
 * Run with `npx tsx sandbox/build-demo-seed.ts`; the output is committed.
 */
import { writeFileSync } from 'node:fs';

import { format, resolveConfig } from 'prettier';

import {
  GROUP_SCOPE,
  LOCATION,
  RESOURCE_GROUP,
  SUBSCRIPTION_ID,
  SUBSCRIPTION_SCOPE,
  demoGalleries,
  galleryId,
} from './demo-seed-galleries';
import {
  COMMUNITY_GALLERY_READER,
  CONTRIBUTOR,
  OWNER,
  READER,
  SHARING_ADMIN,
  playgroundUsers,
  roleAssignment,
  roleDefinitions,
  stableGuid,
  userId,
} from './demo-seed-principals';
import { DEMO_SEED_PATH, validateSeed, type Seed } from './seed';

const BOT_PRINCIPAL_ID = stableGuid('gallery-approvals-bot');
const PIPELINE_PRINCIPAL_ID = stableGuid('image-build-pipeline');
const PUBLISHERS_GROUP_ID = stableGuid('gallery-publishers');

function buildSeed(): Seed {
  const users = playgroundUsers();
  const ready = galleryId('readyGallery');

  const assignments = [
    roleAssignment(SUBSCRIPTION_SCOPE, OWNER, userId(users, 'Alex Wilber'), 'User'),
    roleAssignment(GROUP_SCOPE, SHARING_ADMIN, userId(users, 'Megan Bowen'), 'User'),
    roleAssignment(ready, SHARING_ADMIN, PUBLISHERS_GROUP_ID, 'Group'),
    roleAssignment(SUBSCRIPTION_SCOPE, CONTRIBUTOR, userId(users, 'Patti Fernandez'), 'User'),
    roleAssignment(GROUP_SCOPE, OWNER, PIPELINE_PRINCIPAL_ID, 'ServicePrincipal'),
    roleAssignment(GROUP_SCOPE, READER, BOT_PRINCIPAL_ID, 'ServicePrincipal'),
    roleAssignment(GROUP_SCOPE, SHARING_ADMIN, BOT_PRINCIPAL_ID, 'ServicePrincipal'),
    roleAssignment(
      SUBSCRIPTION_SCOPE,
      COMMUNITY_GALLERY_READER,
      BOT_PRINCIPAL_ID,
      'ServicePrincipal',
    ),
  ];

  return {
    botPrincipalId: BOT_PRINCIPAL_ID,
    managementGroups: [
      { id: 'contoso-root', displayName: 'Contoso', subscriptions: [SUBSCRIPTION_ID] },
    ],
    resources: [
      {
        id: GROUP_SCOPE,
        name: RESOURCE_GROUP,
        type: 'Microsoft.Resources/resourceGroups',
        location: LOCATION,
        properties: { provisioningState: 'Succeeded' },
      },
      ...demoGalleries(),
      ...roleDefinitions(),
      ...assignments,
    ],
    directory: {
      users,
      groups: [
        {
          id: PUBLISHERS_GROUP_ID,
          displayName: 'Gallery publishers',
          members: [userId(users, 'Adele Vance'), userId(users, 'Isaiah Langer')],
        },
      ],
      servicePrincipals: [
        {
          id: BOT_PRINCIPAL_ID,
          displayName: 'Gallery Approvals bot',
          appId: stableGuid('bot-app'),
        },
        {
          id: PIPELINE_PRINCIPAL_ID,
          displayName: 'Image build pipeline',
          appId: stableGuid('pipeline-app'),
        },
      ],
    },
  };
}

async function main(): Promise<void> {
  const seed = validateSeed(JSON.parse(JSON.stringify(buildSeed())), 'built by build-demo-seed.ts');
  const prettierOptions = (await resolveConfig(DEMO_SEED_PATH)) ?? {};
  const text = await format(JSON.stringify(seed), { ...prettierOptions, parser: 'json' });
  writeFileSync(DEMO_SEED_PATH, text);
  console.log(`Wrote ${seed.resources.length} resources to ${DEMO_SEED_PATH}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
