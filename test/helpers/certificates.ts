// X.509 certificates for the server certificate tests, made with the openssl command in a temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertificateSet {
  /** A self-signed certificate valid from now for 30 days, and its key. */
  readonly cert: string;
  readonly key: string;
  /** An RSA key that is not the certificate's. */
  readonly otherKey: string;
  /** A certificate issued by `intermediate`, itself issued by `root`; a chain is `intermediate` then `root`. */
  readonly leaf: string;
  readonly leafKey: string;
  readonly intermediate: string;
  readonly root: string;
  /** Self-signed, valid for one day in January 2020. */
  readonly expired: string;
  readonly expiredKey: string;
  /** Self-signed, valid from 2099. */
  readonly future: string;
  readonly futureKey: string;
  /** The directory the PEM files are in (cert.pem, key.pem, other-key.pem, leaf.pem, leaf-key.pem, chain.pem…). */
  readonly dir: string;
  remove(): void;
}

const CA_CONFIG = `[ca]
default_ca = d
[d]
database = db-index.txt
new_certs_dir = .
serial = db-serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
`;

/** Generates every certificate the tests use (RSA 2048: a few hundred milliseconds). */
export function makeCertificates(): CertificateSet {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-certs-'));
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=www.example.com', '-keyout', 'key.pem', '-out', 'cert.pem');
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'other-key.pem');
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=Test Root', '-keyout', 'root-key.pem', '-out', 'root.pem');
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=Test Intermediate', '-keyout', 'int-key.pem', '-out', 'int.csr');
  openssl('x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root-key.pem', '-CAcreateserial', '-days', '30', '-extfile', 'ca.ext', '-out', 'intermediate.pem');
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=leaf.example.com', '-keyout', 'leaf-key.pem', '-out', 'leaf.csr');
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'intermediate.pem', '-CAkey', 'int-key.pem', '-CAcreateserial', '-days', '30', '-out', 'leaf.pem');
  writeFileSync(join(dir, 'chain.pem'), read('intermediate.pem') + read('root.pem'));
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'db-index.txt'), '');
  writeFileSync(join(dir, 'db-serial'), '01\n');
  const dated = (name: string, start: string, end: string): void => {
    openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
    openssl('ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', `${name}-key.pem`, '-in', `${name}.csr`, '-startdate', start, '-enddate', end, '-notext', '-out', `${name}.pem`);
  };
  dated('expired', '20200101000000Z', '20200102000000Z');
  dated('future', '20990101000000Z', '20990102000000Z');
  return {
    cert: read('cert.pem'),
    key: read('key.pem'),
    otherKey: read('other-key.pem'),
    leaf: read('leaf.pem'),
    leafKey: read('leaf-key.pem'),
    intermediate: read('intermediate.pem'),
    root: read('root.pem'),
    expired: read('expired.pem'),
    expiredKey: read('expired-key.pem'),
    future: read('future.pem'),
    futureKey: read('future-key.pem'),
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
