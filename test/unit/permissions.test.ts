import { grantsAction, matchesAction, SHARE_ACTION } from '../../src/azure/permissions';

describe('grantsAction', () => {
  it('grants share to owner', () => {
    expect(grantsAction([{ actions: ['*'] }], SHARE_ACTION)).toBe(true);
  });

  it('denies share to contributor', () => {
    const contributor = [
      { actions: ['*'], notActions: ['Microsoft.Authorization/*/Write', SHARE_ACTION] },
    ];
    expect(grantsAction(contributor, SHARE_ACTION)).toBe(false);
  });

  it('denies share to reader', () => {
    expect(grantsAction([{ actions: ['*/read'] }], SHARE_ACTION)).toBe(false);
  });

  it('honours wildcards in custom roles', () => {
    expect(grantsAction([{ actions: ['Microsoft.Compute/galleries/*'] }], SHARE_ACTION)).toBe(true);
    expect(grantsAction([{ actions: ['microsoft.compute/*/share/action'] }], SHARE_ACTION)).toBe(
      true,
    );
  });

  it('honours wildcard exclusions', () => {
    const role = [
      { actions: ['Microsoft.Compute/*'], notActions: ['Microsoft.Compute/galleries/*'] },
    ];
    expect(grantsAction(role, SHARE_ACTION)).toBe(false);
  });

  it('treats regex characters literally', () => {
    expect(
      matchesAction(
        'Microsoft.Compute/galleries/share/action',
        'MicrosoftXCompute/galleries/share/action',
      ),
    ).toBe(false);
  });
});
