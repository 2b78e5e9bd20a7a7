// The order pipeline as one component: SNS topic → SQS queue (with its dead-letter queue) → Lambda
// function → DynamoDB table, with the permissions, the event source mapping and the alarms that join them.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, DEAD_LETTER_RETENTION_SECONDS, type PipelineSettings, physicalNames, validateSettings } from "./config";
import { type FunctionDefinition, readFunctionDefinition } from "./function-definition";
import type { FunctionBundle } from "./packaging";
import { functionPolicy, lambdaAssumeRolePolicy, orderQueuePolicy, redriveAllowPolicy, redrivePolicy } from "./policies";

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
}

export class OrderPipeline extends pulumi.ComponentResource {
    readonly table: aws.dynamodb.Table;
    readonly topic: aws.sns.Topic;
    readonly queue: aws.sqs.Queue;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly function: aws.lambda.Function;
    readonly eventSourceMapping: aws.lambda.EventSourceMapping;
    readonly alertsTopic: aws.sns.Topic;

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
            runtime: definition.runtime,
            handler: definition.handler,
            architectures: [s.functionArchitecture],
            memorySize: s.functionMemoryMb,
            timeout: s.functionTimeoutSeconds,
            role: role.arn,
            code: bundle.apply((b) => new pulumi.asset.FileArchive(b.zipPath)),
            sourceCodeHash: bundle.apply((b) => b.sha256),
            // FUNCTION_TIMEOUT_SECONDS lets the function answer before its timeout, failing only unfinished records.
            environment: { variables: { TABLE_NAME: this.table.name, FUNCTION_TIMEOUT_SECONDS: String(s.functionTimeoutSeconds) } },
            tracingConfig: { mode: "Active" },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            tags,
        }, { ...child, dependsOn: [logGroup, rolePolicy] });

        // The mapping checks the role's SQS permissions when it is created: the role policy comes first.
        this.eventSourceMapping = new aws.lambda.EventSourceMapping(`${name}-mapping`, {
            eventSourceArn: this.queue.arn,
            functionName: this.function.arn,
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
        }

        const alarm = (suffix: string, description: string, metric: {
            namespace: string;
            metricName: string;
            dimensions: Record<string, pulumi.Input<string>>;
            statistic: "Maximum" | "Sum";
            threshold: number;
        }) =>
            new aws.cloudwatch.MetricAlarm(`${name}-${suffix}`, {
                name: `${names.function}-${suffix}`,
                alarmDescription: description,
                ...metric,
                period: 60,
                evaluationPeriods: 1,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [this.alertsTopic.arn],
                okActions: [this.alertsTopic.arn],
                tags,
            }, child);

        alarm("dlq-not-empty", "Orders are in the dead-letter queue: inspect them, fix the cause, redrive (npm run dlq).", {
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: this.deadLetterQueue.name },
            statistic: "Maximum",
            threshold: 0,
        });
        alarm("queue-age", `The oldest order has waited more than ${s.queueAgeAlarmSeconds} s: the function is failing or too slow.`, {
            namespace: "AWS/SQS",
            metricName: "ApproximateAgeOfOldestMessage",
            dimensions: { QueueName: this.queue.name },
            statistic: "Maximum",
            threshold: s.queueAgeAlarmSeconds,
        });
        alarm("errors", "The order function failed invocations (not single bad orders: those are reported per record).", {
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: this.function.name },
            statistic: "Sum",
            threshold: 0,
        });
        alarm("throttles", "The order function was throttled: raise the account's concurrency or lower maximumConcurrency.", {
            namespace: "AWS/Lambda",
            metricName: "Throttles",
            dimensions: { FunctionName: this.function.name },
            statistic: "Sum",
            threshold: 0,
        });

        this.registerOutputs({
            topicArn: this.topic.arn,
            queueUrl: this.queue.url,
            deadLetterQueueUrl: this.deadLetterQueue.url,
            tableName: this.table.name,
            functionName: this.function.name,
            alertsTopicArn: this.alertsTopic.arn,
        });
    }
}
