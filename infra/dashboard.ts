// The stack's CloudWatch dashboard: what an operator looks at first. The body is a pure function of the resources'
// names, so the tests check every widget against what this stack really produces. Its format:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PipelineSettings } from "./config";
import { BATCH_SIZE_METRIC, FUNCTION_METRICS_DIMENSION, FUNCTION_METRICS_NAMESPACE, ORDER_AGE_METRIC, OUTCOME_METRICS } from "./function-contract";

/** The physical names the dashboard's metrics are about. */
export interface DashboardResources {
    readonly topic: string;
    readonly queue: string;
    readonly deadLetterQueue: string;
    readonly function: string;
}

/** A metric's rendering properties, the optional last element of its array. */
export interface MetricOptions {
    readonly stat?: string;
    readonly label?: string;
    readonly yAxis?: "left" | "right";
    readonly color?: string;
}

/** [Namespace, MetricName, DimensionName, DimensionValue, …, options?]: the body's format for one metric. */
export type MetricLine = readonly (string | MetricOptions)[];

export interface MetricWidget {
    readonly type: "metric";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: {
        readonly title: string;
        readonly region: string;
        readonly view: "timeSeries";
        readonly stacked: boolean;
        readonly period: number;
        readonly metrics: readonly MetricLine[];
        readonly annotations?: { readonly horizontal: readonly { readonly label: string; readonly value: number; readonly yAxis?: "left" | "right" }[] };
        readonly yAxis?: { readonly left?: { readonly min?: number; readonly label?: string }; readonly right?: { readonly min?: number; readonly label?: string } };
    };
}

export interface TextWidget {
    readonly type: "text";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: { readonly markdown: string };
}

export interface DashboardBody {
    readonly start: string;
    readonly periodOverride: "auto" | "inherit";
    readonly widgets: readonly (MetricWidget | TextWidget)[];
}

/** The stack's region (aws:region, or AWS_REGION): the widgets must name it. */
export function stackRegion(): string {
    const region = aws.config.region;
    if (!region) throw new Error("the dashboard's metric widgets need the stack's region: pulumi config set aws:region <region>");
    return region;
}

/** The console address of a dashboard. */
export function dashboardConsoleUrl(dashboardName: pulumi.Input<string>, region: string = stackRegion()): pulumi.Output<string> {
    return pulumi
        .output(dashboardName)
        .apply((name) => `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`);
}

/**
 * The dashboard of one stack: orders published; the queue's depth, in-flight count and oldest age; the DLQ's depth;
 * the outcomes as stacked counts; the orders' age p50/p99; the function's invocations, errors, throttles, duration
 * p50/p99, concurrency and batch size. Alarm thresholds are drawn as lines on the graphs they watch.
 */
