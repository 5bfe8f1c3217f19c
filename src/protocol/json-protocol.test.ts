import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../core/errors.js';
import { decodeJsonRequest, encodeJsonError, encodeJsonResult, targetOperation } from './json-protocol.js';
import { serviceModel } from './model.js';

const T = 'AWSOrganizationsV20161128';

function decodeFails(body: string, target: string | undefined): { code: string; status: number; message: string; fields: unknown } {
  try {
    decodeJsonRequest('organizations', body, target);
  } catch (error) {
    assert.ok(error instanceof ServiceError, String(error));
    return { code: error.code, status: error.status, message: error.message, fields: error.fields };
  }
  throw new Error('expected the request to be refused');
}

describe('awsJson1_1 requests', () => {
  it('the target names the operation, with the service prefix, case-sensitively', () => {
    assert.equal(targetOperation('organizations', `${T}.CreatePolicy`), 'CreatePolicy');
    for (const target of [undefined, 'CreatePolicy', `${T}.createPolicy`, `AWSOrganizationsV20161127.CreatePolicy`, `${T}.`, `${T}.toString`, `${T}.__proto__`]) {
      assert.equal(targetOperation('organizations', target), undefined, String(target));
      assert.equal(decodeFails('{}', target).code, 'UnknownOperationException');
    }
  });

  it('decodes members by the model, ignoring unknown ones and nulls', () => {
    const decoded = decodeJsonRequest(
      'organizations',
      JSON.stringify({ Content: '{}', Description: 'd', Name: 'n', Type: 'SERVICE_CONTROL_POLICY', Tags: [{ Key: 'k', Value: 'v' }], Extra: 1, __proto__: { polluted: true } }),
      `${T}.CreatePolicy`,
    );
    assert.equal(decoded.action, 'CreatePolicy');
    assert.deepEqual(decoded.params, { Content: '{}', Description: 'd', Name: 'n', Type: 'SERVICE_CONTROL_POLICY', Tags: [{ Key: 'k', Value: 'v' }] });
    assert.equal(Object.getPrototypeOf(decoded.params), Object.prototype);
    assert.equal((decoded.params as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual(decodeJsonRequest('organizations', JSON.stringify({ PolicyId: 'p-FullAWSAccess', TargetId: null }), `${T}.ListTargetsForPolicy`).params, {
      PolicyId: 'p-FullAWSAccess',
    });
  });

  it('an empty body is an empty input; a body that is not a JSON object is a SerializationException', () => {
    assert.deepEqual(decodeJsonRequest('organizations', '', `${T}.DescribeOrganization`).params, {});
    for (const body of ['not json', '[]', '"x"', '7', 'null']) {
      const failure = decodeFails(body, `${T}.DescribeOrganization`);
      assert.equal(failure.code, 'SerializationException', body);
      assert.equal(failure.status, 400);
    }
  });

  it('a member of the wrong JSON type is a SerializationException naming it', () => {
    const cases: Array<[string, string, string]> = [
      ['ListAccounts', JSON.stringify({ MaxResults: '5' }), "Value at 'maxResults' must be an integer."],
      ['ListAccounts', JSON.stringify({ MaxResults: 1.5 }), "Value at 'maxResults' must be an integer."],
      ['DescribePolicy', JSON.stringify({ PolicyId: 12 }), "Value at 'policyId' must be a string."],
      ['CreatePolicy', JSON.stringify({ Content: '{}', Description: '', Name: 'n', Type: 'SERVICE_CONTROL_POLICY', Tags: { Key: 'k' } }), "Value at 'tags' must be a list."],
      ['CreatePolicy', JSON.stringify({ Content: '{}', Description: '', Name: 'n', Type: 'SERVICE_CONTROL_POLICY', Tags: ['k'] }), "Value at 'tags.1.member' must be a structure."],
    ];
    for (const [op, body, message] of cases) {
      assert.deepEqual(decodeFails(body, `${T}.${op}`), { code: 'SerializationException', status: 400, message, fields: undefined }, body);
    }
  });

  it('constraint failures are InvalidInputException with the reason of the first one', () => {
    const cases: Array<[string, unknown, string, string]> = [
      ['DescribePolicy', {}, 'INPUT_REQUIRED', 'You must include a value for all required parameters.'],
      ['DescribePolicy', { PolicyId: 'x-1' }, 'INVALID_PATTERN', 'You provided a value that does not match the required pattern.'],
      ['AttachPolicy', { PolicyId: 'p-12345678', TargetId: 'nope' }, 'INVALID_PATTERN_TARGET_ID', "You specified a policy target ID that doesn't match the required pattern."],
      ['ListAccounts', { MaxResults: 0 }, 'MIN_VALUE_EXCEEDED', 'You provided a numeric parameter that has a smaller value than allowed.'],
      ['ListAccounts', { MaxResults: 21 }, 'MAX_VALUE_EXCEEDED', 'You provided a numeric parameter that has a larger value than allowed.'],
      ['CreateOrganizationalUnit', { ParentId: 'r-abcd', Name: '' }, 'MIN_LENGTH_EXCEEDED', 'You provided a string parameter that is shorter than allowed.'],
      ['CreateOrganizationalUnit', { ParentId: 'r-abcd', Name: 'x'.repeat(129) }, 'MAX_LENGTH_EXCEEDED', 'You provided a string parameter that is longer than allowed.'],
      ['ListPolicies', { Filter: 'NO_SUCH_POLICY' }, 'INVALID_ENUM_POLICY_TYPE', 'You specified an invalid policy type string.'],
      ['ListChildren', { ParentId: 'r-abcd', ChildType: 'USER' }, 'INVALID_ENUM', 'You specified an invalid value.'],
    ];
    for (const [op, input, reason, message] of cases) {
      assert.deepEqual(decodeFails(JSON.stringify(input), `${T}.${op}`), { code: 'InvalidInputException', status: 400, message, fields: { Reason: reason } }, `${op} ${JSON.stringify(input)}`);
    }
  });
});

describe('awsJson1_1 results', () => {
  it('members by the model: timestamps as epoch seconds, unknown keys and absent members dropped', () => {
    const body = encodeJsonResult('organizations', 'DescribeAccount', {
      Account: { Id: '123456789012', Name: 'a', JoinedTimestamp: new Date('2026-01-02T03:04:05.500Z'), Status: 'ACTIVE', secret: 'x', Email: undefined },
      Other: 1,
    });
    assert.deepEqual(JSON.parse(body), { Account: { Id: '123456789012', Name: 'a', JoinedTimestamp: 1767323045.5, Status: 'ACTIVE' } });
  });

  it('an operation without output answers {}', () => {
    assert.equal(encodeJsonResult('organizations', 'DeleteOrganization', { anything: 1 }), '{}');
  });
});

describe('awsJson1_1 errors', () => {
  it('__type and Message, then the modelled members the error carries', () => {
    const encoded = encodeJsonError('organizations', new ServiceError('ConstraintViolationException', 'too deep', 409, 'Sender', { Reason: 'OU_DEPTH_LIMIT_EXCEEDED', Nope: 'x', __type: 'y' }));
    assert.deepEqual(encoded, { status: 409, body: JSON.stringify({ __type: 'ConstraintViolationException', Message: 'too deep', Reason: 'OU_DEPTH_LIMIT_EXCEEDED' }) });
  });

  it('the shared front end’s codes are renamed as JSON services name them', () => {
    const cases: Array<[string, number, string, number]> = [
      ['AccessDenied', 403, 'AccessDeniedException', 403],
      ['InvalidClientTokenId', 403, 'UnrecognizedClientException', 403],
      ['SignatureDoesNotMatch', 403, 'InvalidSignatureException', 403],
      ['MissingAuthenticationToken', 403, 'MissingAuthenticationTokenException', 403],
      ['ExpiredToken', 403, 'ExpiredTokenException', 403],
      ['ServiceFailure', 500, 'ServiceException', 500],
    ];
    for (const [code, status, renamed, out] of cases) {
      const encoded = encodeJsonError('organizations', { code, message: 'm', status });
      assert.equal(encoded.status, out);
      assert.equal((JSON.parse(encoded.body) as { __type: string }).__type, renamed);
    }
  });

  it('a status outside 4xx/5xx is answered as 400', () => {
    assert.equal(encodeJsonError('organizations', { code: 'X', message: 'm', status: 200 }).status, 400);
  });

  it('every error of the Organizations model has its HTTP status', () => {
    for (const [name, s] of Object.entries(serviceModel('organizations').shapes)) {
      if (s.type !== 'structure' || s.exception !== true) continue;
      assert.equal(typeof s.error?.httpStatusCode, 'number', name);
    }
  });
});
