// Builds a stack's pipeline component under Pulumi's mocks, for one stack's config file, and records every resource it
// registers. An unexpected provider call fails the run. The program itself (infra/index.ts: its packaging choice and
// its outputs) runs in a process of its own: tests/infra/run-program.ts.
import * as pulumi from "@pulumi/pulumi";
import { loadSettings, PROJECT } from "../../infra/config";
import type { FunctionBundle } from "../../infra/packaging";
import { createStack, stackOutputs } from "../../infra/program";
import { readStackFile } from "../../infra/stack-file";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly inputs: Record<string, any>;
    /** What the mock answered for it, as AWS would after creating it: the inputs plus ARNs, URLs and names. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly state: Record<string, any>;
}

export interface StackRun {
    readonly resources: readonly RecordedResource[];
    readonly outputs: Record<string, unknown>;
    /** The one resource of this type (and logical name suffix, when given); throws when there is not exactly one. */
    one(type: string, nameSuffix?: string): RecordedResource;
    all(type: string): RecordedResource[];
}

/** What AWS would report for a new resource: ARNs and URLs built from its physical name. */
export function fakeState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const physical = (inputs.name as string | undefined) ?? name;
    switch (type) {
        case "aws:sqs/queue:Queue":
            return { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${physical}`, url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}`, name: physical };
        case "aws:sns/topic:Topic":
            return { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${physical}`, name: physical };
        case "aws:dynamodb/table:Table":
            return { arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physical}`, name: physical };
        case "aws:lambda/function:Function":
            // A published function: its newest version, as Lambda numbers them.
            return { arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical}`, name: physical, version: "7", qualifiedArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical}:7` };
        case "aws:lambda/alias:Alias":
            return { arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${String(inputs.functionName)}:${physical}`, name: physical };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physical}`, name: physical };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::${ACCOUNT}:role/${physical}`, name: physical };
        default:
            return {};
    }
}

/** Resolves an output the way a test must before asserting on it. */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((done) => output.apply((value) => { done(value); return value; }));
}

export interface BuildOptions {
    /**
     * The bundle the function deploys. Default: a stand-in for the stack's runtime and architecture, never read under
     * mocks, so that tests about everything but the function's code need neither the .NET SDK nor a native toolchain.
     * What the program itself packages is tests/infra/program.test.ts's (it runs infra/index.ts).
     */
    readonly bundle?: FunctionBundle;
}

/** A stand-in bundle for BuildOptions.bundle: a path that is never read under mocks. */
export function placeholderBundle(architecture: FunctionBundle["architecture"] = "arm64", runtime: FunctionBundle["runtime"] = "aot"): FunctionBundle {
    return {
        directory: `/placeholder/OrderProcessor-${runtime}-${architecture}`,
        zipPath: `/placeholder/OrderProcessor-${runtime}-${architecture}.zip`,
        sha256: "cGxhY2Vob2xkZXI=",
        zipBytes: 0,
        runtime,
        architecture,
        readyToRun: false,
        reused: true,
    };
}

/**
 * Sets Pulumi's mocks to record every resource registered, answering as AWS would (fakeState); a provider call fails,
 * and so does the creation of a resource of a `failing` type, as a provider error would fail it.
 */
export async function recordResources(stack: string, config: Readonly<Record<string, string>>, failing: ReadonlySet<string> = new Set()): Promise<RecordedResource[]> {
    const resources: RecordedResource[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                if (failing.has(args.type)) {
                    resources.push({ type: args.type, name: args.name, inputs: args.inputs, state: {} });
                    throw new Error(`${args.name}: OrderProcessor-${stack} version 7 failed its smoke invocation`);
                }
                const state = { ...args.inputs, ...fakeState(args.type, args.name, args.inputs) };
                resources.push({ type: args.type, name: args.name, inputs: args.inputs, state });
                return { id: `${args.name}-id`, state };
            },
            call: (args) => {
                throw new Error(`unexpected provider call ${args.token}: the stack must not look anything up`);
            },
        },
        PROJECT,
        stack,
        false,
    );
    pulumi.runtime.setAllConfig({ ...config });
    return resources;
}

/**
 * Builds `stack`'s pipeline (infra/program.ts, as the program does) under Pulumi's mocks, from its Pulumi.<stack>.yaml
 * plus `overrides`, and waits until every resource is registered and every output resolved. A bad config throws the
 * ConfigError the program would.
 */
export async function buildStack(stack: string, overrides: Readonly<Record<string, string>> = {}, options: BuildOptions = {}): Promise<StackRun> {
    const config = { ...readStackFile(stack), ...overrides };
    const settings = loadSettings(config);
    const resources = await recordResources(stack, config);
    const pipeline = createStack(stack, settings, options.bundle ?? placeholderBundle(settings.functionArchitecture, settings.functionRuntime), config["aws:region"]);
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(stackOutputs(pipeline))) outputs[key] = await resolve(value);
    // Every registration the component started, those that waited on other outputs included, has reached the mocks.
    await pulumi.runtime.disconnect();

    const all = (type: string) => resources.filter((r) => r.type === type);
    return {
        resources,
        outputs,
        all,
        one: (type, nameSuffix) => {
            const found = all(type).filter((r) => nameSuffix === undefined || r.name.endsWith(nameSuffix));
            if (found.length !== 1) throw new Error(`expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${found.length}`);
            return found[0]!;
        },
    };
}

// The dashboard's body, judged against its documented structure
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html) and
// against the metrics a stack really produces. Written here, not taken from infra/, so that the two can disagree.

/** A metric a stack produces: its namespace, name and the one dimension it is published with. */
export interface ProducedMetric {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimension: readonly [name: string, value: string];
}

/**
 * Every metric a stack's resources produce that a dashboard may show: SNS, SQS and Lambda's own per-resource metrics
 * (of this stack's topic, queues and function only), and the function's EMF metrics (namespace OrderPipeline,
 * dimension FunctionName = the function's physical name).
 */
export function stackMetrics(stack: string): ProducedMetric[] {
    const topic = `OrderTopic-${stack}`;
    const queues = [`OrderQueue-${stack}`, `OrderDlq-${stack}`];
    const fn = `OrderProcessor-${stack}`;
    const sns = ["NumberOfMessagesPublished", "NumberOfNotificationsDelivered", "NumberOfNotificationsFailed", "PublishSize"];
    const sqs = [
        "ApproximateNumberOfMessagesVisible",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "ApproximateAgeOfOldestMessage",
        "NumberOfMessagesSent",
        "NumberOfMessagesReceived",
        "NumberOfMessagesDeleted",
        "NumberOfEmptyReceives",
        "SentMessageSize",
    ];
    const lambda = ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"];
    const emf = ["Stored", "Duplicate", "Stale", "Conflict", "Invalid", "Failed", "BatchSize", "OrderAgeMs"];
    return [
        ...sns.map((metricName) => ({ namespace: "AWS/SNS", metricName, dimension: ["TopicName", topic] as const })),
        ...queues.flatMap((queue) => sqs.map((metricName) => ({ namespace: "AWS/SQS", metricName, dimension: ["QueueName", queue] as const }))),
        ...lambda.map((metricName) => ({ namespace: "AWS/Lambda", metricName, dimension: ["FunctionName", fn] as const })),
        ...emf.map((metricName) => ({ namespace: "OrderPipeline", metricName, dimension: ["FunctionName", fn] as const })),
    ];
}

const RENDERING_PROPERTIES = new Set(["accountId", "color", "id", "label", "period", "region", "stat", "visible", "yAxis"]);
const STAT = /^(SampleCount|Average|Sum|Minimum|Maximum|p\d{1,2}(\.\d+)?|p100)$/;

/**
 * Every problem with a dashboard body, as sentences; empty when it is valid and shows only `produced` metrics. Checks
 * the overall structure (a widgets array; each widget's type, position and size within the 24-column grid, none
 * overlapping), each metric widget's properties (region, a metrics array of 1–100), and each metric's array:
 * [Namespace, MetricName, DimensionName, DimensionValue, …, {rendering properties}?].
 */
export function dashboardProblems(bodyJson: string, produced: readonly ProducedMetric[], region: string): string[] {
    const problems: string[] = [];
    let body: { widgets?: unknown };
    try {
        body = JSON.parse(bodyJson) as { widgets?: unknown };
    } catch (error) {
        return [`the body is not JSON: ${String(error)}`];
    }
    if (!Array.isArray(body.widgets)) return ["the body has no widgets array"];
    if (body.widgets.length > 500) problems.push(`${body.widgets.length} widgets; a dashboard holds at most 500`);
    const cells = new Map<string, number>();
    body.widgets.forEach((raw, index) => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const w = raw as Record<string, any>;
        const where = `widget ${index}${typeof w.properties?.title === "string" ? ` ("${w.properties.title}")` : ""}`;
        if (!["metric", "text"].includes(w.type)) problems.push(`${where}: type ${JSON.stringify(w.type)} is not one this stack uses (metric, text)`);
        const whole = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
        if (!whole(w.x, 0, 23) || !whole(w.width, 1, 24) || (w.x as number) + (w.width as number) > 24) problems.push(`${where}: x ${w.x} and width ${w.width} leave the 24 columns`);
        if (!whole(w.y, 0, 10000) || !whole(w.height, 1, 1000)) problems.push(`${where}: y ${w.y} or height ${w.height} out of range`);
        let overlap: string | undefined;
        for (let x = w.x as number; x < (w.x as number) + (w.width as number); x++) {
            for (let y = w.y as number; y < (w.y as number) + (w.height as number); y++) {
                const other = cells.get(`${x},${y}`);
                if (other !== undefined) overlap ??= `${where} overlaps widget ${other} at column ${x}, row ${y}`;
                cells.set(`${x},${y}`, index);
            }
        }
        if (overlap) problems.push(overlap);
        if (typeof w.properties !== "object" || w.properties === null) {
            problems.push(`${where}: no properties`);
            return;
        }
        if (w.type === "text") {
            if (typeof w.properties.markdown !== "string" || w.properties.markdown === "") problems.push(`${where}: a text widget needs markdown`);
            return;
        }
        if (w.properties.region !== region) problems.push(`${where}: region ${JSON.stringify(w.properties.region)}, not the stack's ${region}`);
        const metrics = w.properties.metrics;
        if (!Array.isArray(metrics) || metrics.length < 1 || metrics.length > 100) {
            problems.push(`${where}: metrics must be an array of 1 to 100 metrics`);
            return;
        }
        metrics.forEach((metric: unknown, m: number) => {
            const at = `${where}, metric ${m}`;
            if (!Array.isArray(metric)) {
                problems.push(`${at}: not an array`);
                return;
            }
            const options = typeof metric.at(-1) === "object" ? (metric.at(-1) as Record<string, unknown>) : undefined;
            const names = options ? metric.slice(0, -1) : metric;
            if (names.length < 2 || names.length % 2 !== 0 || !names.every((part) => typeof part === "string" && part !== "")) {
                problems.push(`${at}: ${JSON.stringify(metric)} is not [Namespace, MetricName, DimensionName, DimensionValue, …, {options}]`);
                return;
            }
            for (const key of Object.keys(options ?? {})) if (!RENDERING_PROPERTIES.has(key)) problems.push(`${at}: unknown rendering property ${key}`);
            const stat = options?.stat ?? w.properties.stat;
            if (typeof stat !== "string" || !STAT.test(stat)) problems.push(`${at}: statistic ${JSON.stringify(stat)} is not one CloudWatch knows`);
            const [namespace, metricName, ...dimensions] = names as string[];
            const pairs = dimensions.length === 2 ? ([dimensions[0], dimensions[1]] as const) : undefined;
            const known = produced.some(
                (p) => p.namespace === namespace && p.metricName === metricName && pairs !== undefined && p.dimension[0] === pairs[0] && p.dimension[1] === pairs[1],
            );
            if (!known) problems.push(`${at}: ${namespace} ${metricName} ${JSON.stringify(dimensions)} is not a metric this stack produces`);
        });
    });
    return problems;
}
