import type { EntityRecord } from '../../store/store.js';
import type { OperationContext } from '../operation.js';
import { getGroup, groupResource } from './groups.js';
import type { PrincipalEntityType } from './kinds.js';
import { assertModifiable, getRole, roleResource } from './roles.js';
import { getUser, userResource } from './users.js';

/**
 * The user, group or role that policies (attached or inline) belong to. `changing`: a service-linked role's
 * policies only its service may change.
 */
export async function principalEntity(ctx: OperationContext, type: PrincipalEntityType, name: string, changing: boolean): Promise<EntityRecord> {
  switch (type) {
    case 'user':
      return getUser(ctx, name);
    case 'group':
      return getGroup(ctx, name);
    case 'role': {
      const role = await getRole(ctx, name);
      if (changing) assertModifiable(role);
      return role;
    }
  }
}

/** The ARN an operation on that user, group or role is authorized against. */
export function principalEntityResource(ctx: OperationContext, type: PrincipalEntityType, name: string): Promise<string> {
  switch (type) {
    case 'user':
      return userResource(ctx, name);
    case 'group':
      return groupResource(ctx, name);
    case 'role':
      return roleResource(ctx, name);
  }
}
