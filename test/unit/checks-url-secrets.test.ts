import { quoteText, truncate } from '../../src/azure/check-text';
import { describePrivateHost } from '../../src/azure/private-hosts';
import {
  redactUrlSecrets,
  scanTextForUrlIssues,
  type UrlIssueKind,
} from '../../src/azure/url-secrets';

function kindsIn(text: string, wholeValueIsUrl = false): UrlIssueKind[] {
  return scanTextForUrlIssues(text, { wholeValueIsUrl }).issues.map((issue) => issue.kind);
}

describe('scanTextForUrlIssues secrets', () => {
  test.each([
    [
      'account SAS',
      'https://a.blob.core.windows.net/c/f?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig=x',
    ],
    ['sig alone', 'https://a.blob.core.windows.net/c/f?sig=x'],
    ['uppercase names', 'https://a.blob.core.windows.net/c/f?SV=2022-11-02&SIG=x'],
    [
      'user delegation key',
      'https://a.blob.core.windows.net/c/f?skoid=00000000-0000-0000-0000-000000000000',
    ],
    ['version and expiry', 'https://a.blob.core.windows.net/c/f?sv=2022-11-02&se=2030-01-01'],
    ['three short names', 'https://a.blob.core.windows.net/c/f?sp=r&st=2024-01-01&se=2030-01-01'],
    ['encoded name', 'https://a.blob.core.windows.net/c/f?%73ig=x'],
    ['html escaped ampersand', 'https://a.blob.core.windows.net/c/f?sv=1&amp;sig=x'],
    ['percent-encoded URL', 'https%3A%2F%2Fa.blob.core.windows.net%2Fc%3Fsv%3D1%26sig%3Dx'],
    ['twice encoded URL', 'https%253A%252F%252Fa.blob.core.windows.net%252Fc%253Fsig%253Dx'],
    [
      'URL inside a query',
      'https://r.contoso.com/?next=https%3A%2F%2Fa.blob.core.windows.net%2Fc%3Fsig%3Dx',
    ],
    ['scheme-less URL', 'Download from a.blob.core.windows.net/c/f.vhd?sv=1&sig=x today'],
    ['Markdown link', '[EULA](https://a.blob.core.windows.net/c/f?sv=1&sig=x)'],
    ['in a sentence', 'The EULA (https://a.blob.core.windows.net/c/f?sig=x).'],
  ])('%s is a SAS token', (_, text) => {
    expect(kindsIn(text)).toContain('sasToken');
  });

  test.each([
    ['token', 'https://contoso.com/f?token=x'],
    ['access_token in fragment', 'https://contoso.com/cb#access_token=x'],
    ['api-key with hyphen', 'https://contoso.com/f?api-key=x'],
    ['apikey', 'https://contoso.com/f?ApiKey=x'],
    ['client_secret', 'https://contoso.com/f?client_secret=x'],
    ['password', 'https://contoso.com/f?a=1&password=x'],
    ['pwd after semicolon', 'https://contoso.com/f?a=1;pwd=x'],
    ['code', 'https://contoso.com/callback?code=x'],
    ['signature', 'https://contoso.com/f?Signature=x'],
    ['key', 'https://contoso.com/f?key=x'],
    ['secret', 'https://contoso.com/f?secret=x'],
  ])('%s is a credential parameter', (_, text) => {
    expect(kindsIn(text)).toContain('credentialParameter');
  });

  test.each([
    ['user and password', 'https://admin:hunter2@contoso.com/'],
    ['token as user name', 'https://ghp_0123456789@github.com/contoso/repo'],
    ['encoded user info', 'https%3A%2F%2Fadmin%3Ahunter2%40contoso.com%2F'],
  ])('%s is user info', (_, text) => {
    expect(kindsIn(text)).toContain('userInfo');
  });

  test.each([
    ['plain https', 'https://contoso.com/eula'],
    ['ordinary query', 'https://contoso.com/search?q=ubuntu&page=2&sort=name'],
    ['one short SAS name', 'https://contoso.com/list?sp=2'],
    ['empty credential value', 'https://contoso.com/f?token=&key='],
    ['key-like path', 'https://contoso.com/token/key/password'],
    ['e-mail address', 'pir@microsoft.com'],
    ['free text', 'An Ubuntu 22.04 image with the sig tools, see the token docs.'],
    ['network range', 'It allows 10.0.0.0/8 and 192.168.0.0/16.'],
    ['version numbers', 'Built with v1.2/3 and node.js 20.'],
    ['javascript URL', 'javascript:alert(document.cookie)'],
    ['empty', ''],
  ])('%s has no issue', (_, text) => {
    expect(kindsIn(text, true)).toEqual([]);
  });
});

