import type { Params } from '../operation.js';
import { ServiceError } from '../errors.js';

/**
 * SerialNumber/TokenCode ask for MFA-authenticated credentials. Until TOTP devices exist here, a request that
 * passes them is refused outright rather than issued credentials that claim an MFA check nobody made.
 */
export function refuseMfaParameters(p: Params, operation: string): void {
  if (p['SerialNumber'] !== undefined || p['TokenCode'] !== undefined) {
    throw new ServiceError('NotImplemented', `MFA verification (SerialNumber/TokenCode) for ${operation} is not implemented by Gatehouse yet.`, 501, 'Receiver');
  }
}
