import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderPolicyTemplate, TemplateRenderError, type PolicyParameter } from './delegation-templates.js';

const one = (Name: string, value: string): PolicyParameter => ({ Name, Values: [value], Type: 'string' });
const many = (Name: string, ...Values: string[]): PolicyParameter => ({ Name, Values, Type: 'stringList' });
const statement = (extra: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], ...extra }] });

describe('renderPolicyTemplate', () => {
  test("the User Guide's example: a string parameter inside a resource ARN", () => {
    const rendered = renderPolicyTemplate(statement({ Resource: 'arn:aws:s3:::@{bucketName}/*' }), [one('bucketName', 'customer-data-bucket')]);
    assert.deepEqual(JSON.parse(rendered), statement({ Resource: 'arn:aws:s3:::customer-data-bucket/*' }));
  });

  const cases: Array<{ name: string; template: unknown; parameters: PolicyParameter[]; expected: unknown }> = [
    { name: 'a stringList in a scalar becomes a list', template: { Resource: 'arn:aws:s3:::@{buckets}/*' }, parameters: [many('buckets', 'a', 'b')], expected: { Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'] } },
    { name: 'a stringList in a list is spliced in', template: { Resource: ['x', '@{buckets}', 'y'] }, parameters: [many('buckets', 'a', 'b')], expected: { Resource: ['x', 'a', 'b', 'y'] } },
    { name: 'two placeholders in one string', template: { R: 'arn:aws:s3:::@{bucket}/@{prefix}*' }, parameters: [one('bucket', 'b'), one('prefix', 'logs/')], expected: { R: 'arn:aws:s3:::b/logs/*' } },
    { name: 'two lists multiply', template: { R: '@{a}-@{b}' }, parameters: [many('a', '1', '2'), many('b', 'x', 'y')], expected: { R: ['1-x', '1-y', '2-x', '2-y'] } },
    { name: 'condition values are rendered, keys are not', template: { Condition: { StringEquals: { 'aws:ResourceTag/@{tag}': '@{tag}' } } }, parameters: [one('tag', 'team')], expected: { Condition: { StringEquals: { 'aws:ResourceTag/@{tag}': 'team' } } } },
    { name: 'values are not rendered again', template: { R: '@{a}' }, parameters: [one('a', '@{b}'), one('b', 'no')], expected: { R: '@{b}' } },
    { name: 'a value cannot break out of its string', template: { R: '@{a}' }, parameters: [one('a', '", "Action": "*')], expected: { R: '", "Action": "*' } },
    { name: 'numbers, booleans and null stay', template: { n: 1, b: true, z: null }, parameters: [], expected: { n: 1, b: true, z: null } },
    { name: 'a template given as JSON text', template: '{"R":"@{a}"}', parameters: [one('a', 'v')], expected: { R: 'v' } },
    { name: 'a __proto__ key stays data', template: JSON.parse('{"__proto__":{"polluted":"@{a}"}}'), parameters: [one('a', 'v')], expected: JSON.parse('{"__proto__":{"polluted":"v"}}') },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(JSON.parse(renderPolicyTemplate(c.template, c.parameters)), c.expected);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    });
  }

  const failures: Array<{ name: string; template: unknown; parameters: PolicyParameter[]; message: string }> = [
    { name: 'a parameter the request lacks', template: { R: '@{missing}' }, parameters: [], message: 'The policy template uses the parameter missing, which the delegation request does not give.' },
    { name: 'a string parameter with two values', template: {}, parameters: [{ Name: 'a', Values: ['1', '2'], Type: 'string' }], message: 'The parameter a is of type string and needs exactly one value, not 2.' },
    { name: 'an empty list', template: {}, parameters: [many('a')], message: 'The parameter a is of type stringList and needs at least one value.' },
    { name: 'a name given twice', template: {}, parameters: [one('a', '1'), one('a', '2')], message: 'The parameter a is given more than once.' },
    { name: 'not an object', template: '[1]', parameters: [], message: 'The policy template is not a JSON object.' },
    { name: 'not JSON', template: '{', parameters: [], message: 'The policy template is not valid JSON.' },
    {
      name: 'an explosion of values',
      template: { R: '@{a}@{a}@{a}@{a}' },
      parameters: [many('a', ...Array.from({ length: 10 }, (_, i) => String(i)))],
      message: 'A string of the policy template expands to more than 1000 values.',
    },
  ];
  for (const f of failures) {
    test(`refused: ${f.name}`, () => assert.throws(() => renderPolicyTemplate(f.template, f.parameters), (e: unknown) => e instanceof TemplateRenderError && e.message === f.message));
  }
});
