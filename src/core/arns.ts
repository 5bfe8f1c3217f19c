/** ARNs of IAM entities: `arn:aws:iam::ACCOUNT:TYPE/PATH/NAME`, the path included (it starts and ends with `/`). */
export function iamArn(account: string, type: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:${type}${path}${name}`;
}

export const userArn = (account: string, path: string, name: string): string => iamArn(account, 'user', path, name);
export const groupArn = (account: string, path: string, name: string): string => iamArn(account, 'group', path, name);
export const roleArn = (account: string, path: string, name: string): string => iamArn(account, 'role', path, name);
export const policyArn = (account: string, path: string, name: string): string => iamArn(account, 'policy', path, name);
export const instanceProfileArn = (account: string, path: string, name: string): string =>
  iamArn(account, 'instance-profile', path, name);
export const rootArn = (account: string): string => `arn:aws:iam::${account}:root`;
