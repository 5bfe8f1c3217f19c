// IAM and STS report every failure — the service's own, validation, and SigV4 authentication — in one document:
//   <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
//     <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>…</Message></Error>
//     <RequestId>…</RequestId>
//   </ErrorResponse>
// botocore reads Error/Code and Error/Message; SDK v3 reads the same and maps Code to the modelled exception class
// (NoSuchEntity → NoSuchEntityException), keeping the HTTP status in $metadata. RequestId sits beside Error, not in it.
import { serviceMetadata, type ServiceName } from './model.js';
import { escapeXml } from './xml-encode.js';

/** What any layer may fail with: ServiceError fits, and so do the SigV4 verifier's errors. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly status?: number;
  readonly fault?: 'Sender' | 'Receiver';
  /** Members of the error structure beyond code and message (JSON services only: `Reason`). */
  readonly fields?: Readonly<Record<string, string>>;
}

export interface EncodedError {
  readonly status: number;
  readonly body: string;
}

/** Without an explicit fault, 5xx statuses are ours (Receiver) and everything else the caller's (Sender). */
export function faultOf(error: WireError, status: number): 'Sender' | 'Receiver' {
  return error.fault ?? (status >= 500 ? 'Receiver' : 'Sender');
}

const errorHeads: Partial<Record<ServiceName, string>> = {};

/** `<ErrorResponse xmlns=…>`, built once per service. */
function errorHead(service: ServiceName): string {
  return (errorHeads[service] ??= `<ErrorResponse xmlns="${escapeXml(serviceMetadata(service).xmlNamespace ?? '')}">`);
}

export function encodeErrorXml(service: ServiceName, error: WireError, requestId: string): EncodedError {
  // An error document with a 2xx or 3xx status would be read as a success (or a redirect) by the SDKs.
  const given = error.status;
  const status = given !== undefined && Number.isInteger(given) && given >= 400 && given <= 599 ? given : 400;
  const body =
    `${errorHead(service)}<Error><Type>${faultOf(error, status)}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
  return { status, body };
}
