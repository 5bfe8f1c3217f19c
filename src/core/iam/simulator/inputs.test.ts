import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePolicy } from '../../../policy/parse.js';
import { ServiceError } from '../../errors.js';
import { contextKeysOf, contextOfEntries } from './context-entries.js';
import { statementSpans } from './positions.js';

describe('statement positions', () => {
  const cases: ReadonlyArray<[name: string, text: string, expected: Array<[number, number, number, number]>]> = [
    // The AWS CLI's own example: columns 38 and 167 for the statement of this one-line policy.
    [
      'AWS example, one line, Statement an object',
      '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}',
      [[1, 38, 1, 167]],
    ],
    [
      'several lines, Statement an array',
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:*", "Resource": ["a", "b"]},\n    {\n      "Effect": "Deny",\n      "Action": "x:y"\n    }\n  ]\n}',
      [
        [4, 6, 4, 66],
        [5, 6, 8, 6],
      ],
    ],
    ['braces and quotes inside strings do not count', '{"Statement":[{"Sid":"a}\\"{","Effect":"Allow"}]}', [[1, 16, 1, 47]]],
    ['a nested "Statement" key is not the document\'s', '{"Version":"2012-10-17","Statement":[{"Condition":{"X":{"Statement":"v"}}}]}', [[1, 39, 1, 75]]],
    ['the last of duplicate Statement keys, as JSON.parse keeps', '{"Statement":{"a":1},"Statement":[{"b":2}]}', [[1, 36, 1, 42]]],
    ['not JSON: no positions', '{"Statement":', []],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      const spans = statementSpans(text).map((s) => [s.StartPosition.Line, s.StartPosition.Column, s.EndPosition.Line, s.EndPosition.Column]);
      assert.deepEqual(spans, expected);
    });
  }
});

describe('ContextEntries', () => {
  const valid: ReadonlyArray<[type: string, values: string[]]> = [
    ['string', ['x']],
    ['stringList', ['a', 'b']],
    ['numeric', ['-1.5']],
    ['numericList', ['1', '2e3']],
    ['boolean', ['TRUE']],
    ['booleanList', ['true', 'false']],
    ['ip', ['203.0.113.7']],
    ['ipList', ['203.0.113.0/24', '2001:db8::/32']],
    ['binary', ['QmluYXJ5']],
    ['binaryList', ['QQ==', 'QkM=']],
    ['date', ['2026-11-25T12:00:00Z']],
    ['dateList', ['2026-11-25', '1700000000']],
  ];
  for (const [type, values] of valid) {
    test(`${type} accepts ${values.join(', ')}`, () => {
      assert.deepEqual({ ...contextOfEntries([{ ContextKeyName: 'k:key', ContextKeyValues: values, ContextKeyType: type }]) }, { 'k:key': values });
    });
  }
  const invalid: ReadonlyArray<[type: string, values: string[], message: string]> = [
    ['numeric', ['ten'], 'Invalid value "ten" for context key k:key of type numeric.'],
    ['boolean', ['yes'], 'Invalid value "yes" for context key k:key of type boolean.'],
    ['ip', ['300.1.1.1'], 'Invalid value "300.1.1.1" for context key k:key of type ip.'],
    ['ipList', ['10.0.0.0/33'], 'Invalid value "10.0.0.0/33" for context key k:key of type ipList.'],
    ['binary', ['not base64!'], 'Invalid value "not base64!" for context key k:key of type binary.'],
    ['date', ['yesterday'], 'Invalid value "yesterday" for context key k:key of type date.'],
    ['string', ['a', 'b'], 'Context key k:key of type string accepts a single value, but 2 were given.'],
  ];
  for (const [type, values, message] of invalid) {
    test(`${type} refuses ${values.join(', ')}`, () => {
      assert.throws(
        () => contextOfEntries([{ ContextKeyName: 'k:key', ContextKeyValues: values, ContextKeyType: type }]),
        (e: unknown) => e instanceof ServiceError && e.code === 'InvalidInput' && e.message === message,
      );
    });
  }

  test('a client key named __proto__ is a key like any other, and pollutes nothing', () => {
    const context = contextOfEntries([{ ContextKeyName: '__proto__', ContextKeyValues: ['x'], ContextKeyType: 'string' }]);
    assert.deepEqual(Object.keys(context), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
  });

  test('a later entry for the same key, in any case, replaces the earlier', () => {
    const context = contextOfEntries([
      { ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['10.0.0.1'], ContextKeyType: 'ip' },
      { ContextKeyName: 'AWS:SOURCEIP', ContextKeyValues: ['10.0.0.2'], ContextKeyType: 'ip' },
    ]);
    assert.deepEqual({ ...context }, { 'AWS:SOURCEIP': ['10.0.0.2'] });
  });
});

test('context keys of policies: conditions and variables, each once, first spelling kept', () => {
  const doc = (statement: unknown): ReturnType<typeof parsePolicy> => parsePolicy({ Version: '2012-10-17', Statement: statement });
  const keys = contextKeysOf([
    doc([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/team': '${aws:PrincipalTag/team}' }, Bool: { 'AWS:SourceIp': 'x' } } },
    ]),
    doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*', Condition: { StringEquals: { 'ec2:Region': 'us-east-1' } } }),
  ]);
  assert.deepEqual(keys, ['aws:username', 'aws:SourceIp', 'aws:PrincipalTag/team', 'ec2:Region']);
});
