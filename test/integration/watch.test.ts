import { DEMO_SEED_PATH, loadSeed, type ArmResource } from '../../sandbox/seed';
import type { WatchChange } from '../../src/watch/watch-records';
import type { SentRecord } from '../support/fake-connector';
import {
  USERS,
  auditRecords,
  cardOf,
  cardText,
  clickCard,
  startHarness,
  type Harness,
} from '../support/bot-harness';
import {
  READY_GALLERY,
  channelPosts,
  outboxSettled,
  publishReadyGallery,
  sendInChannel,
} from './reports-support';

const APPROVALS_CHANNEL = '19:approvals@thread.tacv2';
const CARD_TITLE = 'Published gallery changed after its approval';
const HOUR_IN_MS = 3600_000;
const SAS_SIGNATURE = 'c2VjcmV0';
const SAS_EULA = `https://contoso.blob.core.windows.net/legal/eula.pdf?sv=2022-11-02&sig=${SAS_SIGNATURE}`;

/** Copies a resource of the demonstration seed under a new name and id, with `changes`. */
function copyOfSeedResource(
  id: string,
  newId: string,
  changes: (properties: Record<string, unknown>) => void = () => undefined,
): ArmResource {
  const original = loadSeed(DEMO_SEED_PATH).resources.find((resource) => resource.id === id);
  if (!original) throw new Error(`The demonstration seed has no resource ${id}.`);
  const copy = structuredClone(original);
  copy.id = newId;
  copy.name = newId.split('/').pop() ?? '';
  changes((copy.properties ?? {}) as Record<string, unknown>);
  return copy;
}

const UBUNTU = `${READY_GALLERY}/images/ubuntu-22-04-web`;

