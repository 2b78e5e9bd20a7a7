// The order pipeline as one component: SNS topic → SQS queue (with its dead-letter queue) → Lambda
// function → DynamoDB table, with the permissions and the event source mapping that join them, and the alarms
// (infra/alarms.ts) and dashboard (infra/dashboard.ts) that watch them.
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createAlarms } from "./alarms";
import { ConfigError, DEAD_LETTER_RETENTION_SECONDS, type PipelineSettings, validateSettings } from "./config";
import { physicalNames } from "./naming";
import { createDashboard } from "./dashboard";
import { deployedRuntime, functionVariables } from "./function-contract";
import { type FunctionDefinition, readFunctionDefinition } from "./function-definition";
import { repositoryRoot } from "./repository";
import type { FunctionBundle } from "./packaging";
import { deadLetterQueuePolicy, functionPolicy, lambdaAssumeRolePolicy, orderQueuePolicy, redriveAllowPolicy, redrivePolicy } from "./policies";
import { SMOKE_COMMAND } from "./smoke-invocation";

/** The alias the event source mapping invokes; it moves to a new version only after that version's smoke invocation. */
export const LIVE_ALIAS = "live";

export interface OrderPipelineArgs {
    /** Validated settings, normally `loadSettings` of the stack's config (infra/config.ts lists every default). */
    readonly settings: PipelineSettings;
    /** Appended to every physical name (`OrderTopic-<suffix>`), normally the stack name. Required: two stacks must not collide. */
    readonly nameSuffix: string;
    /** The packaged function (infra/packaging.ts). */
    readonly bundle: pulumi.Input<FunctionBundle>;
    /** Handler and runtime. Default: their one definition, functions/OrderProcessor/aws-lambda-tools-defaults.json. */
    readonly definition?: FunctionDefinition;
    /** Tags on every resource that takes them. Default: none beyond the provider's. */
    readonly tags?: Readonly<Record<string, string>>;
    /** The AWS region the smoke invocation calls (the stack's aws:region). Default: the SDK's own (AWS_REGION). */
    readonly region?: string;
}

/** Said by `pulumi preview` and `up` when no one is subscribed to the alarms. */
export const NO_ALARM_EMAIL_WARNING =
    "order-pipeline:alarmEmail is not set: the alarms notify the alerts topic, and no one is subscribed to it. " +
    "Set the on-call address (pulumi config set order-pipeline:alarmEmail ADDRESS), or subscribe the topic (output alertsTopicArn) to your paging tool.";

/** The version a smoke check ran against, from its environment; a check without one is a defect of this component. */
function checkedVersion(environment: Readonly<Record<string, string>> | undefined): string {
    const version = environment?.SMOKE_QUALIFIER;
    if (!version) throw new Error("the smoke check names no function version");
    return version;
}

export class OrderPipeline extends pulumi.ComponentResource {
    readonly table: aws.dynamodb.Table;
    readonly topic: aws.sns.Topic;
    readonly queue: aws.sqs.Queue;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly function: aws.lambda.Function;
    /** Invokes each new version once, before the alias moves to it (infra/smoke-invocation.ts). */
    readonly smokeCheck: command.local.Command;
    /** `live`: the version the event source mapping invokes, one that has started and answered its smoke invocation. */
    readonly liveAlias: aws.lambda.Alias;
    readonly eventSourceMapping: aws.lambda.EventSourceMapping;
    readonly alertsTopic: aws.sns.Topic;
    readonly alarms: aws.cloudwatch.MetricAlarm[];
    readonly dashboard: aws.cloudwatch.Dashboard;

    constructor(name: string, args: OrderPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("order-pipeline:index:OrderPipeline", name, {}, opts);
        const problems = validateSettings(args.settings);
        if (problems.length > 0) throw new ConfigError(problems.map((p) => p.message));

        const s = args.settings;
        const names = physicalNames(args.nameSuffix);
        const definition = args.definition ?? readFunctionDefinition();
        const tags = { ...args.tags };
        const child = { parent: this };

        this.table = new aws.dynamodb.Table(`${name}-table`, {
            name: names.table,
            billingMode: "PAY_PER_REQUEST",
            hashKey: "orderId",
            attributes: [{ name: "orderId", type: "S" }],
            pointInTimeRecovery: { enabled: true },
            serverSideEncryption: { enabled: true },
            deletionProtectionEnabled: s.deletionProtection,
            tags,
        }, child);

        this.topic = new aws.sns.Topic(`${name}-topic`, { name: names.topic, tags }, child);

        this.deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, {
            name: names.deadLetterQueue,
            messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
            sqsManagedSseEnabled: true,
            tags,
        }, child);

        // SSE-SQS, not the aws/sqs KMS key: SNS cannot use that key, and would fail to deliver.
        this.queue = new aws.sqs.Queue(`${name}-queue`, {
            name: names.queue,
            visibilityTimeoutSeconds: s.queueVisibilityTimeoutSeconds,
            sqsManagedSseEnabled: true,
            redrivePolicy: this.deadLetterQueue.arn.apply((arn) => JSON.stringify(redrivePolicy(arn, s.maxReceiveCount))),
            tags,
        }, child);

        new aws.sqs.RedriveAllowPolicy(`${name}-dlq-redrive-allow`, {
            queueUrl: this.deadLetterQueue.url,
            redriveAllowPolicy: this.queue.arn.apply((arn) => JSON.stringify(redriveAllowPolicy(arn))),
        }, child);

        new aws.sqs.QueuePolicy(`${name}-dlq-policy`, {
            queueUrl: this.deadLetterQueue.url,
            policy: this.deadLetterQueue.arn.apply((arn) => JSON.stringify(deadLetterQueuePolicy(arn))),
        }, child);

