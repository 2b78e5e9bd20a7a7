// The dev stack's pipeline component under Pulumi mocks: every resource and property the pipeline depends on. What the
// program adds (its packaging, its outputs) is program.test.ts's.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { readFunctionDefinition } from "../../infra/function-definition";
import { repositoryRoot } from "../../infra/repository";
import type { PolicyDocument } from "../../infra/policies";
import { SMOKE_COMMAND } from "../../infra/smoke-invocation";
import { ACCOUNT, dashboardProblems, placeholderBundle, REGION, buildStack, stackMetrics, type StackRun } from "./mock-stack";

const arn = {
    topic: `arn:aws:sns:${REGION}:${ACCOUNT}:OrderTopic-dev`,
    queue: `arn:aws:sqs:${REGION}:${ACCOUNT}:OrderQueue-dev`,
    dlq: `arn:aws:sqs:${REGION}:${ACCOUNT}:OrderDlq-dev`,
    table: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Orders-dev`,
    function: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:OrderProcessor-dev`,
    logGroup: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/OrderProcessor-dev`,
    alerts: `arn:aws:sns:${REGION}:${ACCOUNT}:OrderAlerts-dev`,
    role: `arn:aws:iam::${ACCOUNT}:role/OrderProcessor-dev`,
};

let run: StackRun;

before(async () => {
    run = await buildStack("dev");
});

describe("dev stack", () => {
    it("table is keyed by orderId, on demand, with point-in-time recovery and encryption, deletable in dev", () => {
        const table = run.one("aws:dynamodb/table:Table").inputs;
        assert.equal(table.name, "Orders-dev");
        assert.equal(table.billingMode, "PAY_PER_REQUEST");
        assert.equal(table.hashKey, "orderId");
        assert.deepEqual(table.attributes, [{ name: "orderId", type: "S" }]);
        assert.deepEqual(table.pointInTimeRecovery, { enabled: true });
        assert.deepEqual(table.serverSideEncryption, { enabled: true });
        assert.equal(table.deletionProtectionEnabled, false);
    });

    it("order topic is a standard topic named for the stack", () => {
        const topic = run.one("aws:sns/topic:Topic", "-topic").inputs;
        assert.equal(topic.name, "OrderTopic-dev");
        assert.equal(topic.fifoTopic, undefined);
    });

    it("dead-letter queue keeps messages 14 days, encrypted, and admits only the order queue", () => {
        const dlq = run.one("aws:sqs/queue:Queue", "-dlq").inputs;
        assert.equal(dlq.name, "OrderDlq-dev");
        assert.equal(dlq.messageRetentionSeconds, 1209600);
        assert.equal(dlq.sqsManagedSseEnabled, true);
        const allow = run.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").inputs;
        assert.equal(allow.queueUrl, `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/OrderDlq-dev`);
        assert.deepEqual(JSON.parse(allow.redriveAllowPolicy), { redrivePermission: "byQueue", sourceQueueArns: [arn.queue] });
    });

    it("order queue has a 30 s visibility timeout, SSE-SQS, and moves a message to the DLQ after 3 receives", () => {
        const queue = run.one("aws:sqs/queue:Queue", "-queue").inputs;
        assert.equal(queue.name, "OrderQueue-dev");
        assert.equal(queue.visibilityTimeoutSeconds, 30);
        assert.equal(queue.sqsManagedSseEnabled, true);
        assert.equal(queue.kmsMasterKeyId, undefined, "the aws/sqs KMS key would stop SNS from delivering");
        assert.deepEqual(JSON.parse(queue.redrivePolicy), { deadLetterTargetArn: arn.dlq, maxReceiveCount: 3 });
    });

    it("visibility timeout is at least six function timeouts plus the batching window", () => {
        const queue = run.one("aws:sqs/queue:Queue", "-queue").inputs;
        const fn = run.one("aws:lambda/function:Function").inputs;
        const mapping = run.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs;
        assert.ok(queue.visibilityTimeoutSeconds >= 6 * fn.timeout + mapping.maximumBatchingWindowInSeconds);
    });

    it("queue policy only lets the order topic send, and denies requests without TLS", () => {
        const policy = run.one("aws:sqs/queuePolicy:QueuePolicy", "-queue-policy").inputs;
        assert.equal(policy.queueUrl, `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/OrderQueue-dev`);
        const document = JSON.parse(policy.policy) as PolicyDocument;
        assert.deepEqual(document.Statement, [
            {
                Sid: "OrderTopicSends",
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: arn.queue,
                Condition: { ArnEquals: { "aws:SourceArn": arn.topic } },
            },
            {
                Sid: "DenyWithoutTls",
                Effect: "Deny",
                Principal: "*",
                Action: "sqs:*",
                Resource: arn.queue,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ]);
    });

    it("dead-letter queue policy allows nothing and denies requests without TLS", () => {
        const policy = run.one("aws:sqs/queuePolicy:QueuePolicy", "-dlq-policy").inputs;
        assert.equal(policy.queueUrl, `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/OrderDlq-dev`);
        assert.deepEqual((JSON.parse(policy.policy) as PolicyDocument).Statement, [
            { Sid: "DenyWithoutTls", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: arn.dlq, Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ]);
    });

    it("subscription delivers the order topic to the order queue, envelope kept (raw delivery off)", () => {
        const subscription = run.one("aws:sns/topicSubscription:TopicSubscription", "-subscription").inputs;
        assert.equal(subscription.topic, arn.topic);
        assert.equal(subscription.protocol, "sqs");
        assert.equal(subscription.endpoint, arn.queue);
        assert.equal(subscription.rawMessageDelivery, false);
    });

    it("function role is assumable by Lambda only", () => {
        const role = run.one("aws:iam/role:Role").inputs;
        assert.equal(role.name, "OrderProcessor-dev");
        assert.deepEqual(JSON.parse(role.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [{ Sid: "LambdaAssumesRole", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
    });

    it("inline policy grants each action on the exact resource, and * only to X-Ray", () => {
        const rolePolicy = run.one("aws:iam/rolePolicy:RolePolicy").inputs;
        assert.equal(rolePolicy.role, "orders-role-id");
        const statements = (JSON.parse(rolePolicy.policy) as PolicyDocument).Statement.map((s) => ({ Action: s.Action, Resource: s.Resource }));
        assert.deepEqual(statements, [
            { Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: [arn.table] },
            { Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], Resource: [arn.queue] },
            { Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${arn.logGroup}:*`] },
            { Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: ["*"] },
        ]);
    });

    it("log group is the function's, with the configured retention", () => {
        const logGroup = run.one("aws:cloudwatch/logGroup:LogGroup").inputs;
        assert.equal(logGroup.name, "/aws/lambda/OrderProcessor-dev");
        assert.equal(logGroup.retentionInDays, 14);
    });

    it("function runs a Native AOT bootstrap on provided.al2023 arm64, with tracing and JSON logs", () => {
        const fn = run.one("aws:lambda/function:Function").inputs;
        assert.equal(fn.name, "OrderProcessor-dev");
        assert.equal(fn.runtime, "provided.al2023");
        assert.equal(fn.handler, "bootstrap");
        assert.deepEqual(fn.architectures, ["arm64"]);
        assert.equal(fn.memorySize, 512);
        assert.equal(fn.timeout, 5);
        assert.equal(fn.role, arn.role);
        assert.deepEqual(fn.tracingConfig, { mode: "Active" });
        assert.equal(fn.sourceCodeHash, placeholderBundle().sha256, "the bundle it is given (what the program packages: program.test.ts)");
    });

    it("function gets its table, its time budget and the retry backoff from the config", () => {
        const fn = run.one("aws:lambda/function:Function").inputs;
        assert.deepEqual(fn.environment, {
            variables: {
                TABLE_NAME: "Orders-dev",
                FUNCTION_TIMEOUT_SECONDS: "5",
                ORDER_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/OrderQueue-dev",
                RETRY_BACKOFF_BASE_SECONDS: "480",
                RETRY_BACKOFF_MAX_SECONDS: "540",
            },
        });
    });

    it("function logs JSON to its log group, application lines from logLevel INFO, Lambda's own from INFO", () => {
        assert.deepEqual(run.one("aws:lambda/function:Function").inputs.loggingConfig, {
            logFormat: "JSON",
            applicationLogLevel: "INFO",
            systemLogLevel: "INFO",
            logGroup: "/aws/lambda/OrderProcessor-dev",
        });
    });

    it("functionRuntime managed deploys dotnet10 with the one handler string; logLevel and the backoff reach the function", async () => {
        const managed = await buildStack(
            "dev",
            { "order-pipeline:functionRuntime": "managed", "order-pipeline:logLevel": "DEBUG", "order-pipeline:retryBackoffBaseSeconds": "60" },
            { bundle: placeholderBundle("arm64", "managed") },
        );
        const fn = managed.one("aws:lambda/function:Function").inputs;
        assert.equal(fn.runtime, "dotnet10");
        assert.equal(fn.handler, readFunctionDefinition().handler);
        assert.equal(fn.loggingConfig.applicationLogLevel, "DEBUG");
        assert.equal(fn.environment.variables.RETRY_BACKOFF_BASE_SECONDS, "60");
        assert.equal(fn.environment.variables.RETRY_BACKOFF_MAX_SECONDS, "540");
    });

    it("event source mapping feeds the queue to the function in batches of 10 and reports item failures", () => {
        const mapping = run.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs;
        assert.equal(mapping.eventSourceArn, arn.queue);
        assert.equal(mapping.functionName, `${arn.function}:live`, "the alias live, never $LATEST");
        assert.equal(mapping.batchSize, 10);
        assert.equal(mapping.maximumBatchingWindowInSeconds, 0);
        assert.deepEqual(mapping.functionResponseTypes, ["ReportBatchItemFailures"]);
        assert.deepEqual(mapping.scalingConfig, { maximumConcurrency: 2 });
    });

    it("the function publishes a version for every change of code or configuration", () => {
        assert.equal(run.one("aws:lambda/function:Function").inputs.publish, true);
    });

    it("each new version gets a smoke invocation through Lambda's Invoke API before the alias moves", () => {
        const check = run.one("command:local:Command", "-smoke-check").inputs;
        assert.equal(check.create, SMOKE_COMMAND);
        assert.equal(check.dir, repositoryRoot);
        assert.deepEqual(check.environment, { SMOKE_FUNCTION_NAME: "OrderProcessor-dev", SMOKE_QUALIFIER: "7", AWS_REGION: REGION });
        assert.deepEqual(check.triggers, ["7"], "run again for every new version");
    });

    it("the alias live points at the version the smoke check ran against", () => {
        const alias = run.one("aws:lambda/alias:Alias").inputs;
        assert.deepEqual([alias.name, alias.functionName, alias.functionVersion], ["live", "OrderProcessor-dev", "7"]);
    });

    it("alarms watch the DLQ, the queue age, errors, throttles, invalid orders, the lag and failed writes, and alert the alerts topic", () => {
        const alarms = run.all("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
        const summary = alarms.map((a) => [a.name, a.namespace, a.metricName, a.dimensions, a.statistic ?? a.extendedStatistic, a.period, a.comparisonOperator, a.threshold]);
        const fn = { FunctionName: "OrderProcessor-dev" };
        assert.deepEqual(summary, [
            ["OrderProcessor-dev-dlq-not-empty", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "OrderDlq-dev" }, "Maximum", 60, "GreaterThanThreshold", 0],
            ["OrderProcessor-dev-queue-age", "AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: "OrderQueue-dev" }, "Maximum", 60, "GreaterThanThreshold", 300],
            ["OrderProcessor-dev-errors", "AWS/Lambda", "Errors", fn, "Sum", 60, "GreaterThanThreshold", 0],
            ["OrderProcessor-dev-throttles", "AWS/Lambda", "Throttles", fn, "Sum", 60, "GreaterThanThreshold", 0],
            ["OrderProcessor-dev-invalid-orders", "OrderPipeline", "Invalid", fn, "Sum", 300, "GreaterThanThreshold", 0],
            ["OrderProcessor-dev-order-lag", "OrderPipeline", "OrderAgeMs", fn, "p99", 300, "GreaterThanThreshold", 60000],
            ["OrderProcessor-dev-failed-writes", "OrderPipeline", "Failed", fn, "Sum", 300, "GreaterThanThreshold", 10],
        ]);
        for (const alarm of alarms) {
            assert.equal(alarm.evaluationPeriods, 1);
            assert.equal(alarm.treatMissingData, "notBreaching");
            assert.ok(!(alarm.statistic && alarm.extendedStatistic), `${alarm.name}: CloudWatch takes a statistic or an extended statistic, not both`);
            assert.deepEqual(alarm.alarmActions, [arn.alerts]);
            assert.deepEqual(alarm.okActions, [arn.alerts]);
            assert.match(alarm.alarmDescription, new RegExp(`Runbook: docs/RUNBOOK\\.md#orderprocessor-stack-${alarm.name.slice("OrderProcessor-dev-".length)}$`));
        }
        assert.equal(run.one("aws:sns/topic:Topic", "-alerts").inputs.name, "OrderAlerts-dev");
        assert.equal(run.all("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.protocol === "email").length, 0);
    });

    it("alarm thresholds follow the config", async () => {
        const tuned = await buildStack(
            "dev",
            {
                "order-pipeline:queueAgeAlarmSeconds": "900",
                "order-pipeline:invalidOrdersAlarmThreshold": "3",
                "order-pipeline:orderLagAlarmSeconds": "120",
                "order-pipeline:failedOrdersAlarmThreshold": "50",
            },
            { bundle: placeholderBundle() },
        );
        const thresholds = Object.fromEntries(tuned.all("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.inputs.name, a.inputs.threshold]));
        assert.deepEqual(thresholds, {
            "OrderProcessor-dev-dlq-not-empty": 0,
            "OrderProcessor-dev-queue-age": 900,
            "OrderProcessor-dev-errors": 0,
            "OrderProcessor-dev-throttles": 0,
            "OrderProcessor-dev-invalid-orders": 3,
            "OrderProcessor-dev-order-lag": 120000,
            "OrderProcessor-dev-failed-writes": 50,
        });
    });

    it("dashboard OrderPipeline-dev is a valid body whose every widget shows a metric of this stack", () => {
        const dashboard = run.one("aws:cloudwatch/dashboard:Dashboard").inputs;
        assert.equal(dashboard.dashboardName, "OrderPipeline-dev");
        assert.deepEqual(dashboardProblems(dashboard.dashboardBody, stackMetrics("dev"), REGION), []);
    });

    it("dashboard shows what an operator needs: publishes, queue depth and age, DLQ, invocations, errors, throttles, duration, concurrency, outcomes, lag", () => {
        const body = JSON.parse(run.one("aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody) as {
            widgets: { type: string; properties: { metrics?: unknown[][]; stacked?: boolean } }[];
        };
        const shown = body.widgets.flatMap((w) =>
            (w.properties.metrics ?? []).map((m) => {
                const options = m.at(-1) as { stat?: string } | string;
                return `${m[0]} ${m[1]}${typeof options === "object" && options.stat ? ` ${options.stat}` : ""}`;
            }),
        );
        for (const expected of [
            "AWS/SNS NumberOfMessagesPublished Sum",
            "AWS/SQS ApproximateNumberOfMessagesVisible Maximum",
            "AWS/SQS ApproximateAgeOfOldestMessage Maximum",
            "AWS/Lambda Invocations Sum",
            "AWS/Lambda Errors Sum",
            "AWS/Lambda Throttles Sum",
            "AWS/Lambda Duration p50",
            "AWS/Lambda Duration p99",
            "AWS/Lambda ConcurrentExecutions Maximum",
            "OrderPipeline Stored Sum",
            "OrderPipeline Duplicate Sum",
            "OrderPipeline Stale Sum",
            "OrderPipeline Conflict Sum",
            "OrderPipeline Invalid Sum",
            "OrderPipeline Failed Sum",
            "OrderPipeline OrderAgeMs p50",
            "OrderPipeline OrderAgeMs p99",
        ]) {
            assert.ok(shown.includes(expected), `the dashboard lacks ${expected}`);
        }
        const outcomes = body.widgets.find((w) => (w.properties.metrics ?? []).some((m) => m[0] === "OrderPipeline" && m[1] === "Stored"));
        assert.equal(outcomes?.properties.stacked, true, "the outcomes are stacked counts");
        const dlq = body.widgets.some((w) => (w.properties.metrics ?? []).some((m) => m[1] === "ApproximateNumberOfMessagesVisible" && m[3] === "OrderDlq-dev"));
        assert.ok(dlq, "the dashboard lacks the DLQ's depth");
    });

    it("every resource is a child of the pipeline component", () => {
        const component = run.one("order-pipeline:index:OrderPipeline");
        assert.equal(component.name, "orders");
        const children = run.resources.filter((r) => r.type.startsWith("aws:"));
        assert.ok(children.length >= 16, `only ${children.length} AWS resources`);
        for (const child of children) assert.ok(child.name.startsWith("orders-"), child.name);
    });
});