describe('watch of published galleries', () => {
  let harness: Harness;
  let requestId: string;
  let clock = Date.now();
  const nextHour = () => new Date((clock += HOUR_IN_MS));

  beforeEach(async () => {
    harness = await startHarness({
      invokeDeadlineInMs: 60_000,
      app: { outbox: { pollIntervalInMs: 50 } },
    });
    await sendInChannel(harness, USERS.megan, 'subscribe approvals', APPROVALS_CHANNEL);
    ({ requestId } = await publishReadyGallery(harness));
    await outboxSettled(harness);
  });

  afterEach(async () => {
    await harness.close();
  });

  /** Returns the change cards that the bot posted after `from` records. */
  function changeCards(from: number): SentRecord[] {
    return harness.connector.sent
      .slice(from)
      .filter((record) => cardText(cardOf(record.body)).includes(CARD_TITLE));
  }

  /** Adds image definition `web-2` with version 2.0.0, and version 1.2.0 of the Ubuntu image. */
  function addContent(eula?: string): void {
    const image = `${READY_GALLERY}/images/web-2`;
    harness.emulator.putResource(
      copyOfSeedResource(UBUNTU, image, (properties) => {
        if (eula) properties.eula = eula;
      }),
    );
    harness.emulator.putResource(
      copyOfSeedResource(`${UBUNTU}/versions/1.1.0`, `${image}/versions/2.0.0`),
    );
    harness.emulator.putResource(
      copyOfSeedResource(`${UBUNTU}/versions/1.1.0`, `${UBUNTU}/versions/1.2.0`, (properties) => {
        const profile = properties.publishingProfile as Record<string, unknown>;
        profile.publishedDate = '2030-01-01T00:00:00Z';
      }),
    );
  }

  async function runWatch(): Promise<string[]> {
    const run = await harness.app.watch.runOnce(nextHour());
    expect(run.ran).toBe(true);
    await outboxSettled(harness);
    return run.posted;
  }

  it('posts added content once', async () => {
    const before = harness.connector.sent.length;
    addContent();

    const posted = await runWatch();

    expect(posted).toHaveLength(1);
    const change = (await harness.app.watch.getChange(posted[0] ?? '')) as WatchChange;
    expect(change.changes).toEqual([
      'Image definition "ubuntu-22-04-web": version "1.2.0" was added.',
      'Image definition "ubuntu-22-04-web": the latest version changed from "1.1.0" to "1.2.0".',
      'Image definition "web-2" was added, with version "2.0.0"; its latest version is "2.0.0".',
    ]);
    expect(change.urgent).toBe(false);
    expect(change.requestId).toBe(requestId);

    const cards = changeCards(before);
    const channelCards = cards.filter((record) =>
      record.conversationId.startsWith(APPROVALS_CHANNEL),
    );
    const meganCards = cards.filter(
      (record) => record.conversationId === harness.personal(USERS.megan).conversationId,
    );
    const request = await harness.app.workflow.requests.get(requestId);
    const approverChats = request.cards.filter((message) => message.audience === 'approver');
    expect(channelCards).toHaveLength(1);
    expect(meganCards).toHaveLength(1);
    expect(cards).toHaveLength(1 + approverChats.length);
    expect(channelPosts(harness, APPROVALS_CHANNEL)).toContainEqual(channelCards[0]);
    for (const sentence of change.changes) {
      expect(cardText(cardOf(channelCards[0]?.body))).toContain(sentence);
    }

    const second = await runWatch();
    expect(second).toEqual([]);
    expect(changeCards(before)).toHaveLength(cards.length);
  });

  it('acknowledgement moves the baseline', async () => {
    addContent();
    const [changeId] = await runWatch();
    const card = { conversationId: harness.personal(USERS.megan).conversationId, activityId: '' };

    const rejected = await clickCard(harness, USERS.patti, card, 'acknowledgeChange', {
      changeId,
    });
    expect(cardText(rejected.body.value)).toContain('You do not hold Owner');
    expect(await harness.app.watch.getBaseline(READY_GALLERY.toLowerCase())).toBeUndefined();

    const accepted = await clickCard(harness, USERS.megan, card, 'acknowledgeChange', {
      changeId,
    });
    expect(cardText(accepted.body.value)).toContain('Acknowledged by Megan Bowen');
    const baseline = await harness.app.watch.getBaseline(READY_GALLERY.toLowerCase());
    expect(baseline?.changeId).toBe(changeId);
    expect(baseline?.acknowledgedBy.aadObjectId).toBe(USERS.megan.aadObjectId);

    const again = await clickCard(harness, USERS.megan, card, 'acknowledgeChange', { changeId });
    expect(cardText(again.body.value)).toContain('Acknowledged by Megan Bowen');

    const actions = auditRecords(harness.databaseFile, requestId).map((record) => record.action);
    expect(actions).toContain('watch-acknowledge-rejected');
    expect(actions.filter((action) => action === 'watch-acknowledge')).toHaveLength(1);

    expect(await runWatch()).toEqual([]);
  });

  it('change card starts unpublish request', async () => {
    addContent();
    const [changeId] = await runWatch();
    const card = { conversationId: harness.personal(USERS.megan).conversationId, activityId: '' };

    const response = await clickCard(harness, USERS.megan, card, 'startUnpublish', { changeId });

    const change = (await harness.app.watch.getChange(changeId ?? '')) as WatchChange;
    expect(change.unpublishRequestIds).toHaveLength(1);
    const unpublish = await harness.app.workflow.requests.get(change.unpublishRequestIds[0] ?? '');
    expect(unpublish.kind).toBe('unpublish');
    expect(unpublish.state).toBe('draft');
    expect(unpublish.requester.aadObjectId).toBe(USERS.megan.aadObjectId);
    expect(cardText(response.body.value)).toContain(`Unpublish request ${unpublish.id} started`);
  });

  it('requester cannot acknowledge own gallery', async () => {
    addContent();
    const [changeId] = await runWatch();
    const card = { conversationId: harness.personal(USERS.alex).conversationId, activityId: '' };

    const response = await clickCard(harness, USERS.alex, card, 'acknowledgeChange', {
      changeId,
    });

    expect(cardText(response.body.value)).toContain('someone else must approve it');
    expect(await harness.app.watch.getBaseline(READY_GALLERY.toLowerCase())).toBeUndefined();
  });

  it('sas token marks card urgent', async () => {
    const before = harness.connector.sent.length;
    addContent(SAS_EULA);

    const [changeId] = await runWatch();

    const change = (await harness.app.watch.getChange(changeId ?? '')) as WatchChange;
    expect(change.urgent).toBe(true);
    expect(change.findings.map((finding) => finding.code)).toContain('SasTokenInUrl');
    const [posted] = changeCards(before);
    const text = cardText(cardOf(posted?.body));
    expect(text).toContain('Urgent: ');
    expect(JSON.stringify(cardOf(posted?.body))).not.toContain(SAS_SIGNATURE);
  });

  it('changed eula shown redacted', async () => {
    const before = harness.connector.sent.length;
    harness.emulator.putResource(
      copyOfSeedResource(UBUNTU, UBUNTU, (properties) => {
        properties.eula = SAS_EULA;
      }),
    );

    const [changeId] = await runWatch();

    const change = (await harness.app.watch.getChange(changeId ?? '')) as WatchChange;
    expect(change.urgent).toBe(true);
    expect(change.changes).toHaveLength(1);
    expect(change.changes[0]).toContain('Image definition "ubuntu-22-04-web": eula changed from');
    expect(change.changes[0]).not.toContain(SAS_SIGNATURE);
    const [posted] = changeCards(before);
    expect(cardText(cardOf(posted?.body))).toContain('eula changed from');
    expect(JSON.stringify(cardOf(posted?.body))).not.toContain(SAS_SIGNATURE);
  });
});
