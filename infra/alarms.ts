// The stack's alarms: what pages an on-call engineer, each with its threshold from the config and its section in
// docs/RUNBOOK.md (named after the alarm). Every alarm notifies the alerts topic, and again when it clears.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PipelineSettings } from "./config";
import { FUNCTION_METRICS_DIMENSION, FUNCTION_METRICS_NAMESPACE, ORDER_AGE_METRIC, type OutcomeMetric } from "./function-contract";

/** Where the runbook lives, from the repository root. */
export const RUNBOOK = "docs/RUNBOOK.md";

/** The resources the alarms watch, by physical name. */
export interface AlarmTargets {
    readonly queueName: pulumi.Input<string>;
    readonly deadLetterQueueName: pulumi.Input<string>;
    readonly functionName: pulumi.Input<string>;
}

/** One alarm, before it is a resource. */
export interface AlarmDefinition {
    /** Ends the alarm's name (`OrderProcessor-<stack>-<suffix>`) and names its runbook section. */
    readonly suffix: string;
    /** What it means, in a sentence; the runbook reference is appended. */
    readonly summary: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, pulumi.Input<string>>>;
    /** A plain statistic, or (for percentiles) extendedStatistic. */
    readonly statistic?: "Maximum" | "Sum";
    readonly extendedStatistic?: string;
    readonly periodSeconds: number;
    /** The alarm fires when the statistic is greater than this. */
    readonly threshold: number;
}

/** The runbook's heading for an alarm: its name with the stack left open, as one runbook serves every stack. */
export function runbookHeading(suffix: string): string {
    return `OrderProcessor-<stack>-${suffix}`;
}

/** The heading's anchor, as GitHub and most Markdown renderers make it (lower case, punctuation but `-` dropped). */
export function markdownAnchor(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-");
}

/**
 * Every alarm of a stack. The first four watch AWS's own metrics; the last three the function's EMF metrics, over
 * 5 minutes so that one bad batch does not page and one bad order still does (the thresholds say how many).
 */
export function alarmDefinitions(s: PipelineSettings, t: AlarmTargets): AlarmDefinition[] {
    const emf = { namespace: FUNCTION_METRICS_NAMESPACE, dimensions: { [FUNCTION_METRICS_DIMENSION]: t.functionName } };
    return [
        {
            suffix: "dlq-not-empty",
            summary: "Orders are in the dead-letter queue: inspect them, fix the cause, redrive (npm run dlq).",
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: t.deadLetterQueueName },
            statistic: "Maximum",
            periodSeconds: 60,
            threshold: 0,
        },
        {
            suffix: "queue-age",
            summary: `The oldest order has waited more than ${s.queueAgeAlarmSeconds} s: the function is failing or too slow.`,
            namespace: "AWS/SQS",
            metricName: "ApproximateAgeOfOldestMessage",
            dimensions: { QueueName: t.queueName },
            statistic: "Maximum",
            periodSeconds: 60,
            threshold: s.queueAgeAlarmSeconds,
        },
        {
            suffix: "errors",
            summary: "The order function failed invocations (not single bad orders: those are reported per record).",
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: t.functionName },
            statistic: "Sum",
            periodSeconds: 60,
            threshold: 0,
        },
        {
            suffix: "throttles",
            summary: "The order function was throttled: raise the account's concurrency or lower maximumConcurrency.",
            namespace: "AWS/Lambda",
            metricName: "Throttles",
            dimensions: { FunctionName: t.functionName },
            statistic: "Sum",
            periodSeconds: 60,
            threshold: 0,
        },
        {
            suffix: "invalid-orders",
            summary:
                `More than ${s.invalidOrdersAlarmThreshold} invalid orders arrived in 5 minutes: a producer publishes what can never be ` +
                "stored; each such message ends in the dead-letter queue.",
            ...emf,
            metricName: "Invalid" satisfies OutcomeMetric,
            statistic: "Sum",
            periodSeconds: 300,
            threshold: s.invalidOrdersAlarmThreshold,
        },
        {
            suffix: "order-lag",
            summary:
                `The orders' p99 age at their outcome passed ${s.orderLagAlarmSeconds} s over 5 minutes: the pipeline is behind ` +
                "(a backlog, orders backing off after failed writes, or a slow function).",
            ...emf,
            metricName: ORDER_AGE_METRIC,
            extendedStatistic: "p99",
            periodSeconds: 300,
            threshold: s.orderLagAlarmSeconds * 1000,
        },
        {
            suffix: "failed-writes",
            summary:
                `More than ${s.failedOrdersAlarmThreshold} order writes failed in 5 minutes: a dependency is failing; transient failures ` +
                "back off, the DLQ should stay empty.",
            ...emf,
            metricName: "Failed" satisfies OutcomeMetric,
            statistic: "Sum",
            periodSeconds: 300,
            threshold: s.failedOrdersAlarmThreshold,
        },
    ];
}

export interface AlarmsArgs {
    readonly settings: PipelineSettings;
    readonly targets: AlarmTargets;
    /** Starts every alarm's name, normally the function's physical name (`OrderProcessor-<stack>`). */
    readonly namePrefix: string;
    /** Notified when an alarm fires and when it clears. */
    readonly alertsTopicArn: pulumi.Input<string>;
    readonly tags?: Readonly<Record<string, string>>;
}

/** The stack's alarms, children of `opts.parent`. */
export function createAlarms(name: string, args: AlarmsArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm[] {
    return alarmDefinitions(args.settings, args.targets).map(
        (alarm) =>
            new aws.cloudwatch.MetricAlarm(`${name}-${alarm.suffix}`, {
                name: `${args.namePrefix}-${alarm.suffix}`,
                alarmDescription: `${alarm.summary} Runbook: ${RUNBOOK}#${markdownAnchor(runbookHeading(alarm.suffix))}`,
                namespace: alarm.namespace,
                metricName: alarm.metricName,
                dimensions: alarm.dimensions,
                statistic: alarm.statistic,
                extendedStatistic: alarm.extendedStatistic,
                threshold: alarm.threshold,
                period: alarm.periodSeconds,
                evaluationPeriods: 1,
                comparisonOperator: "GreaterThanThreshold",
                // No data is no orders, or a function that is not running: other alarms cover the latter.
                treatMissingData: "notBreaching",
                alarmActions: [args.alertsTopicArn],
                okActions: [args.alertsTopicArn],
                tags: { ...args.tags },
            }, opts),
    );
}
