import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectivePolicy, type LevelPolicy } from './inheritance.js';

const p = (id: string, doc: unknown): LevelPolicy => ({ id, content: JSON.stringify(doc) });
const costcenter = (setting: Record<string, unknown>): unknown => ({ tags: { costcenter: setting } });

// The Organizations User Guide's inheritance examples (tag policies), and the operators' rules one by one.
const CASES: Array<{ name: string; levels: LevelPolicy[][]; effective: unknown; errors?: Array<[string, string, string]> }> = [
  {
    name: 'child @@assign overwrites the inherited values and adds a new setting',
    levels: [
      [p('p-root0001', costcenter({ tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['Development', 'Support'] } }))],
      [p('p-ou000001', costcenter({ tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['Sandbox'] }, enforced_for: { '@@assign': ['redshift:*', 'dynamodb:table'] } }))],
      [],
    ],
    effective: costcenter({ tag_key: 'CostCenter', tag_value: ['Sandbox'], enforced_for: ['redshift:*', 'dynamodb:table'] }),
  },
  {
    name: '@@append adds to the inherited list where the parent allows only @@append',
    levels: [
      [p('p-root0001', costcenter({ tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@operators_allowed_for_child_policies': ['@@append'], '@@assign': ['Development', 'Support'] } }))],
      [p('p-ou000002', costcenter({ tag_value: { '@@append': ['Marketing', 'Support'] } }))],
    ],
    effective: costcenter({ tag_key: 'CostCenter', tag_value: ['Development', 'Support', 'Marketing'] }),
  },
  {
    name: '@@remove takes inherited values out, others stay',
    levels: [
      [p('p-root0001', costcenter({ tag_value: { '@@assign': ['Development', 'Sandbox', 'Support'] } }))],
      [p('p-ou000001', costcenter({ tag_value: { '@@remove': ['Sandbox'] } }))],
    ],
    effective: costcenter({ tag_value: ['Development', 'Support'] }),
  },
  {
    name: '@@none locks a setting: the child cannot change it, and the attempt is reported',
    levels: [
      [p('p-root0001', costcenter({ tag_key: { '@@operators_allowed_for_child_policies': ['@@none'], '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['A'] } }))],
      [p('p-ou000001', costcenter({ tag_key: { '@@assign': 'COSTCENTER' }, tag_value: { '@@assign': ['B'] } }))],
    ],
    effective: costcenter({ tag_key: 'CostCenter', tag_value: ['B'] }),
    errors: [['p-ou000001', 'tags.costcenter.tag_key', '@@assign']],
  },
  {
    name: 'a limit on a parent node binds every setting below it, and cannot be widened lower down',
    levels: [
      [p('p-root0001', { tags: { '@@operators_allowed_for_child_policies': ['@@append'], costcenter: { tag_value: { '@@assign': ['A'] } } } })],
      [p('p-ou000001', { tags: { '@@operators_allowed_for_child_policies': ['@@all'], costcenter: { tag_value: { '@@append': ['B'] } } } })],
      [p('p-acct0001', costcenter({ tag_value: { '@@assign': ['C'] } }))],
    ],
    effective: costcenter({ tag_value: ['A', 'B'] }),
    errors: [['p-acct0001', 'tags.costcenter.tag_value', '@@assign']],
  },
  {
    name: 'limits of policies at the same level intersect',
    levels: [
      [
        p('p-root0001', costcenter({ tag_value: { '@@operators_allowed_for_child_policies': ['@@append', '@@remove'], '@@assign': ['A', 'B'] } })),
        p('p-root0002', costcenter({ tag_value: { '@@operators_allowed_for_child_policies': ['@@append'] } })),
      ],
      [p('p-ou000001', costcenter({ tag_value: { '@@remove': ['A'], '@@append': ['C'] } }))],
    ],
    effective: costcenter({ tag_value: ['A', 'B', 'C'] }),
    errors: [['p-ou000001', 'tags.costcenter.tag_value', '@@remove']],
  },
  {
    name: 'policies at the same level apply in order: appends of both are kept',
    levels: [[p('p-root0001', costcenter({ tag_value: { '@@append': ['A'] } })), p('p-root0002', costcenter({ tag_value: { '@@append': ['B'] } }))]],
    effective: costcenter({ tag_value: ['A', 'B'] }),
  },
  {
    name: 'a limit binds lower levels only, not the policy that wrote it',
    levels: [[p('p-root0001', costcenter({ tag_value: { '@@operators_allowed_for_child_policies': ['@@none'], '@@assign': ['A'] } }))]],
    effective: costcenter({ tag_value: ['A'] }),
  },
  {
    name: 'a setting without an operator is assigned; settings of other keys are merged side by side',
    levels: [[p('p-root0001', { ai: { services: { '@@assign': ['a'] } } })], [p('p-acct0001', { ai: { other: 'x' } })]],
    effective: { ai: { services: ['a'], other: 'x' } },
  },
  {
    name: 'no policy: no effective policy',
    levels: [[], []],
    effective: undefined,
  },
  {
    name: 'client keys such as __proto__ are plain data',
    levels: [[p('p-root0001', JSON.parse('{"__proto__": {"polluted": {"@@assign": "yes"}}}'))]],
    effective: JSON.parse('{"__proto__": {"polluted": "yes"}}'),
  },
];

describe('management policy inheritance', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const out = effectivePolicy(c.levels);
      assert.deepEqual(out.effective, c.effective);
      assert.deepEqual(out.errors.map((e) => [e.policyId, e.path, e.operator]), c.errors ?? []);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    });
  }
});