describe('scanTextForUrlIssues safe output', () => {
  test('issues never quote secret values', () => {
    const text =
      'https://admin:pw-secret@a.blob.core.windows.net/c/f?sv=1&sig=sig-secret&token=tok-secret ' +
      'http://10.0.0.1/a%3Fsig%3Denc-secret';

    const issues = scanTextForUrlIssues(text).issues;

    expect(issues.map((issue) => issue.kind).sort()).toEqual([
      'credentialParameter',
      'privateHost',
      'privateHost',
      'sasToken',
      'sasToken',
      'userInfo',
    ]);
    for (const issue of issues) {
      expect(`${issue.location} ${issue.detail}`).not.toMatch(/secret/);
    }
  });

  test('sas detail names the parameters', () => {
    const [issue] = scanTextForUrlIssues(
      'https://a.blob.core.windows.net/c?sv=1&sp=r&sig=x',
    ).issues;

    expect(issue?.detail).toBe('parameters sv, sp, sig');
    expect(issue?.location).toBe('"https://a.blob.core.windows.net/c"');
  });

  test('long location is shortened', () => {
    const [issue] = scanTextForUrlIssues(`https://contoso.com/${'a'.repeat(500)}?sig=x`).issues;

    expect(issue?.location.length).toBeLessThan(100);
    expect(issue?.location.endsWith('…"')).toBe(true);
  });

  test('whole value drops line breaks', () => {
    expect(kindsIn('http://files.contoso.co\nrp/eula', true)).toEqual(['privateHost']);
    expect(kindsIn('http://files.contoso.co\nrp/eula', false)).toEqual([]);
  });

  test('many links mark scan incomplete', () => {
    const text = Array.from({ length: 600 }, (_, i) => `https://contoso.com/${i}`).join(' ');

    expect(scanTextForUrlIssues(`${text} https://10.0.0.1/`).complete).toBe(false);
    expect(scanTextForUrlIssues('https://10.0.0.1/').complete).toBe(true);
  });

  test('nested schemes stay fast', () => {
    const text = 'http://contoso.com/'.repeat(6_000);

    const started = performance.now();
    const result = scanTextForUrlIssues(text, { wholeValueIsUrl: true });
    const elapsedInMs = performance.now() - started;

    expect(result.complete).toBe(false);
    expect(elapsedInMs).toBeLessThan(1_000);
  });
});

