// Managed policies and their versions through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  PutUserPermissionsBoundaryCommand,
  SetDefaultPolicyVersionCommand,
  TagPolicyCommand,
  UntagPolicyCommand,
  type Policy,
} from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

const doc = (action: string | string[], resource: string | string[] = '*'): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
const policyArn = (name: string, path = '/'): string => `arn:aws:iam::${TEST_ACCOUNT_ID}:policy${path}${name}`;
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const LAMBDA_BASIC = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

/** A document of exactly `size` characters once white space is removed (it has none but what `pad` adds). */
function documentOfSize(size: number): string {
  const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::' }] });
  const filler = 'x'.repeat(size - base.length);
  const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${filler}` }] });
  assert.equal(text.length, size);
  return text;
}

describe('customer managed policies', () => {
  test('create, get with description and tags, delete', async () => {
    const iam = iamClient(server.endpoint);
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'ReadBuckets',
        Path: '/team/',
        Description: 'read the buckets',
        PolicyDocument: doc('s3:GetObject'),
        Tags: [{ Key: 'owner', Value: 'data' }],
      }),
    );
    const arn = policyArn('ReadBuckets', '/team/');
    assert.equal(created.Policy?.Arn, arn);
    assert.match(created.Policy?.PolicyId ?? '', /^ANPA[A-Z2-7]{17}$/);
    assert.equal(created.Policy?.DefaultVersionId, 'v1');
    assert.equal(created.Policy?.AttachmentCount, 0);
    assert.equal(created.Policy?.IsAttachable, true);
    assert.deepEqual(created.Policy?.Tags, [{ Key: 'owner', Value: 'data' }]);
    const got = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    assert.equal(got?.PolicyName, 'ReadBuckets');
    assert.equal(got?.Path, '/team/');
    assert.equal(got?.Description, 'read the buckets');
    assert.deepEqual(got?.Tags, [{ Key: 'owner', Value: 'data' }]);
    assert.ok(got?.CreateDate instanceof Date && got.UpdateDate instanceof Date);
    const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }))).PolicyVersion;
    assert.equal(version?.IsDefaultVersion, true);
    assert.deepEqual(JSON.parse(decodeURIComponent(version?.Document ?? '')), JSON.parse(doc('s3:GetObject')));

    assert.deepEqual(await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'ReadBuckets', PolicyDocument: doc('s3:GetObject') }))), {
      name: 'EntityAlreadyExistsException',
      message: 'A policy called ReadBuckets already exists. Duplicate names are not allowed.',
      status: 409,
    });
    // A policy is named by its full ARN: the wrong path does not find it.
    assert.deepEqual(await failure(iam.send(new GetPolicyCommand({ PolicyArn: policyArn('ReadBuckets') }))), {
      name: 'NoSuchEntityException',
      message: `Policy ${policyArn('ReadBuckets')} was not found.`,
      status: 404,
    });
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    assert.equal((await failure(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).name, 'NoSuchEntityException');
  });

  test('MalformedPolicyDocument with IAM texts', async () => {
    const iam = iamClient(server.endpoint);
    const cases: [string, string][] = [
      ['{"Version": "2012-10-17", "Statement": [', 'Syntax errors in policy.'],
      [
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] }),
        'Policy document should not specify a principal.',
      ],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject' }] }), 'Policy statement must contain resources.'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] }), 'Policy statement must contain actions.'],
      [doc('GetObject'), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
      [doc('s3:GetObject', 'bucket'), 'Resource bucket must be in ARN format or "*".'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 's3:GetObject', Resource: '*' }] }), 'Syntax errors in policy.'],
    ];
    for (const [document, message] of cases) {
      assert.deepEqual(await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'Broken', PolicyDocument: document }))), {
        name: 'MalformedPolicyDocumentException',
        message,
        status: 400,
      }, document);
    }
    assert.equal((await failure(iam.send(new GetPolicyCommand({ PolicyArn: policyArn('Broken') })))).name, 'NoSuchEntityException');
  });

  test('size quota: over 6144 characters without white space is LimitExceeded; white space does not count', async () => {
    const iam = iamClient(server.endpoint);
    const atQuota = documentOfSize(6144);
    const pretty = JSON.stringify(JSON.parse(atQuota), null, 8);
    assert.ok(pretty.length > 6144 + 50);
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: 'Big', PolicyDocument: pretty }));
    assert.equal(created.Policy?.DefaultVersionId, 'v1');
    const stored = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn('Big'), VersionId: 'v1' }))).PolicyVersion?.Document;
    assert.deepEqual(JSON.parse(decodeURIComponent(stored ?? '')), JSON.parse(atQuota));
    assert.deepEqual(await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'TooBig', PolicyDocument: documentOfSize(6145) }))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for PolicySize: 6144',
      status: 409,
    });
    assert.deepEqual(await failure(iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn('Big'), PolicyDocument: documentOfSize(6145) }))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for PolicySize: 6144',
      status: 409,
    });
    await iam.send(new DeletePolicyCommand({ PolicyArn: policyArn('Big') }));
  });

  test('versions: create, list, get, set default, delete; a sixth is LimitExceeded; the default cannot be deleted', async () => {
    const iam = iamClient(server.endpoint);
    const arn = policyArn('Versioned');
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Versioned', PolicyDocument: doc('s3:GetObject') }));
    const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:PutObject'), SetAsDefault: true }));
    assert.equal(v2.PolicyVersion?.VersionId, 'v2');
    assert.equal(v2.PolicyVersion?.IsDefaultVersion, true);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId, 'v2');
    const v3 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:DeleteObject') }));
    assert.equal(v3.PolicyVersion?.IsDefaultVersion, false);

    const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    assert.deepEqual(listed.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion]), [
      ['v3', false],
      ['v2', true],
      ['v1', false],
    ]);
    const got = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' }))).PolicyVersion;
    assert.deepEqual(JSON.parse(decodeURIComponent(got?.Document ?? '')), JSON.parse(doc('s3:DeleteObject')));
    assert.equal(got?.IsDefaultVersion, false);

    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId, 'v1');
    assert.deepEqual(await failure(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' }))), {
      name: 'NoSuchEntityException',
      message: `Policy ${arn} version v9 does not exist or is not attachable.`,
      status: 404,
    });
    assert.deepEqual(await failure(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete the default version of a policy.',
      status: 409,
    });

    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:ListBucket') }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:ListAllMyBuckets') }));
    assert.equal((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions?.length, 5);
    assert.deepEqual(await failure(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:GetBucketPolicy') }))), {
      name: 'LimitExceededException',
      message: 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
      status: 409,
    });

    // Deleting a version frees a slot; version numbers are never reused.
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    assert.deepEqual(await failure(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }))), {
      name: 'NoSuchEntityException',
      message: `Policy ${arn} version v2 does not exist or is not attachable.`,
      status: 404,
    });
    const v6 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:GetBucketPolicy') }));
    assert.equal(v6.PolicyVersion?.VersionId, 'v6');
    assert.deepEqual((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions?.map((v) => v.VersionId), ['v6', 'v5', 'v4', 'v3', 'v1']);

    assert.deepEqual(await failure(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))), {
      name: 'DeleteConflictException',
      message: "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      status: 409,
    });
    for (const v of ['v6', 'v5', 'v4', 'v3']) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  });

  test('AttachmentCount and PermissionsBoundaryUsageCount; DeletePolicy while attached is DeleteConflict', async () => {
    const iam = iamClient(server.endpoint);
    const arn = policyArn('Shared');
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Shared', PolicyDocument: doc('s3:GetObject') }));
    await iam.send(new CreateUserCommand({ UserName: 'pat' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'pat', PolicyArn: arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'worker', PolicyArn: arn }));
    let policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    assert.equal(policy?.AttachmentCount, 2);
    assert.equal(policy?.PermissionsBoundaryUsageCount, 0);
    const conflict = { name: 'DeleteConflictException', message: 'Cannot delete a policy attached to entities.', status: 409 };
    assert.deepEqual(await failure(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))), conflict);
    await iam.send(new DetachUserPolicyCommand({ UserName: 'pat', PolicyArn: arn }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'worker', PolicyArn: arn }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'pat', PermissionsBoundary: arn }));
    policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    assert.equal(policy?.AttachmentCount, 0);
    assert.equal(policy?.PermissionsBoundaryUsageCount, 1);
    assert.deepEqual(await failure(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))), conflict);
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'pat' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await iam.send(new DeleteUserCommand({ UserName: 'pat' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'worker' }));
  });

  test('tags', async () => {
    const iam = iamClient(server.endpoint);
    const arn = policyArn('Tagged');
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Tagged', PolicyDocument: doc('s3:GetObject') }));
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'A', Value: '3' }] }));
    assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags, [
      { Key: 'b', Value: '2' },
      { Key: 'A', Value: '3' },
    ]);
    await iam.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ['B'] }));
    assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags, [{ Key: 'A', Value: '3' }]);
    assert.deepEqual((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.Tags, [{ Key: 'A', Value: '3' }]);
    // IAM documents that ListPolicies leaves out tags.
    assert.equal((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies?.[0]?.Tags, undefined);
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  });
});

describe('AWS managed policies', () => {
  test('GetPolicy and GetPolicyVersion of AdministratorAccess return its real document', async () => {
    const iam = iamClient(server.endpoint);
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: ADMIN }))).Policy;
    assert.equal(policy?.PolicyName, 'AdministratorAccess');
    assert.equal(policy?.Path, '/');
    assert.equal(policy?.Arn, ADMIN);
    assert.equal(policy?.IsAttachable, true);
    assert.match(policy?.PolicyId ?? '', /^ANPA[A-Z2-7]{17}$/);
    const versionId = policy?.DefaultVersionId;
    assert.ok(versionId !== undefined);
    const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: ADMIN, VersionId: versionId }))).PolicyVersion;
    assert.equal(version?.IsDefaultVersion, true);
    assert.deepEqual(JSON.parse(decodeURIComponent(version?.Document ?? '')), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
  });

  test('a /service-role/ policy is found by its full ARN', async () => {
    const iam = iamClient(server.endpoint);
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: LAMBDA_BASIC }))).Policy;
    assert.equal(policy?.PolicyName, 'AWSLambdaBasicExecutionRole');
    assert.equal(policy?.Path, '/service-role/');
    const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: LAMBDA_BASIC, VersionId: policy?.DefaultVersionId }))).PolicyVersion;
    const document = JSON.parse(decodeURIComponent(version?.Document ?? '')) as { Statement: { Action: string[] }[] };
    assert.deepEqual(document.Statement[0]?.Action, ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    assert.ok(((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: LAMBDA_BASIC }))).Versions?.length ?? 0) >= 1);
    // Without its path the ARN names no policy.
    assert.equal((await failure(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole' })))).name, 'NoSuchEntityException');
  });

  test('an AWS managed policy cannot be changed by the account', async () => {
    const iam = iamClient(server.endpoint);
    for (const call of [
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: ADMIN, PolicyDocument: doc('s3:GetObject') })),
      iam.send(new DeletePolicyCommand({ PolicyArn: ADMIN })),
      iam.send(new TagPolicyCommand({ PolicyArn: ADMIN, Tags: [{ Key: 'a', Value: 'b' }] })),
    ]) {
      const denied = await failure(call);
      assert.equal(denied.name, 'AccessDenied');
      assert.equal(denied.status, 403);
    }
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: ADMIN }))).Policy?.DefaultVersionId, 'v1');
  });
});

describe('ListPolicies', () => {
  /** Every page of a listing, following Marker until IsTruncated is false. */
  async function listAll(iam: ReturnType<typeof iamClient>, input: ConstructorParameters<typeof ListPoliciesCommand>[0]): Promise<{ policies: Policy[]; pages: number }> {
    const policies: Policy[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListPoliciesCommand({ ...input, ...(marker !== undefined ? { Marker: marker } : {}) }));
      pages++;
      policies.push(...(page.Policies ?? []));
      marker = page.IsTruncated === true ? page.Marker : undefined;
      if (page.IsTruncated === true) assert.ok(page.Marker !== undefined);
    } while (marker !== undefined);
    return { policies, pages };
  }

  test('Scope Local, AWS and All; PathPrefix; OnlyAttached', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreatePolicyCommand({ PolicyName: 'LocalOne', Path: '/mine/', PolicyDocument: doc('s3:GetObject') }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'LocalTwo', PolicyDocument: doc('s3:GetObject') }));
    const local = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    assert.deepEqual(local.Policies?.map((p) => p.PolicyName), ['LocalOne', 'LocalTwo']);
    assert.equal(local.IsTruncated, false);
    assert.equal(local.Policies?.[0]?.Description, undefined, 'ListPolicies leaves out the description');
    assert.deepEqual((await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/mine/' }))).Policies?.map((p) => p.Arn), [policyArn('LocalOne', '/mine/')]);
    const serviceRole = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', PathPrefix: '/service-role/', MaxItems: 1000 }));
    assert.ok((serviceRole.Policies?.length ?? 0) > 100);
    assert.ok(serviceRole.Policies?.every((p) => p.Path === '/service-role/' && p.Arn?.startsWith('arn:aws:iam::aws:policy/service-role/')));
    assert.ok(serviceRole.Policies?.some((p) => p.Arn === LAMBDA_BASIC));

    assert.deepEqual((await iam.send(new ListPoliciesCommand({ Scope: 'All', OnlyAttached: true }))).Policies, []);
    await iam.send(new CreateUserCommand({ UserName: 'lister' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'lister', PolicyArn: ADMIN }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'lister', PolicyArn: policyArn('LocalTwo') }));
    const attached = await iam.send(new ListPoliciesCommand({ OnlyAttached: true }));
    assert.deepEqual(attached.Policies?.map((p) => [p.PolicyName, p.AttachmentCount]), [
      ['AdministratorAccess', 1],
      ['LocalTwo', 1],
    ]);
    assert.deepEqual((await iam.send(new ListPoliciesCommand({ OnlyAttached: true, Scope: 'Local' }))).Policies?.map((p) => p.PolicyName), ['LocalTwo']);
    assert.deepEqual((await iam.send(new ListPoliciesCommand({ OnlyAttached: true, Scope: 'AWS' }))).Policies?.map((p) => p.PolicyName), ['AdministratorAccess']);

    await iam.send(new DetachUserPolicyCommand({ UserName: 'lister', PolicyArn: ADMIN }));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'lister', PolicyArn: policyArn('LocalTwo') }));
    await iam.send(new DeleteUserCommand({ UserName: 'lister' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: policyArn('LocalOne', '/mine/') }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: policyArn('LocalTwo') }));
  });

  test('pagination over every AWS managed policy: 100 per page by default, no repeats, none missed', async () => {
    const iam = iamClient(server.endpoint);
    const first = await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
    assert.equal(first.Policies?.length, 100);
    assert.equal(first.IsTruncated, true);
    const { policies, pages } = await listAll(iam, { Scope: 'AWS' });
    assert.ok(policies.length > 1000, `${policies.length} AWS managed policies`);
    assert.equal(pages, Math.ceil(policies.length / 100));
    const arns = policies.map((p) => p.Arn ?? '');
    assert.equal(new Set(arns).size, arns.length);
    assert.ok(arns.every((arn) => arn.startsWith('arn:aws:iam::aws:policy/')));
    assert.ok(arns.includes(ADMIN) && arns.includes(LAMBDA_BASIC));
    const big = await listAll(iam, { Scope: 'AWS', MaxItems: 1000 });
    assert.equal(big.pages, 2);
    assert.deepEqual(big.policies.map((p) => p.Arn), arns);
    // With one local policy, All is AWS's plus the account's.
    await iam.send(new CreatePolicyCommand({ PolicyName: 'OnlyMine', PolicyDocument: doc('s3:GetObject') }));
    const all = await listAll(iam, { MaxItems: 1000 });
    assert.equal(all.policies.length, policies.length + 1);
    assert.ok(all.policies.some((p) => p.Arn === policyArn('OnlyMine')));
    await iam.send(new DeletePolicyCommand({ PolicyArn: policyArn('OnlyMine') }));
  });
});
