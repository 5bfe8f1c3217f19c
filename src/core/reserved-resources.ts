import { protectionOf } from '../policy/evaluate-protected.js';
import { accessDenied, unmodifiableEntity, type ServiceError } from './errors.js';

/**
 * The error AWS answers when a caller whose policies would allow it changes a resource AWS keeps for itself (the
 * engine's `awsProtected` implicit deny): the error the IAM operation itself gives, not a policy denial.
 *  - AWS managed policies belong to the `aws` account: AccessDenied naming the policy, as for any resource of
 *    another account with no resource policy.
 *  - Service-linked roles and /aws-reserved/ roles: UnmodifiableEntity, "Cannot perform the operation on the
 *    protected role '…' - this role is only modifiable by AWS".
 *  - KMS aliases under alias/aws/: AccessDenied.
 * Undefined when the request touches none of them.
 */
export function protectedResourceError(callerArn: string, action: string, resource: string): ServiceError | undefined {
  const protection = protectionOf(action.toLowerCase(), resource);
  switch (protection) {
    case undefined:
      return undefined;
    case 'serviceLinkedRole':
    case 'reservedRole': {
      const name = resource.slice(resource.lastIndexOf('/') + 1);
      return unmodifiableEntity(`Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`);
    }
    case 'awsManagedPolicy':
      return accessDenied(`User: ${callerArn} is not authorized to perform: ${action} on resource: policy ${resource}`);
    case 'awsKmsAlias':
      return accessDenied(`User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`);
  }
}
