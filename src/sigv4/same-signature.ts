import { timingSafeEqual } from 'node:crypto';

// Both signatures, one latin1 byte per character as Buffer.from(…, 'latin1') would give, side by side: one write fills
// both views, and no buffer is allocated per request.
const signatureBytes = Buffer.alloc(128);
const expectedBytes = signatureBytes.subarray(0, 64);
const candidateBytes = signatureBytes.subarray(64);

/** Whether a provided signature (any case) equals the expected lower-case hex one, in time independent of content. */
export function sameSignature(expected: string, provided: string): boolean {
  const candidate = provided.toLowerCase();
  // Lengths are public (always 64 for a real signature); only the content comparison must not leak timing.
  if (candidate.length !== expected.length) return false;
  if (expected.length !== expectedBytes.length) {
    return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(candidate, 'latin1'));
  }
  signatureBytes.write(expected + candidate, 'latin1');
  return timingSafeEqual(expectedBytes, candidateBytes);
}
