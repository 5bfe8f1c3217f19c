export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the fifth colon; may itself contain colons and slashes. */
  readonly resource: string;
}

export const PARTITIONS: readonly string[] = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];

export function parseArn(text: string): Arn | undefined {
  if (!text.startsWith('arn:')) return undefined;
  const parts = text.split(':');
  if (parts.length < 6) return undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  if (partition === '' || service === '') return undefined;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

export function isAccountId(text: string): boolean {
  return /^\d{12}$/.test(text);
}

/** The account segment of an ARN without splitting it (this runs on every decision). */
export function arnAccount(text: string): string | undefined {
  if (!text.startsWith('arn:')) return undefined;
  let at = 3;
  for (let i = 0; i < 3; i++) {
    at = text.indexOf(':', at + 1);
    if (at === -1) return undefined;
  }
  const end = text.indexOf(':', at + 1);
  return end === -1 ? undefined : text.slice(at + 1, end);
}
