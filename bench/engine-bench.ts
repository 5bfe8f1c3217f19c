import { compilePolicies, type CompiledPolicySet, type DecisionRequest } from '../src/index.js';
import { formatRate, measure, prng, type Rate } from './measure.js';

const ACCOUNT = '111122223333';
const USER = `arn:aws:iam::${ACCOUNT}:user/engineering/alice`;

// A spread of real services and actions, so generated statements are indexed the way real ones are.
const SERVICES: Record<string, string[]> = {
  s3: ['GetObject', 'PutObject', 'ListBucket', 'DeleteObject', 'GetBucketPolicy', 'PutBucketTagging'],
  ec2: ['DescribeInstances', 'StartInstances', 'StopInstances', 'RunInstances', 'CreateTags', 'DescribeVpcs'],
  iam: ['GetUser', 'ListUsers', 'CreateUser', 'DeleteUser', 'PassRole', 'GetRole', 'ListRoles', 'CreateAccessKey'],
  dynamodb: ['GetItem', 'PutItem', 'Query', 'Scan', 'DeleteItem', 'DescribeTable'],
  lambda: ['InvokeFunction', 'GetFunction', 'CreateFunction', 'UpdateFunctionCode', 'ListFunctions'],
  sqs: ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'],
  sns: ['Publish', 'Subscribe', 'ListTopics', 'CreateTopic'],
  kms: ['Decrypt', 'Encrypt', 'GenerateDataKey', 'DescribeKey'],
  logs: ['PutLogEvents', 'CreateLogStream', 'DescribeLogGroups', 'GetLogEvents'],
  cloudwatch: ['PutMetricData', 'GetMetricData', 'DescribeAlarms'],
  secretsmanager: ['GetSecretValue', 'DescribeSecret', 'PutSecretValue'],
  ssm: ['GetParameter', 'GetParameters', 'PutParameter', 'DescribeParameters'],
  ecr: ['GetAuthorizationToken', 'BatchGetImage', 'PutImage'],
  rds: ['DescribeDBInstances', 'CreateDBSnapshot', 'StartDBInstance'],
  sts: ['AssumeRole', 'TagSession'],
  cloudformation: ['DescribeStacks', 'CreateStack', 'UpdateStack'],
};
const SERVICE_NAMES = Object.keys(SERVICES);

// Resources are drawn from a pool as large as a big organization's: large policy sets name many resources, not
// the same few again and again.
function resourceFor(service: string, rnd: () => number): string {
  const n = Math.floor(rnd() * 1000);
  switch (service) {
    case 's3':
      return `arn:aws:s3:::bucket-${n}/*`;
    case 'iam':
      return rnd() < 0.1 ? `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` : `arn:aws:iam::${ACCOUNT}:role/app-${n}`;
    default:
      return `arn:aws:${service}:us-east-1:${ACCOUNT}:thing/item-${n}*`;
  }
}

/** A statement like people write: a few actions of one service, resources, sometimes a condition, sometimes a Deny. */
function statement(rnd: () => number, i: number): object {
  const service = SERVICE_NAMES[Math.floor(rnd() * SERVICE_NAMES.length)] as string;
  const actions = SERVICES[service] as string[];
  const picked = new Set<string>();
  const count = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < count; k++) {
    const a = actions[Math.floor(rnd() * actions.length)] as string;
    picked.add(rnd() < 0.15 ? `${service}:${a.slice(0, 3)}*` : `${service}:${a}`);
  }
  const s: Record<string, unknown> = {
    Sid: `S${i}`,
    Effect: rnd() < 0.1 ? 'Deny' : 'Allow',
    Action: [...picked],
    Resource: [resourceFor(service, rnd), resourceFor(service, rnd)],
  };
  if (rnd() < 0.3) s['Condition'] = { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } };
  return s;
}

export function policies(count: number, statementsEach: number, seed: number): object[] {
  const rnd = prng(seed);
  let i = 0;
  return Array.from({ length: count }, () => ({
    Version: '2012-10-17',
    Statement: Array.from({ length: statementsEach }, () => statement(rnd, i++)),
  }));
}

const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const readOnlyIam = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'SelfService', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: `arn:aws:iam::${ACCOUNT}:user/*/\${aws:username}` }],
};

