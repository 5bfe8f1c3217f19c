// The botocore service models drive the whole wire layer: decoding, validation and encoding all walk these shapes,
// so adding an operation to a service needs no protocol code.
import cloudtrailModel from './models/cloudtrail.json' with { type: 'json' };
import iamModel from './models/iam.json' with { type: 'json' };
import organizationsModel from './models/organizations.json' with { type: 'json' };
import stsModel from './models/sts.json' with { type: 'json' };

/** IAM and STS speak the Query protocol (XML answers); Organizations and CloudTrail speak awsJson1_1. */
export type ServiceName = 'iam' | 'sts' | 'organizations' | 'cloudtrail';

export interface ShapeRef {
  readonly shape: string;
  readonly locationName?: string;
  readonly flattened?: boolean;
  readonly xmlNamespace?: { readonly uri: string };
  readonly resultWrapper?: string;
}

interface ShapeBase {
  readonly sensitive?: boolean;
  readonly locationName?: string;
  readonly flattened?: boolean;
}

export interface StringShape extends ShapeBase {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
}

export interface NumberShape extends ShapeBase {
  readonly type: 'integer' | 'long' | 'float' | 'double';
  readonly min?: number;
  readonly max?: number;
  readonly box?: boolean;
}

export interface BooleanShape extends ShapeBase {
  readonly type: 'boolean';
  readonly box?: boolean;
}

export interface TimestampShape extends ShapeBase {
  readonly type: 'timestamp';
  readonly timestampFormat?: string;
}

export interface BlobShape extends ShapeBase {
  readonly type: 'blob';
  readonly min?: number;
  readonly max?: number;
}

export interface ListShape extends ShapeBase {
  readonly type: 'list';
  readonly member: ShapeRef;
  readonly min?: number;
  readonly max?: number;
}

export interface MapShape extends ShapeBase {
  readonly type: 'map';
  readonly key: ShapeRef;
  readonly value: ShapeRef;
  readonly min?: number;
  readonly max?: number;
}

export interface StructureShape extends ShapeBase {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, ShapeRef>>;
  readonly required?: readonly string[];
  readonly exception?: boolean;
  readonly error?: { readonly code?: string; readonly httpStatusCode?: number; readonly senderFault?: boolean };
  /** A union (JSON protocols): exactly one member is set. */
  readonly union?: boolean;
}

export type Shape =
  | StringShape
  | NumberShape
  | BooleanShape
  | TimestampShape
  | BlobShape
  | ListShape
  | MapShape
  | StructureShape;

export interface Operation {
  readonly name: string;
  readonly http?: { readonly method?: string; readonly requestUri?: string };
  readonly input?: ShapeRef;
  readonly output?: ShapeRef;
  readonly errors?: readonly ShapeRef[];
  readonly deprecated?: boolean;
}

export interface ServiceMetadata {
  readonly apiVersion: string;
  readonly endpointPrefix: string;
  readonly protocol: string;
  readonly serviceId: string;
  /** Query services: the namespace of their XML documents. */
  readonly xmlNamespace?: string;
  /** JSON services: the X-Amz-Target prefix before the operation's name (`AWSOrganizationsV20161128`). */
  readonly targetPrefix?: string;
}

export interface ServiceModel {
  readonly metadata: ServiceMetadata;
  readonly operations: Readonly<Record<string, Operation>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

// The JSON's inferred literal types are far narrower than the botocore schema (and differ per file); one cast at the
// boundary keeps the rest of the layer typed against the schema instead.
const MODELS: Readonly<Record<ServiceName, ServiceModel>> = {
  iam: iamModel as unknown as ServiceModel,
  sts: stsModel as unknown as ServiceModel,
  organizations: organizationsModel as unknown as ServiceModel,
  cloudtrail: cloudtrailModel as unknown as ServiceModel,
};

export const SERVICE_NAMES: readonly ServiceName[] = ['iam', 'sts', 'organizations', 'cloudtrail'];

export function isServiceName(value: string): value is ServiceName {
  return value === 'iam' || value === 'sts' || value === 'organizations' || value === 'cloudtrail';
}

export function serviceModel(service: ServiceName): ServiceModel {
  return MODELS[service];
}

export function serviceMetadata(service: ServiceName): ServiceMetadata {
  return MODELS[service].metadata;
}

export function operationNames(service: ServiceName): string[] {
  return Object.keys(MODELS[service].operations).sort();
}

/** The operation by its exact (case-sensitive, as AWS matches Action) name, or undefined. */
export function operation(service: ServiceName, name: string): Operation | undefined {
  const operations = MODELS[service].operations;
  return Object.hasOwn(operations, name) ? operations[name] : undefined;
}

export function hasOperation(service: ServiceName, name: string): boolean {
  return operation(service, name) !== undefined;
}

/** Throws for a name the model does not define: that is a broken model or a bug, never a caller's mistake. */
export function shape(service: ServiceName, name: string): Shape {
  const shapes = MODELS[service].shapes;
  const found = Object.hasOwn(shapes, name) ? shapes[name] : undefined;
  if (found === undefined) throw new Error(`${service} model has no shape ${name}`);
  return found;
}

export function inputShape(service: ServiceName, op: Operation): StructureShape | undefined {
  return op.input === undefined ? undefined : structure(service, op.input.shape);
}

export function outputShape(service: ServiceName, op: Operation): StructureShape | undefined {
  return op.output === undefined ? undefined : structure(service, op.output.shape);
}

export function structure(service: ServiceName, name: string): StructureShape {
  const found = shape(service, name);
  if (found.type !== 'structure') throw new Error(`${service} shape ${name} is a ${found.type}, not a structure`);
  return found;
}

/** Error shapes by their wire code (e.g. NoSuchEntity → NoSuchEntityException), for status and fault defaults. */
export function errorShapeByCode(service: ServiceName, code: string): StructureShape | undefined {
  for (const s of Object.values(MODELS[service].shapes)) {
    if (s.type === 'structure' && s.exception === true && s.error?.code === code) return s;
  }
  return undefined;
}
