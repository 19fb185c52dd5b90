import { generate } from 'selfsigned';

export interface LoopbackCertificate {
  /** PEM certificate; clients trust it as their CA. */
  certificate: string;
  /** PEM private key. */
  privateKey: string;
}

/**
 * Generates a self-signed server certificate for `127.0.0.1` and `localhost`, with the IP
 * address as an IP subject alternative name so that TLS clients accept `https://127.0.0.1`.
 */
export async function createLoopbackCertificate(): Promise<LoopbackCertificate> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { certificate: pems.cert, privateKey: pems.private };
}
