export interface SignedRequest {
  method: string;
  /** Raw path as sent, without the query. Non-ASCII characters are taken as Unicode and signed as UTF-8. */
  path: string;
  /** Raw query string, without '?'. */
  query: string;
  /** Headers as received: lower-cased names, values as sent; a repeated header appears once per occurrence. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: Buffer;
}

export interface VerifiedRequest {
  accessKeyId: string;
  region: string;
  service: string;
  /** yyyymmdd, from the credential scope. */
  date: string;
  signedHeaders: string[];
  securityToken?: string;
  presigned: boolean;
}

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}
