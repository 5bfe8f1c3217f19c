/**
 * An error AWS would answer with: its code, HTTP status and fault (Sender for the caller's mistakes, Receiver for
 * ours). The protocol layer turns it into AWS's XML or JSON error document; nothing else knows about wire formats.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly fault: 'Sender' | 'Receiver' = 'Sender',
    /** Further members of the error structure, for services whose errors have them (Organizations' `Reason`). */
    readonly fields?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

export const noSuchEntity = (message: string): ServiceError => new ServiceError('NoSuchEntity', message, 404);
export const entityAlreadyExists = (message: string): ServiceError => new ServiceError('EntityAlreadyExists', message, 409);
export const deleteConflict = (message: string): ServiceError => new ServiceError('DeleteConflict', message, 409);
export const limitExceeded = (message: string): ServiceError => new ServiceError('LimitExceeded', message, 409);
export const malformedPolicyDocument = (message: string): ServiceError => new ServiceError('MalformedPolicyDocument', message, 400);
export const invalidInput = (message: string): ServiceError => new ServiceError('InvalidInput', message, 400);
export const validationError = (message: string): ServiceError => new ServiceError('ValidationError', message, 400);
export const unmodifiableEntity = (message: string): ServiceError => new ServiceError('UnmodifiableEntity', message, 400);
export const passwordPolicyViolation = (message: string): ServiceError => new ServiceError('PasswordPolicyViolation', message, 400);
export const accessDenied = (message: string): ServiceError => new ServiceError('AccessDenied', message, 403);
export const notImplemented = (operation: string): ServiceError =>
  new ServiceError('NotImplemented', `The operation ${operation} is not implemented by Gatehouse.`, 501, 'Receiver');
export const serviceFailure = (message = 'The request processing has failed because of an unknown error, exception or failure.'): ServiceError =>
  new ServiceError('ServiceFailure', message, 500, 'Receiver');