describe('scanTextForUrlIssues private hosts', () => {
  test.each([
    ['http://10.0.0.1/', 'a private address (RFC 1918)'],
    ['http://172.16.5.4/', 'a private address (RFC 1918)'],
    ['http://172.31.255.255/', 'a private address (RFC 1918)'],
    ['http://192.168.1.1/', 'a private address (RFC 1918)'],
    ['http://127.0.0.1/', 'a loopback address'],
    ['http://2130706433/', 'a loopback address'],
    ['http://0x7f.1/', 'a loopback address'],
    ['http://017700000001/', 'a loopback address'],
    ['http://127.1/', 'a loopback address'],
    ['http://%31%32%37.0.0.1/', 'a loopback address'],
    ['http://127。0。0。1/', 'a loopback address'],
    ['http://169.254.169.254/latest', 'a link-local address'],
    ['http://0.0.0.0/', 'a "this network" address'],
    ['http://100.64.0.1/', 'a carrier-grade NAT address (RFC 6598)'],
    ['http://[::1]/', 'the IPv6 loopback address'],
    ['http://[::]/', 'the unspecified IPv6 address'],
    ['http://[fe80::1]/', 'a link-local IPv6 address'],
    ['http://[fc00::1]/', 'a unique local IPv6 address'],
    ['http://[fd12:3456::1]/', 'a unique local IPv6 address'],
    ['http://[::ffff:127.0.0.1]/', 'an IPv4-mapped IPv6 address of a loopback address'],
    ['http://localhost/', 'the local computer'],
    ['http://LOCALHOST./', 'the local computer'],
    ['http://app.localhost/', 'the local computer'],
    ['http://ⓛocalhost/', 'the local computer'],
    ['http://printer.local/', 'an internal name (.local)'],
    ['http://metadata.google.internal/', 'an internal name (.internal)'],
    ['http://wiki.contoso.corp/', 'an internal name (.corp)'],
    ['http://nas.lan/', 'an internal name (.lan)'],
    ['http://portal.intranet/', 'an internal name (.intranet)'],
    ['http://router.home.arpa/', 'an internal name (.home.arpa)'],
    ['http://FILES.CORP./share', 'an internal name (.corp)'],
    ['http://fileserver/eula.pdf', 'a single-label name that resolves only in a private network'],
    ['HTTP://10.0.0.1/', 'a private address (RFC 1918)'],
    ['https:\\\\10.0.0.1\\eula', 'a private address (RFC 1918)'],
    ['http:10.0.0.1/eula', 'a private address (RFC 1918)'],
    ['10.0.0.1/eula.pdf', 'a private address (RFC 1918)'],
  ])('%s is private', (text, label) => {
    const issues = scanTextForUrlIssues(text, { wholeValueIsUrl: true }).issues;

    expect(issues.map((issue) => issue.kind)).toEqual(['privateHost']);
    expect(issues[0]?.detail).toContain(label);
  });

  test.each([
    'https://contoso.com/',
    'http://172.32.0.1/',
    'http://172.15.255.255/',
    'http://192.169.0.1/',
    'http://8.8.8.8/',
    'http://[2001:db8::1]/',
    'http://[::ffff:8.8.8.8]/',
    'https://local.contoso.com/',
    'https://corp.contoso.com/',
    'https://contoso.localhost.com/',
  ])('%s is public', (text) => {
    expect(kindsIn(text, true)).toEqual([]);
  });
});

describe('describePrivateHost', () => {
  test('empty host is not private', () => {
    expect(describePrivateHost('')).toBeUndefined();
    expect(describePrivateHost('.')).toBeUndefined();
  });

  test('malformed ipv6 is not private', () => {
    expect(describePrivateHost('[fe80::1::2]')).toBeUndefined();
    expect(describePrivateHost('[1:2:3]')).toBeUndefined();
  });
});

describe('quoteText', () => {
  test('quotes and escapes', () => {
    expect(quoteText('say "hi"\\\n')).toBe('"say \\"hi\\"\\\\\\n"');
  });

  test('escapes bidirectional controls', () => {
    expect(quoteText('a\u202eb\u200bc\u{e0041}')).toBe('"a\\u202eb\\u200bc\\u{e0041}"');
  });

  test('truncates by code point', () => {
    expect(truncate('😀😀😀', 2)).toBe('😀😀…');
    expect(quoteText('x'.repeat(100_000)).length).toBe(83);
  });
});

describe('redactUrlSecrets', () => {
  it.each([
    [
      'https://a.blob.core.windows.net/e.pdf?sv=2022-11-02&sp=r&sig=abc%3D',
      'https://a.blob.core.windows.net/e.pdf?sv=2022-11-02&sp=r&sig=[redacted]',
    ],
    ['https://x.example/?token=t0k&page=2', 'https://x.example/?token=[redacted]&page=2'],
    ['see https://u:p4ss@x.example/a and more', 'see https://u:[redacted]@x.example/a and more'],
    ['https://x.example/?Api-Key=k', 'https://x.example/?Api-Key=[redacted]'],
    ['no url here', 'no url here'],
    ['https://x.example/?sort=asc', 'https://x.example/?sort=asc'],
  ])('redacts %s', (input, expected) => {
    expect(redactUrlSecrets(input)).toBe(expected);
  });
});