/** The principal's own grants: each request of the mix below meets at least one of them. */
const OWN_STATEMENTS = [
  { Sid: 'Self', Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListAccessKeys'], Resource: `arn:aws:iam::${ACCOUNT}:user/*/\${aws:username}` },
  { Sid: 'Reports', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-7/*' },
  { Sid: 'Ec2', Effect: 'Allow', Action: ['ec2:StartInstances', 'ec2:StopInstances'], Resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:thing/*`, Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
  { Sid: 'Table', Effect: 'Allow', Action: 'dynamodb:*', Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:thing/item-1*` },
  { Sid: 'NoUsers', Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' },
  { Sid: 'Keys', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/engineering/*` } } },
  { Sid: 'Functions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:thing/item-4?` },
  { Sid: 'Queues', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:thing/item-9`, Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } },
  { Sid: 'Logs', Effect: 'Allow', Action: ['logs:PutLogEvents', 'logs:CreateLogStream'], Resource: '*' },
  { Sid: 'NoLeaving', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' },
];

/** Requests the benchmark cycles through: a mix of allowed and denied, several services. */
export function requests(): DecisionRequest[] {
  const ctx = { 'aws:RequestedRegion': 'us-east-1' };
  const time = '2026-11-25T12:00:00Z';
  return [
    { principal: USER, action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:user/engineering/alice`, context: ctx, time },
    { principal: USER, action: 's3:GetObject', resource: 'arn:aws:s3:::bucket-7/report.csv', context: ctx, time },
    { principal: USER, action: 'ec2:StartInstances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:thing/item-3`, context: ctx, time },
    { principal: USER, action: 'dynamodb:Query', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:thing/item-12`, context: ctx, time },
    { principal: USER, action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/bob`, context: ctx, time },
    { principal: USER, action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${ACCOUNT}:thing/item-1`, context: ctx, time },
    { principal: USER, action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:thing/item-40`, context: ctx, time },
    { principal: USER, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:thing/item-9`, context: ctx, time },
  ];
}

function rateOf(label: string, set: CompiledPolicySet, reqs: DecisionRequest[]): Rate {
  const n = reqs.length;
  return measure(label, (i) => set.evaluate(reqs[i % n] as DecisionRequest).decision === 'Allowed');
}

export function runEngineBench(): { rates: Rate[]; ok: boolean } {
  const reqs = requests();
  const baseline = rateOf('baseline: one Allow-all statement', compilePolicies({ identityPolicies: [allowAll] }), reqs);

  // (a) user in 3 groups, 10 managed policies (3 on the user, 2 + 2 + 3 on the groups) plus inline policies,
  // a permissions boundary and 2 SCP levels.
  const managed = policies(10, 6, 1);
  const inline = policies(4, 3, 2);
  const realistic = compilePolicies({
    identityPolicies: [readOnlyIam, ...managed, ...inline],
    permissionsBoundary: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:*', 's3:*', 'ec2:*', 'dynamodb:*', 'lambda:*', 'sqs:*', 'kms:*'], Resource: '*' }] },
    serviceControlPolicies: [
      { target: 'r-root', policies: [allowAll] },
      {
        target: 'ou-prod',
        policies: [
          allowAll,
          { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*', Condition: { StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/admin' } } }] },
        ],
      },
    ],
  });
  const a = rateOf(`(a) user, 3 groups, 10 managed policies, boundary, 2 SCP levels (${realistic.statementCount} statements)`, realistic, reqs);

  const rates: Rate[] = [baseline, a];
  // (b) the same principal, so the same ten statements that decide its requests, among more and more others.
  const own = { Version: '2012-10-17', Statement: OWN_STATEMENTS };
  const scaled: Rate[] = [];
  for (const count of [10, 100, 1000, 10000]) {
    const others = count - OWN_STATEMENTS.length;
    const extra = others === 0 ? [] : policies(Math.ceil(others / 10), Math.min(10, others), 100 + count);
    const set = compilePolicies({ identityPolicies: [own, ...extra] });
    const rate = rateOf(`(b) ${set.statementCount} statements in scope`, set, reqs);
    scaled.push(rate);
    rates.push(rate);
  }

  console.log('policy engine: decisions per second (one thread)');
  for (const r of rates) {
    console.log(`  ${r.label.padEnd(92)} ${formatRate(r.perSecond).padStart(11)}  ${(r.perSecond / baseline.perSecond).toFixed(2)}x baseline`);
  }
  const first = scaled[0] as Rate;
  const last = scaled[scaled.length - 1] as Rate;
  const slowdown = first.perSecond / last.perSecond;
  const okA = a.perSecond >= 1_000_000;
  const okB = slowdown <= 3;
  console.log(`  target (a) >= 1.00 M/s: ${formatRate(a.perSecond)} ${okA ? 'MET' : 'NOT MET'}`);
  console.log(`  target (b) 10 000 statements no more than 3x slower than 10: ${slowdown.toFixed(2)}x ${okB ? 'MET' : 'NOT MET'}`);
  return { rates, ok: okA && okB };
}
