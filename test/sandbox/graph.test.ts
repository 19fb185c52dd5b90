import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';

import { startEmulator, type Emulator } from '../../sandbox/emulator';
import { demoSeed } from './sandbox-clients';

interface GraphPage {
  value?: { '@odata.type': string; id: string; displayName?: string; userPrincipalName?: string }[];
  '@odata.nextLink'?: string;
  error?: { code: string; message: string };
}

const ADELE = '00000000-0000-0000-0000-0000000000022';
const ISAIAH = '00000000-0000-0000-0000-0000000000023';
const PATTI = '00000000-0000-0000-0000-0000000000024';
const APPROVERS_GROUP = '2f0c7d34-0000-4000-8000-000000000001';

/** Sends a Graph GET through the Azure SDK's HTTP pipeline, trusting the emulator's CA. */
async function graphGet(
  emulator: Emulator,
  url: string,
): Promise<{ status: number; body: GraphPage }> {
  const pipeline = createPipelineFromOptions({ tlsOptions: { ca: emulator.caCertificate } });
  const request = createPipelineRequest({
    url: url.startsWith('https:') ? url : `${emulator.url}${url}`,
    headers: createHttpHeaders({ authorization: 'Bearer sandbox' }),
  });
  const response = await pipeline.sendRequest(createDefaultHttpClient(), request);
  return { status: response.status, body: JSON.parse(response.bodyAsText ?? '{}') as GraphPage };
}

describe('graph transitive members', () => {
  const seed = demoSeed();
  const publishersGroup = seed.directory.groups[0]?.id ?? '';
  let emulator: Emulator;

  beforeEach(async () => {
    const withNestedGroup = structuredClone(seed);
    withNestedGroup.directory.groups.push({
      id: APPROVERS_GROUP,
      displayName: 'Gallery approvers',
      members: [publishersGroup, PATTI, ADELE],
    });
    emulator = await startEmulator({ seed: withNestedGroup });
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('lists users of the publishers group', async () => {
    const response = await graphGet(emulator, `/v1.0/groups/${publishersGroup}/transitiveMembers`);

    expect(response.status).toBe(200);
    expect(response.body.value).toEqual([
      expect.objectContaining({
        '@odata.type': '#microsoft.graph.user',
        id: ADELE,
        displayName: 'Adele Vance',
        userPrincipalName: 'adelev@example.com',
      }),
      expect.objectContaining({
        '@odata.type': '#microsoft.graph.user',
        id: ISAIAH,
        displayName: 'Isaiah Langer',
      }),
    ]);
    expect(response.body['@odata.nextLink']).toBeUndefined();
  });

  it('expands nested groups once', async () => {
    const all = await graphGet(emulator, `/v1.0/groups/${APPROVERS_GROUP}/transitiveMembers`);
    const users = await graphGet(
      emulator,
      `/v1.0/groups/${APPROVERS_GROUP}/transitiveMembers/microsoft.graph.user`,
    );

    expect(all.body.value?.map((member) => member.id)).toEqual([
      publishersGroup,
      PATTI,
      ADELE,
      ISAIAH,
    ]);
    expect(all.body.value?.[0]?.['@odata.type']).toBe('#microsoft.graph.group');
    expect(users.body.value?.map((member) => member.id)).toEqual([PATTI, ADELE, ISAIAH]);
  });

  it('follows the odata next link', async () => {
    const first = await graphGet(
      emulator,
      `/v1.0/groups/${APPROVERS_GROUP}/transitiveMembers?$top=3`,
    );
    const second = await graphGet(emulator, first.body['@odata.nextLink'] ?? 'missing');

    expect(first.body.value).toHaveLength(3);
    expect(first.body['@odata.nextLink']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/groups\//);
    expect(second.body.value?.map((member) => member.id)).toEqual([ISAIAH]);
    expect(second.body['@odata.nextLink']).toBeUndefined();
  });

  it('unknown group returns graph 404', async () => {
    const response = await graphGet(emulator, '/v1.0/groups/no-such-group/transitiveMembers');

    expect(response.status).toBe(404);
    expect(response.body.error?.code).toBe('Request_ResourceNotFound');
    expect(response.body.error?.message).toContain("Resource 'no-such-group' does not exist");
  });
});
