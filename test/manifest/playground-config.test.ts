import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { load as loadYaml } from 'js-yaml';
import { PLAYGROUND_CONFIG_PATH } from '../../scripts/playground';
import { DEMO_SEED_PATH } from '../../sandbox/seed';

const SUBSCRIPTION_SCOPE = '/subscriptions/00000000-0000-0000-0000-000000000000';
const OWNER_ROLE = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const GALLERY_SHARING_ADMIN_ROLE = '1ef6a3be-d0ac-425d-8c01-acb62866290b';
const CONFIG_SCHEMA_ID = 'https://aka.ms/teams-app-test-tool-config/0.1.1/config.schema.json';

interface PlaygroundUser {
  id: string;
  name: string;
  userPrincipleName: string;
  aadObjectId: string;
  email: string;
}

interface PlaygroundConfig {
  tenantId: string;
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
}

interface SeedUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string;
}

interface SeedResource {
  type: string;
  properties: { principalId?: string; roleDefinitionId?: string; scope?: string };
}

/**
 * Extracts the Playground's own config schema from its webpack bundle, where it sits as
 * `JSON.parse('…')`. The schema is not shipped as a file, and the package is pinned, so the
 * string is found the same way each time.
 */
function playgroundConfigSchema(): Record<string, unknown> {
  const bundle = readFileSync(
    path.join(
      path.dirname(require.resolve('@microsoft/m365agentsplayground/package.json')),
      'dist',
      'index.js',
    ),
    'utf8',
  );
  const schemaStart = bundle.indexOf(`{"$id":"${CONFIG_SCHEMA_ID}"`);
  if (schemaStart < 0 || bundle.slice(schemaStart - 12, schemaStart) !== "JSON.parse('") {
    throw new Error('The Playground bundle holds no config schema in the expected place.');
  }

  let text = '';
  for (let i = schemaStart; ; i++) {
    const char = bundle[i];
    if (char === undefined) throw new Error('The config schema string never ends.');
    if (char === "'") break;
    if (char !== '\\') {
      text += char;
      continue;
    }
    const escaped = bundle[++i];
    if (escaped === 'n') text += '\n';
    else if (escaped === 'u') {
      text += String.fromCharCode(parseInt(bundle.slice(i + 1, i + 5), 16));
      i += 4;
    } else text += escaped;
  }
  return JSON.parse(text) as Record<string, unknown>;
}

function readConfigFile(): PlaygroundConfig {
  return loadYaml(readFileSync(PLAYGROUND_CONFIG_PATH, 'utf8')) as PlaygroundConfig;
}

function readSeed(): { users: SeedUser[]; resources: SeedResource[] } {
  const seed = JSON.parse(readFileSync(DEMO_SEED_PATH, 'utf8')) as {
    directory: { users: SeedUser[] };
    resources: SeedResource[];
  };
  return { users: seed.directory.users, resources: seed.resources };
}

function roleAssignments(principalId: string): { role: string; scope: string }[] {
  return readSeed()
    .resources.filter(
      (resource) =>
        resource.type === 'Microsoft.Authorization/roleAssignments' &&
        resource.properties.principalId === principalId,
    )
    .map((resource) => ({
      role: resource.properties.roleDefinitionId!.split('/').pop()!,
      scope: resource.properties.scope!,
    }));
}

describe('playground config file', () => {
  test('config matches playground schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(playgroundConfigSchema());

    expect(validate(readConfigFile())).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  test('schema rejects four users', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(playgroundConfigSchema());
    const config = readConfigFile();

    expect(validate({ ...config, users: config.users.slice(0, 4) })).toBe(false);
  });

  test('users match sandbox seed', () => {
    const config = readConfigFile();
    const seedUsers = new Map(readSeed().users.map((user) => [user.id, user]));

    for (const user of [config.currentUser, ...config.users]) {
      const seedUser = seedUsers.get(user.aadObjectId);
      expect({ user: user.name, inSeed: seedUser !== undefined }).toEqual({
        user: user.name,
        inSeed: true,
      });
      expect({
        name: user.name,
        userPrincipalName: user.userPrincipleName,
        mail: user.email,
      }).toEqual({
        name: seedUser?.displayName,
        userPrincipalName: seedUser?.userPrincipalName,
        mail: seedUser?.mail,
      });
    }
  });

  test('current user owns the subscription', () => {
    const alex = readConfigFile().currentUser;

    expect(alex.name).toBe('Alex Wilber');
    expect(roleAssignments(alex.aadObjectId)).toContainEqual({
      role: OWNER_ROLE,
      scope: SUBSCRIPTION_SCOPE,
    });
  });

  test('megan administers sandbox-rg sharing', () => {
    const megan = readConfigFile().users.find((user) => user.name === 'Megan Bowen');

    expect(megan).toBeDefined();
    expect(roleAssignments(megan!.aadObjectId)).toContainEqual({
      role: GALLERY_SHARING_ADMIN_ROLE,
      scope: `${SUBSCRIPTION_SCOPE}/resourceGroups/sandbox-rg`,
    });
  });
});