export function dashboardBody(
    names: DashboardResources,
    s: Pick<PipelineSettings, "queueAgeAlarmSeconds" | "orderLagAlarmSeconds">,
    region: string,
): DashboardBody {
    const sns = (metricName: string, options: MetricOptions): MetricLine => ["AWS/SNS", metricName, "TopicName", names.topic, options];
    const sqs = (queue: string, metricName: string, options: MetricOptions): MetricLine => ["AWS/SQS", metricName, "QueueName", queue, options];
    const lambda = (metricName: string, options: MetricOptions): MetricLine => ["AWS/Lambda", metricName, "FunctionName", names.function, options];
    const emf = (metricName: string, options: MetricOptions): MetricLine => [
        FUNCTION_METRICS_NAMESPACE,
        metricName,
        FUNCTION_METRICS_DIMENSION,
        names.function,
        options,
    ];
    const graph = (
        position: { x: number; y: number; width: number; height?: number },
        title: string,
        metrics: readonly MetricLine[],
        extra: Partial<Pick<MetricWidget["properties"], "stacked" | "annotations" | "yAxis">> = {},
    ): MetricWidget => ({
        type: "metric",
        x: position.x,
        y: position.y,
        width: position.width,
        height: position.height ?? 6,
        properties: { title, region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra },
    });

    return {
        start: "-PT3H",
        periodOverride: "auto",
        widgets: [
            {
                type: "text",
                x: 0,
                y: 0,
                width: 24,
                height: 2,
                properties: {
                    markdown:
                        `## Order pipeline: ${names.topic} → ${names.queue} → ${names.function}\n` +
                        `Every alarm of this stack has a section in docs/RUNBOOK.md (what it means, what to look at, how to recover). ` +
                        `Dead-letter queue: ${names.deadLetterQueue}; \`npm run dlq -- list --stack <stack> --aws\` shows why each message is there.`,
                },
            },
            graph({ x: 0, y: 2, width: 8 }, "Orders published", [sns("NumberOfMessagesPublished", { stat: "Sum", label: "published" })]),
            graph(
                { x: 8, y: 2, width: 8 },
                "Order queue: depth and oldest order",
                [
                    sqs(names.queue, "ApproximateNumberOfMessagesVisible", { stat: "Maximum", label: "waiting" }),
                    sqs(names.queue, "ApproximateNumberOfMessagesNotVisible", { stat: "Maximum", label: "in flight or backing off" }),
                    sqs(names.queue, "ApproximateAgeOfOldestMessage", { stat: "Maximum", label: "oldest (s)", yAxis: "right" }),
                ],
                {
                    annotations: { horizontal: [{ label: "queue-age alarm", value: s.queueAgeAlarmSeconds, yAxis: "right" }] },
                    yAxis: { left: { min: 0, label: "messages" }, right: { min: 0, label: "seconds" } },
                },
            ),
            graph({ x: 16, y: 2, width: 8 }, "Dead-letter queue depth", [
                sqs(names.deadLetterQueue, "ApproximateNumberOfMessagesVisible", { stat: "Maximum", label: "in the DLQ" }),
            ]),
            graph(
                { x: 0, y: 8, width: 12 },
                "Record outcomes",
                OUTCOME_METRICS.map((metric) => emf(metric, { stat: "Sum", label: metric.toLowerCase() })),
                { stacked: true },
            ),
            graph(
                { x: 12, y: 8, width: 12 },
                "Order age at outcome (ms)",
                [emf(ORDER_AGE_METRIC, { stat: "p50", label: "p50" }), emf(ORDER_AGE_METRIC, { stat: "p99", label: "p99" })],
                { annotations: { horizontal: [{ label: "order-lag alarm (p99)", value: s.orderLagAlarmSeconds * 1000 }] } },
            ),
            graph({ x: 0, y: 14, width: 6 }, "Invocations, errors, throttles", [
                lambda("Invocations", { stat: "Sum", label: "invocations" }),
                lambda("Errors", { stat: "Sum", label: "errors" }),
                lambda("Throttles", { stat: "Sum", label: "throttles" }),
            ]),
            graph({ x: 6, y: 14, width: 6 }, "Duration (ms)", [
                lambda("Duration", { stat: "p50", label: "p50" }),
                lambda("Duration", { stat: "p99", label: "p99" }),
            ]),
            graph({ x: 12, y: 14, width: 6 }, "Concurrent executions", [lambda("ConcurrentExecutions", { stat: "Maximum", label: "concurrent" })]),
            graph({ x: 18, y: 14, width: 6 }, "Batch size", [
                emf(BATCH_SIZE_METRIC, { stat: "Average", label: "average" }),
                emf(BATCH_SIZE_METRIC, { stat: "Maximum", label: "largest" }),
            ]),
        ],
    };
}

export interface DashboardArgs {
    /** The dashboard's name, normally `OrderPipeline-<stack>` (physicalNames). */
    readonly dashboardName: string;
    /** The resources' physical names, as the stack's outputs give them. */
    readonly resources: pulumi.Input<DashboardResources>;
    readonly settings: Pick<PipelineSettings, "queueAgeAlarmSeconds" | "orderLagAlarmSeconds">;
    /** The metrics' region. Default: the stack's aws:region. */
    readonly region?: string;
}

/** The stack's dashboard, a child of `opts.parent`. */
export function createDashboard(name: string, args: DashboardArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.Dashboard {
    const region = args.region ?? stackRegion();
    return new aws.cloudwatch.Dashboard(`${name}-dashboard`, {
        dashboardName: args.dashboardName,
        dashboardBody: pulumi.output(args.resources).apply((resources) => JSON.stringify(dashboardBody(resources, args.settings, region))),
    }, opts);
}
