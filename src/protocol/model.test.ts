import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  hasOperation,
  inputShape,
  isServiceName,
  operation,
  operationNames,
  outputShape,
  serviceMetadata,
  shape,
  structure,
} from './model.js';

describe('model', () => {
  it('knows both services by their metadata', () => {
    const cases = [
      { service: 'iam', apiVersion: '2010-05-08', xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/' },
      { service: 'sts', apiVersion: '2011-06-15', xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/' },
    ] as const;
    for (const c of cases) {
      const m = serviceMetadata(c.service);
      assert.equal(m.apiVersion, c.apiVersion);
      assert.equal(m.xmlNamespace, c.xmlNamespace);
      assert.equal(m.protocol, 'query');
    }
  });

  it('lists operations sorted and finds them by exact name', () => {
    const iam = operationNames('iam');
    assert.ok(iam.length > 150);
    assert.deepEqual(iam, [...iam].sort());
    assert.ok(operationNames('sts').includes('AssumeRole'));
    const cases = [
      { service: 'iam', name: 'CreateUser', found: true },
      { service: 'iam', name: 'createuser', found: false },
      { service: 'iam', name: 'AssumeRole', found: false },
      { service: 'sts', name: 'GetCallerIdentity', found: true },
      { service: 'iam', name: 'toString', found: false },
      { service: 'iam', name: '__proto__', found: false },
    ] as const;
    for (const c of cases) {
      assert.equal(hasOperation(c.service, c.name), c.found, `${c.service} ${c.name}`);
      assert.equal(operation(c.service, c.name) !== undefined, c.found);
    }
  });

  it('resolves input, output and nested shapes', () => {
    const op = operation('iam', 'CreateUser');
    assert.ok(op !== undefined);
    assert.equal(op.output?.resultWrapper, 'CreateUserResult');
    assert.deepEqual(inputShape('iam', op)?.required, ['UserName']);
    assert.ok(outputShape('iam', op)?.members.User !== undefined);
    assert.deepEqual(shape('iam', 'userNameType'), { type: 'string', max: 64, min: 1, pattern: '[\\w+=,.@-]+' });
    assert.equal(structure('iam', 'Tag').members.Key?.shape, 'tagKeyType');
    const deleteUser = operation('iam', 'DeleteUser');
    assert.ok(deleteUser !== undefined);
    assert.equal(outputShape('iam', deleteUser), undefined);
  });

  it('refuses names that are not in the model', () => {
    assert.throws(() => shape('iam', 'NoSuchShape'), /no shape NoSuchShape/);
    assert.throws(() => structure('iam', 'userNameType'), /not a structure/);
    assert.equal(isServiceName('iam'), true);
    assert.equal(isServiceName('s3'), false);
  });
});
