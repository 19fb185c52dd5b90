import { requestCard, type RequestCardOptions } from '../../src/cards';
import type { PublishRequest } from '../../src/workflow/request';
import { findByType, visibleLines, visibleText, walkObjects } from './card-inspection';
import { everyRequestCard } from './card-matrix';
import { makeFinding, makeRequest, makeSnapshot } from './request-factory';

function render(request: PublishRequest, options: Partial<RequestCardOptions> = {}) {
  return requestCard(request, { audience: 'requester', allowSelfApproval: false, ...options });
}

describe('draft card', () => {
  test('shows the exact public strings', () => {
    const lines = visibleLines(render(makeRequest()));

    expect(lines).toEqual(
      expect.arrayContaining([
        'Make a gallery public',
        'Public name prefix: contoso (Azure appends a unique suffix)',
        'Publisher URL: https://contoso.example',
        'Publisher contact: images@contoso.example',
        'Legal agreement (EULA) URL: https://contoso.example/eula',
        'ubuntu-22 contoso / ubuntu / 22_04-lts · Linux · latest 1.0.0',
      ]),
    );
  });

  test('shows missing strings as not set', () => {
    const snapshot = makeSnapshot();
    snapshot.gallery.community = { publicNames: [], communityGalleryEnabled: false };
    const lines = visibleLines(render(makeRequest({ snapshot })));

    expect(lines).toContain('Publisher URL: not set');
    expect(lines).toContain('Legal agreement (EULA) URL: not set');
  });

  test('shows findings with their fix', () => {
    const blocker = makeFinding({
      severity: 'blocker',
      subject: 'gallery eula',
      message: 'The EULA URL carries a SAS token.',
      fix: 'Remove the sig parameter.',
    });
    const lines = visibleLines(render(makeRequest({ findings: [makeFinding(), blocker] })));

    expect(lines).toContain('Findings: 1 blocker, 1 warning');
    expect(lines.indexOf('Blocker gallery eula')).toBeLessThan(
      lines.indexOf('Warning image ubuntu-22'),
    );
    expect(lines).toContain('Fix: Remove the sig parameter.');
    expect(lines).toContain('Preview: blocked');
    expect(visibleText(render(makeRequest({ findings: [blocker] })))).toContain(
      'Submitting is blocked by 1 blocker.',
    );
  });

  test('says when nothing was found', () => {
    const lines = visibleLines(render(makeRequest({ findings: [] })));

    expect(lines).toContain('The checks found no blockers and no warnings.');
  });

  test('already public says nothing to do', () => {
    const finding = makeFinding({ code: 'AlreadyPublic', severity: 'blocker' });
    const lines = visibleLines(render(makeRequest({ findings: [finding] })));

    expect(lines).toContain('Already public');
    expect(lines).toContain('This gallery is already public, so there is nothing to do.');
    expect(lines.some((line) => line.startsWith('Submitting is blocked'))).toBe(false);
  });

  test('shows notices and applications', () => {
    const request = makeRequest({ snapshot: makeSnapshot({ applications: ['app-1', 'app-2'] }) });
    const withDefaults = visibleLines(render(request));
    const withOwn = visibleLines(render(request, { notices: ['Read the policy first.'] }));

    expect(withDefaults).toContain('Keep in mind');
    expect(withDefaults.some((line) => line.includes('does not scan them for malware'))).toBe(true);
    expect(withDefaults).toContain(
      'The gallery has 2 VM applications, which community sharing never shares.',
    );
    expect(withOwn).toContain('• Read the policy first.');
  });

  test('unpublish warns about scale sets', () => {
    const text = visibleText(render(makeRequest({ kind: 'unpublish' })));

    expect(text).toContain('Stop sharing a gallery publicly');
    expect(text).toContain('What stops being public');
    expect(text).toContain('stops existing scale sets that use these images from scaling out');
    expect(text).toContain('Why should public sharing stop?');
  });
});

