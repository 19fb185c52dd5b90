import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The Bot Framework app id the tests give the bot; tokens for it carry it as `aud`. */
export const BOT_APP_ID = '11111111-2222-3333-4444-555555555555';

/**
 * A stand-in for the Bot Framework's token issuer on 127.0.0.1: an OpenID configuration, its
 * JWKS with a locally generated RSA key, and a signer for channel tokens.
 */
export interface LoopbackOpenId {
  /** `http://127.0.0.1:{port}`. */
  readonly url: string;
  /** The `iss` of the tokens it signs. */
  readonly issuer: string;
  /** The OpenID configuration document, for `ToBotFromChannelOpenIdMetadataUrl`. */
  readonly metadataUrl: string;
  /** Paths requested so far, oldest first. */
  readonly requests: string[];
  /** Signs a channel token; claims override the defaults (issuer, bot audience, one hour). */
  signToken(claims?: Record<string, unknown>, options?: SignOptions): string;
  close(): Promise<void>;
}

export interface SignOptions {
  /** Key id in the token header; default the served key's. */
  keyId?: string;
  /** Signing key; default the served key. Another key makes the signature invalid. */
  privateKey?: KeyObject;
}

/** Starts the OpenID configuration and JWKS endpoints on a free loopback port. */
export async function startLoopbackOpenId(): Promise<LoopbackOpenId> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomUUID();
  const jwk = publicKey.export({ format: 'jwk' });
  const requests: string[] = [];
  let url = '';

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    requests.push(path);
    if (path === '/.well-known/openidconfiguration') {
      sendJson(response, 200, {
        issuer: url,
        jwks_uri: `${url}/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    } else if (path === '/keys') {
      // The Bot Framework's keys list the channels they may sign for as `endorsements`.
      sendJson(response, 200, {
        keys: [
          { kty: 'RSA', use: 'sig', kid: keyId, n: jwk.n, e: jwk.e, endorsements: ['msteams'] },
        ],
      });
    } else {
      sendJson(response, 404, { error: `No route for ${path}` });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    issuer: url,
    metadataUrl: `${url}/.well-known/openidconfiguration`,
    requests,
    signToken: (claims = {}, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        iss: url,
        aud: BOT_APP_ID,
        nbf: now - 60,
        iat: now - 60,
        exp: now + 3600,
        ...claims,
      };
      return signJwt(payload, options.keyId ?? keyId, options.privateKey ?? privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Settings for botbuilder's `ConfigurationBotFrameworkAuthentication` that point every URL it
 * may call at the loopback issuer. Once one of these is set, botbuilder 4.23 uses all of them
 * as given, so the outbound ones are set too and name 127.0.0.1 as well.
 */
export function loopbackAuthenticationSettings(openId: LoopbackOpenId): Record<string, string> {
  return {
    ToBotFromChannelOpenIdMetadataUrl: openId.metadataUrl,
    ToBotFromChannelTokenIssuer: openId.issuer,
    ToBotFromEmulatorOpenIdMetadataUrl: `${openId.url}/emulator/.well-known/openidconfiguration`,
    ToChannelFromBotLoginUrl: `${openId.url}/login`,
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    OAuthUrl: `${openId.url}/oauth`,
    CallerId: 'urn:botframework:azure',
    ValidateAuthority: 'false',
  };
}

/** Generates an RSA key that the loopback JWKS does not serve. */
export function unknownSigningKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

function signJwt(payload: Record<string, unknown>, keyId: string, privateKey: KeyObject): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: keyId };
  const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(payload))}`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

function base64Url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
}
