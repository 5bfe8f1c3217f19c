// A request for a service Gatehouse does not serve (or one refused before its service is known) is answered in the
// protocol its client speaks, so the SDK or CLI parses the error and prints its message instead of a parse failure:
//   awsQuery  <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>  (SNS, SQS, RDS…)
//   ec2       <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
//   awsJson   {"__type": code, "message": …}                                                   (X-Amz-Target)
//   restJson  {"message": …} with the code in X-Amzn-ErrorType                                  (Lambda, API Gateway…)
//   restXml   S3's <Error><Code/><Message/><RequestId/></Error>, other restXml services' <ErrorResponse>
import { escapeXml } from './xml-encode.js';
import { faultOf, type WireError } from './xml-error.js';

export type ClientProtocol = 'awsQuery' | 'ec2' | 'awsJson' | 'restJson' | 's3' | 'restXml';

export interface ProtocolHints {
  /** The signing scope's service (`kinesis`, `s3`…), when the request is signed. */
  readonly service?: string;
  readonly method: string;
  readonly contentType?: string;
  /** X-Amz-Target: the awsJson protocols name their operation there. */
  readonly target?: string;
  /** The query string, where a GET awsQuery request carries Action=. */
  readonly query: string;
}

// restXml services other than S3 (their errors use the ErrorResponse envelope); every other REST service is restJson.
const REST_XML = new Set(['cloudfront', 'route53']);

/** The protocol a client speaks, read from what its request looks like and the service it signed for. */
export function clientProtocol(hints: ProtocolHints): ClientProtocol {
  if (hints.service === 'ec2') return 'ec2';
  if (hints.target !== undefined || /^application\/x-amz-json-1\.[01]/i.test(hints.contentType ?? '')) return 'awsJson';
  if (hints.service === 's3' || hints.service === 's3express') return 's3';
  if (/^application\/x-www-form-urlencoded/i.test(hints.contentType ?? '') || /(?:^|&)Action=/.test(hints.query)) return 'awsQuery';
  if (hints.service !== undefined && REST_XML.has(hints.service)) return 'restXml';
  return 'restJson';
}

export interface EncodedClientError {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** restJson clients read the error code from this header. */
  readonly errorType?: string;
}

function statusOf(error: WireError): number {
  const given = error.status;
  return given !== undefined && Number.isInteger(given) && given >= 400 && given <= 599 ? given : 400;
}

export function encodeClientError(protocol: ClientProtocol, error: WireError, requestId: string): EncodedClientError {
  const status = statusOf(error);
  const code = escapeXml(error.code);
  const message = escapeXml(error.message);
  const id = escapeXml(requestId);
  switch (protocol) {
    case 'awsJson':
      return { status, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: error.code, message: error.message }) };
    case 'restJson':
      return { status, contentType: 'application/json', body: JSON.stringify({ message: error.message }), errorType: error.code };
    case 'ec2':
      return { status, contentType: 'text/xml', body: `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${id}</RequestID></Response>` };
    case 's3':
      return { status, contentType: 'application/xml', body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${id}</RequestId></Error>` };
    case 'awsQuery':
    case 'restXml':
      return {
        status,
        contentType: 'text/xml',
        body: `<ErrorResponse><Error><Type>${faultOf(error, status)}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
      };
  }
}
