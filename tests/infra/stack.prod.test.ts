// The prod stack under Pulumi mocks: what differs from dev, and that nothing collides with dev.
import assert from "node:assert/strict";
import { before, describe, it, mock } from "node:test";
import { NO_ALARM_EMAIL_WARNING } from "../../infra/order-pipeline";
import { physicalNames } from "../../infra/naming";
import { dashboardProblems, REGION, buildStack, stackMetrics, type StackRun } from "./mock-stack";

let run: StackRun;
/** What the program warned: under mocks, with no engine, pulumi.log.warn writes to console.warn. */
const warnings: string[] = [];

before(async () => {
    mock.method(console, "warn", (...args: unknown[]) => void warnings.push(args.map(String).join(" ")));
    run = await buildStack("prod");
});

describe("prod stack", () => {
    it("table has deletion protection", () => {
        assert.equal(run.one("aws:dynamodb/table:Table").inputs.deletionProtectionEnabled, true);
    });

    it("logs are kept 90 days", () => {
        assert.equal(run.one("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 90);
    });

    it("event source runs up to 20 invocations at once", () => {
        assert.deepEqual(run.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs.scalingConfig, { maximumConcurrency: 20 });
    });

    it("queue semantics are the same as dev: 30 s visibility timeout, DLQ after 3 receives", () => {
        const queue = run.one("aws:sqs/queue:Queue", "-queue").inputs;
        assert.equal(queue.visibilityTimeoutSeconds, 30);
        assert.equal(JSON.parse(queue.redrivePolicy).maxReceiveCount, 3);
    });

    it("ships no placeholder alarm address: no email subscription, and the preview warns that no one is notified", () => {
        assert.equal(run.all("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.protocol === "email").length, 0);
        assert.ok(warnings.some((w) => w.includes(NO_ALARM_EMAIL_WARNING)), `warnings: ${warnings.join(" | ")}`);
    });

    it("a configured alarm email is subscribed to the alerts topic, with no warning", async () => {
        warnings.length = 0;
        const withEmail = await buildStack("prod", { "order-pipeline:alarmEmail": "oncall@example.org" });
        const email = withEmail.one("aws:sns/topicSubscription:TopicSubscription", "-alerts-email").inputs;
        assert.equal(email.protocol, "email");
        assert.equal(email.endpoint, "oncall@example.org");
        assert.equal(email.topic, "arn:aws:sns:us-east-1:123456789012:OrderAlerts-prod");
        assert.equal(warnings.filter((w) => w.includes(NO_ALARM_EMAIL_WARNING)).length, 0);
    });

    it("alarms watch prod's own resources, with the thresholds of Pulumi.prod.yaml, and alert prod's alerts topic", () => {
        const fn = { FunctionName: "OrderProcessor-prod" };
        const alarms = run.all("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
        assert.deepEqual(
            alarms.map((a) => [a.name, a.namespace, a.metricName, a.dimensions, a.statistic ?? a.extendedStatistic, a.threshold]),
            [
                ["OrderProcessor-prod-dlq-not-empty", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "OrderDlq-prod" }, "Maximum", 0],
                ["OrderProcessor-prod-queue-age", "AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: "OrderQueue-prod" }, "Maximum", 300],
                ["OrderProcessor-prod-errors", "AWS/Lambda", "Errors", fn, "Sum", 0],
                ["OrderProcessor-prod-throttles", "AWS/Lambda", "Throttles", fn, "Sum", 0],
                ["OrderProcessor-prod-invalid-orders", "OrderPipeline", "Invalid", fn, "Sum", 0],
                ["OrderProcessor-prod-order-lag", "OrderPipeline", "OrderAgeMs", fn, "p99", 60000],
                ["OrderProcessor-prod-failed-writes", "OrderPipeline", "Failed", fn, "Sum", 10],
            ],
        );
        for (const alarm of alarms) {
            assert.deepEqual(alarm.alarmActions, ["arn:aws:sns:us-east-1:123456789012:OrderAlerts-prod"]);
            assert.deepEqual(alarm.okActions, ["arn:aws:sns:us-east-1:123456789012:OrderAlerts-prod"]);
        }
    });

    it("dashboard OrderPipeline-prod is a valid body whose every widget shows a metric of prod, none of dev", () => {
        const dashboard = run.one("aws:cloudwatch/dashboard:Dashboard").inputs;
        assert.equal(dashboard.dashboardName, "OrderPipeline-prod");
        assert.deepEqual(dashboardProblems(dashboard.dashboardBody, stackMetrics("prod"), REGION), []);
        assert.ok(!dashboard.dashboardBody.includes("-dev"), "the prod dashboard names a dev resource");
    });

    it("function gets prod's log level and retry backoff", () => {
        const fn = run.one("aws:lambda/function:Function").inputs;
        assert.equal(fn.loggingConfig.applicationLogLevel, "INFO");
        assert.equal(fn.environment.variables.RETRY_BACKOFF_BASE_SECONDS, "480");
        assert.equal(fn.environment.variables.RETRY_BACKOFF_MAX_SECONDS, "540");
    });

    it("physical names carry the stack and none is dev's", () => {
        // An alias's name is scoped to its function, whose name carries the stack.
        const alias = run.one("aws:lambda/alias:Alias").inputs;
        assert.deepEqual([alias.name, alias.functionName], ["live", "OrderProcessor-prod"]);
        const named = run.resources
            .filter((r) => r.type !== "aws:lambda/alias:Alias")
            .map((r) => r.inputs.name ?? r.inputs.dashboardName)
            .filter((name): name is string => typeof name === "string");
        const dev = new Set<string>([...Object.values(physicalNames("dev")), "/aws/lambda/OrderProcessor-dev"]);
        assert.ok(named.includes("OrderPipeline-prod"), "the dashboard's name is checked too");
        assert.ok(named.length >= 10, `only ${named.length} named resources`);
        for (const name of named) {
            assert.match(name, /-prod(-|$)/);
            assert.ok(!dev.has(name), `${name} is also a dev name`);
        }
    });
});