        const queuePolicy = new aws.sqs.QueuePolicy(`${name}-queue-policy`, {
            queueUrl: this.queue.url,
            policy: pulumi.all([this.queue.arn, this.topic.arn]).apply(([queueArn, topicArn]) => JSON.stringify(orderQueuePolicy(queueArn, topicArn))),
        }, child);

        // Created after the queue policy, so that no order published in between is refused.
        new aws.sns.TopicSubscription(`${name}-subscription`, {
            topic: this.topic.arn,
            protocol: "sqs",
            endpoint: this.queue.arn,
            rawMessageDelivery: s.rawMessageDelivery,
        }, { ...child, dependsOn: [queuePolicy] });

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/aws/lambda/${names.function}`,
            retentionInDays: s.logRetentionDays,
            tags,
        }, child);

        const role = new aws.iam.Role(`${name}-role`, {
            name: names.role,
            assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()),
            tags,
        }, child);

        const rolePolicy = new aws.iam.RolePolicy(`${name}-role-policy`, {
            role: role.id,
            policy: pulumi
                .all([this.table.arn, this.queue.arn, logGroup.arn])
                .apply(([tableArn, queueArn, logGroupArn]) => JSON.stringify(functionPolicy({ tableArn, queueArn, logGroupArn }))),
        }, child);

        const bundle = pulumi.output(args.bundle);
        this.function = new aws.lambda.Function(`${name}-function`, {
            name: names.function,
            // aot: provided.al2023 runs the zip's `bootstrap`; managed: dotnet10 loads the handler string.
            ...deployedRuntime(s.functionRuntime, definition),
            architectures: [s.functionArchitecture],
            memorySize: s.functionMemoryMb,
            timeout: s.functionTimeoutSeconds,
            role: role.arn,
            code: bundle.apply((b) => new pulumi.asset.FileArchive(b.zipPath)),
            sourceCodeHash: bundle.apply((b) => b.sha256),
            // The table, the time budget and the backoff of failed records: one definition with the local runner's.
            environment: { variables: functionVariables(s, { tableName: this.table.name, queueUrl: this.queue.url }) },
            tracingConfig: { mode: "Active" },
            // Lambda drops application lines below logLevel and passes it to the function as AWS_LAMBDA_LOG_LEVEL.
            loggingConfig: { logFormat: "JSON", applicationLogLevel: s.logLevel, systemLogLevel: "INFO", logGroup: logGroup.name },
            // Every change of code or configuration publishes a version; orders reach one only through the alias.
            publish: true,
            tags,
        }, { ...child, dependsOn: [logGroup, rolePolicy] });

        // The new version must start (init, priming reads of the table and the queue) and answer an event with no
        // records with {"batchItemFailures":[]} before any order reaches it; if not, the command fails, `pulumi up`
        // fails with the function's error, and the alias stays on the version that works. Runs again for each version.
        this.smokeCheck = new command.local.Command(`${name}-smoke-check`, {
            create: SMOKE_COMMAND,
            dir: repositoryRoot,
            environment: {
                SMOKE_FUNCTION_NAME: this.function.name,
                SMOKE_QUALIFIER: this.function.version,
                ...(args.region ? { AWS_REGION: args.region } : {}),
            },
            triggers: [this.function.version],
        }, child);

        // The alias takes its version from the smoke check's own inputs: it cannot move before the check has passed.
        this.liveAlias = new aws.lambda.Alias(`${name}-live`, {
            name: LIVE_ALIAS,
            functionName: this.function.name,
            functionVersion: this.smokeCheck.environment.apply((environment) => checkedVersion(environment)),
        }, child);

        // The mapping checks the role's SQS permissions when it is created: the role policy comes first.
        this.eventSourceMapping = new aws.lambda.EventSourceMapping(`${name}-mapping`, {
            eventSourceArn: this.queue.arn,
            // The alias, never $LATEST: orders reach only a version that passed its smoke invocation.
            functionName: this.liveAlias.arn,
            batchSize: s.batchSize,
            maximumBatchingWindowInSeconds: s.maximumBatchingWindowSeconds,
            functionResponseTypes: ["ReportBatchItemFailures"],
            scalingConfig: { maximumConcurrency: s.maximumConcurrency },
        }, { ...child, dependsOn: [rolePolicy] });

        this.alertsTopic = new aws.sns.Topic(`${name}-alerts`, { name: names.alertsTopic, tags }, child);
        if (s.alarmEmail) {
            new aws.sns.TopicSubscription(`${name}-alerts-email`, {
                topic: this.alertsTopic.arn,
                protocol: "email",
                endpoint: s.alarmEmail,
            }, child);
        } else {
            void pulumi.log.warn(NO_ALARM_EMAIL_WARNING, this);
        }

        this.alarms = createAlarms(name, {
            settings: s,
            targets: { queueName: this.queue.name, deadLetterQueueName: this.deadLetterQueue.name, functionName: this.function.name },
            namePrefix: names.function,
            alertsTopicArn: this.alertsTopic.arn,
            tags,
        }, child);
        this.dashboard = createDashboard(name, {
            dashboardName: names.dashboard,
            resources: pulumi
                .all([this.topic.name, this.queue.name, this.deadLetterQueue.name, this.function.name])
                .apply(([topic, queue, deadLetterQueue, fn]) => ({ topic, queue, deadLetterQueue, function: fn })),
            settings: s,
        }, child);

        this.registerOutputs({
            topicArn: this.topic.arn,
            queueUrl: this.queue.url,
            deadLetterQueueUrl: this.deadLetterQueue.url,
            tableName: this.table.name,
            functionName: this.function.name,
            liveVersion: this.liveAlias.functionVersion,
            alertsTopicArn: this.alertsTopic.arn,
            dashboardName: this.dashboard.dashboardName,
        });
    }
}