describe('pending card', () => {
  const pending = makeRequest({ state: 'pending' });

  test('approver sees request and review', () => {
    const lines = visibleLines(render(pending, { audience: 'approver' }));

    expect(lines).toEqual(
      expect.arrayContaining([
        'Waiting for approval',
        'Requested by: Adele Vance',
        'Requested at: 2026-01-07 06:05 UTC',
        'Justification: Customers need the hardened Ubuntu image.',
        'What becomes public',
        'Approve',
        'Deny…',
        'Why is this request denied?',
      ]),
    );
  });

  test('self-approval is stated when allowed', () => {
    const allowed = visibleText(render(pending, { audience: 'approver', allowSelfApproval: true }));
    const denied = visibleText(render(pending, { audience: 'approver' }));

    expect(allowed).toContain('Self-approval is allowed in this environment');
    expect(denied).not.toContain('Self-approval');
  });

  test('requester sees approvers and status', () => {
    const lines = visibleLines(render(pending));

    expect(lines).toContain('Approvers (1)');
    expect(lines).toContain(
      'Megan Bowen · Owner at /subscriptions/00000000-0000-0000-0000-000000000000',
    );
    expect(lines).toContain('Cancel request');
    expect(lines).not.toContain('What becomes public');
  });

  test('missing approvers are explained', () => {
    const text = visibleText(render({ ...pending, approvers: [] }, { audience: 'channel' }));

    expect(text).toContain('No approver was found.');
  });

  test('many approvers are counted', () => {
    const approvers = Array.from({ length: 25 }, (_, index) => ({
      principalId: `principal-${index}`,
      principalType: 'User',
      roles: ['Owner'],
    }));
    const lines = visibleLines(render({ ...pending, approvers }));

    expect(lines).toContain('Approvers (25)');
    expect(lines).toContain('and 15 other approvers');
  });

  test('changes are listed with review', () => {
    const card = render(pending, { audience: 'approver', changes: ['Publisher URL changed'] });
    const lines = visibleLines(card);

    expect(lines).toContain('The gallery changed after it was reviewed');
    expect(lines).toContain('• Publisher URL changed');
    expect(lines).toContain('Review the gallery again');
  });

  test('notice appears in a styled container', () => {
    const card = render(pending, { notice: { kind: 'error', text: 'Could not cancel.' } });
    const containers = findByType(card, 'Container').filter((item) => item.style === 'attention');

    expect(JSON.stringify(containers)).toContain('Could not cancel.');
  });
});

describe('cards after a decision', () => {
  test('approved and sharing show the approver', () => {
    for (const state of ['approved', 'sharing'] as const) {
      const lines = visibleLines(render(makeRequest({ state })));

      expect(lines).toContain('Approved by: Megan Bowen');
      expect(lines).toContain('Approved at: 2026-01-07 06:30 UTC');
    }
    expect(visibleLines(render(makeRequest({ state: 'sharing' })))).toContain('Attempt: 1');
  });

  test('shared shows public name and usage', () => {
    const text = visibleText(render(makeRequest({ state: 'shared' })));
    const name = 'contoso-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';

    expect(text).toContain(`Public name: ${name}`);
    expect(text).toContain(
      `az sig image-definition list-community --public-gallery-name ${name} --location westus`,
    );
    expect(text).toContain(`/CommunityGalleries/${name}/Images/{image definition}/Versions/latest`);
  });

  test('unpublished card says sharing stopped', () => {
    const text = visibleText(render(makeRequest({ state: 'shared', kind: 'unpublish' })));

    expect(text).toContain('No longer public');
    expect(text).toContain('Public sharing stopped');
    expect(text).not.toContain('az sig');
  });

  test('failed shows the azure error', () => {
    const lines = visibleLines(render(makeRequest({ state: 'failed' }), { audience: 'approver' }));

    expect(lines).toContain('Error code: OperationNotAllowed');
    expect(lines).toContain('Message: The gallery is being updated.');
    expect(lines).toContain('Retry');
  });

  test('denied shows who and why', () => {
    const lines = visibleLines(render(makeRequest({ state: 'denied' })));

    expect(lines).toContain('Denied by: Megan Bowen');
    expect(lines).toContain('Denied at: 2026-01-07 06:30 UTC');
    expect(lines).toContain('Reason: The EULA is not final.');
  });

  test('cancelled and expired show when', () => {
    const cancelled = visibleLines(render(makeRequest({ state: 'cancelled' })));
    const expired = visibleLines(render(makeRequest({ state: 'expired' })));

    expect(cancelled).toContain('Cancelled by: Adele Vance');
    expect(cancelled).toContain('Cancelled at: 2026-01-07 07:00 UTC');
    expect(expired).toContain('Expired at: 2026-01-10 06:05 UTC');
  });
});

describe('template binding', () => {
  test.each(everyRequestCard())('$name binds every field', ({ card }) => {
    walkObjects(card, (object) => {
      for (const value of Object.values(object)) {
        if (typeof value === 'string') expect(value).not.toContain('${');
      }
    });
  });
});
