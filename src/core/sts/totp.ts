import { HOTP, Secret, TOTP } from 'otpauth';

// Virtual MFA devices are RFC 6238 TOTP authenticators with AWS's parameters: HMAC-SHA1, six digits, 30-second
// steps. Everything here works in whole time steps so callers can remember the last step a device used.
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
const ALGORITHM = 'SHA1';
/** AWS's Base32StringSeed is 64 characters: 40 random bytes. */
const SEED_BYTES = 40;

/** A new random seed, as Base32 text (what authenticator apps accept typed in). */
export function newSeed(): string {
  return new Secret({ size: SEED_BYTES }).base32;
}

/** The time step a moment falls in. */
export function timeStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code a device with this seed shows during `step`. */
export function codeAt(seed: string, step: number): string {
  return HOTP.generate({ secret: Secret.fromBase32(seed), algorithm: ALGORITHM, digits: DIGITS, counter: step });
}

/** The code a device shows at `now` (what a person would type). */
export function currentCode(seed: string, now: Date): string {
  return codeAt(seed, timeStep(now));
}

/**
 * The step in [from, to] (inclusive, earliest first) whose code is `code`, or undefined. Comparing every step of the
 * window, rather than stopping at the first match, keeps the time taken independent of which step matched.
 */
export function findStep(seed: string, code: string, from: number, to: number): number | undefined {
  let found: number | undefined;
  for (let step = from; step <= to; step++) {
    if (codeAt(seed, step) === code && found === undefined) found = step;
  }
  return found;
}

/**
 * The step of the second code when `first` and `second` are the codes of two consecutive steps, the second in
 * [from, to]; undefined otherwise. EnableMFADevice and ResyncMFADevice take such pairs: one matching code could be
 * a guess (one in a million), two consecutive ones show the device and the server agree on the time.
 */
export function findConsecutive(seed: string, first: string, second: string, from: number, to: number): number | undefined {
  let found: number | undefined;
  for (let step = from; step <= to; step++) {
    if (codeAt(seed, step - 1) === first && codeAt(seed, step) === second && found === undefined) found = step;
  }
  return found;
}

/** The otpauth:// URI an authenticator app scans from the QR code. */
export function otpauthUri(seed: string, issuer: string, label: string): string {
  return new TOTP({ issuer, label, secret: Secret.fromBase32(seed), algorithm: ALGORITHM, digits: DIGITS, period: TOTP_PERIOD_SECONDS }).toString();
}
