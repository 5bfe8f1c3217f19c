import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DeleteVirtualMFADeviceCommand,
  DetachUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  RemoveUserFromGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { errorCode, type Clients } from '../api.js';
import { ConfirmDelete, type Step } from './delete-entities.js';

/**
 * Deletes a user the way AWS's console does: everything IAM's DeleteUser refuses to leave behind first (the order of
 * AWS's "Deleting an IAM user" steps), each call under the signed-in identity's own permissions. A denial stops it
 * where it is, and says which step.
 */
async function deleteUserAndDependents(iam: IAMClient, UserName: string, step: Step): Promise<void> {
  step('console password');
  try {
    await iam.send(new DeleteLoginProfileCommand({ UserName }));
  } catch (error) {
    if (errorCode(error) !== 'NoSuchEntity') throw error;
  }
  step('access keys');
  for (const key of (await iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? []) await iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: key.AccessKeyId }));
  step('signing certificates');
  for (const c of (await iam.send(new ListSigningCertificatesCommand({ UserName }))).Certificates ?? []) await iam.send(new DeleteSigningCertificateCommand({ UserName, CertificateId: c.CertificateId }));
  step('SSH public keys');
  for (const k of (await iam.send(new ListSSHPublicKeysCommand({ UserName }))).SSHPublicKeys ?? []) await iam.send(new DeleteSSHPublicKeyCommand({ UserName, SSHPublicKeyId: k.SSHPublicKeyId }));
  step('service-specific credentials');
  for (const c of (await iam.send(new ListServiceSpecificCredentialsCommand({ UserName }))).ServiceSpecificCredentials ?? []) {
    await iam.send(new DeleteServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId: c.ServiceSpecificCredentialId }));
  }
  step('MFA devices');
  for (const d of (await iam.send(new ListMFADevicesCommand({ UserName }))).MFADevices ?? []) {
    await iam.send(new DeactivateMFADeviceCommand({ UserName, SerialNumber: d.SerialNumber }));
    if (d.SerialNumber?.startsWith('arn:') === true) await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: d.SerialNumber }));
  }
  step('inline policies');
  for (const name of (await iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames ?? []) await iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName: name }));
  step('attached policies');
  for (const p of (await iam.send(new ListAttachedUserPoliciesCommand({ UserName }))).AttachedPolicies ?? []) await iam.send(new DetachUserPolicyCommand({ UserName, PolicyArn: p.PolicyArn }));
  step('group memberships');
  for (const g of (await iam.send(new ListGroupsForUserCommand({ UserName }))).Groups ?? []) await iam.send(new RemoveUserFromGroupCommand({ UserName, GroupName: g.GroupName }));
  step('the user');
  await iam.send(new DeleteUserCommand({ UserName }));
}

export function DeleteUser({ clients, userName }: { clients: Clients; userName: string }) {
  return (
    <ConfirmDelete
      id="delete-user"
      what="user"
      name={userName}
      explanation="Deletes the user with its password, access keys, certificates, SSH keys, MFA devices and policies, and takes it out of its groups."
      remove={(step) => deleteUserAndDependents(clients.iam, userName, step)}
      done="#/users"
    />
  );
}
