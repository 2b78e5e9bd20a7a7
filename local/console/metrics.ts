// The console's metrics: the dashboard's own widgets (infra/dashboard.ts) and the stack's own alarms (infra/alarms.ts),
// fed locally by what CloudWatch would get on AWS: the function's EMF documents, the invocations the poller makes (as
// Lambda's AWS/Lambda metrics), the queues' counts (AWS/SQS) and the topic's publishes (AWS/SNS).
import { type AlarmDefinition, alarmDefinitions } from "../../infra/alarms";
import type { PipelineSettings } from "../../infra/config";
import { dashboardBody, type DashboardResources, type MetricLine, type MetricOptions, type MetricWidget } from "../../infra/dashboard";
import { median, percentile } from "../statistics";

/** A metric as CloudWatch names it: its namespace, its name and its dimensions' values, in order. */
export function metricKey(namespace: string, metricName: string, dimensionValues: readonly string[]): string {
    return [namespace, metricName, ...dimensionValues].join("|");
}

/**
 * Each metric value in an Embedded Metric Format document, with its key, as CloudWatch extracts them
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * for each directive in `_aws.CloudWatchMetrics`, each dimension set, each metric named in `Metrics`, the value of the
 * root member with its name (a number, or an array of up to 100 numbers). Anything else yields nothing.
 */
export function emfValues(document: Record<string, unknown>): Array<{ key: string; value: number }> {
    const aws = document._aws as { CloudWatchMetrics?: unknown } | undefined;
    if (typeof aws !== "object" || aws === null || !Array.isArray(aws.CloudWatchMetrics)) return [];
    const values: Array<{ key: string; value: number }> = [];
    for (const directive of aws.CloudWatchMetrics as Array<{ Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown }>) {
        if (typeof directive?.Namespace !== "string" || !Array.isArray(directive.Metrics) || !Array.isArray(directive.Dimensions)) continue;
        for (const set of directive.Dimensions as unknown[]) {
            if (!Array.isArray(set)) continue;
            const dimensionValues = set.map((name) => document[String(name)]);
            if (!dimensionValues.every((v) => typeof v === "string")) continue;
            for (const metric of directive.Metrics as Array<{ Name?: unknown }>) {
                if (typeof metric?.Name !== "string") continue;
                const raw = document[metric.Name];
                const key = metricKey(directive.Namespace, metric.Name, dimensionValues as string[]);
                for (const value of Array.isArray(raw) ? raw : [raw]) {
                    if (typeof value === "number" && Number.isFinite(value)) values.push({ key, value });
                }
            }
        }
    }
    return values;
}

/** A CloudWatch statistic over the values of one period: Sum, Maximum, Minimum, Average, SampleCount or pNN. */
export function statistic(values: readonly number[], stat: string): number | undefined {
    if (values.length === 0) return undefined;
    switch (stat) {
        case "Sum":
            return values.reduce((a, b) => a + b, 0);
        case "Maximum":
            return values.reduce((a, b) => Math.max(a, b), -Infinity);
        case "Minimum":
            return values.reduce((a, b) => Math.min(a, b), Infinity);
        case "Average":
            return values.reduce((a, b) => a + b, 0) / values.length;
        case "SampleCount":
            return values.length;
        case "p50":
            return median(values);
    }
    const p = /^p(\d{1,2}(?:\.\d+)?)$/.exec(stat);
    if (p) return percentile(values, Number(p[1]) / 100);
    throw new Error(`the statistic ${stat} is not one the console computes (Sum, Maximum, Minimum, Average, SampleCount, pNN)`);
}

/** Values kept per metric and period at most; past it, a uniform sample of them (reservoir sampling). */
const VALUES_PER_PERIOD = 10_000;

/** Values by metric in fixed periods, the last `periods` of them. */
export class MetricStore {
    private readonly periods = new Map<number, Map<string, { values: number[]; seen: number }>>();

    constructor(
        readonly periodSeconds = 5,
        readonly keep = 60,
    ) {}

    add(key: string, value: number, at = Date.now()): void {
        const index = Math.floor(at / 1000 / this.periodSeconds);
        let period = this.periods.get(index);
        if (!period) {
            period = new Map();
            this.periods.set(index, period);
            for (const old of this.periods.keys()) if (old <= index - this.keep) this.periods.delete(old);
        }
        let slot = period.get(key);
        if (!slot) {
            slot = { values: [], seen: 0 };
            period.set(key, slot);
        }
        slot.seen++;
        if (slot.values.length < VALUES_PER_PERIOD) slot.values.push(value);
        else {
            const j = Math.floor(Math.random() * slot.seen);
            if (j < VALUES_PER_PERIOD) slot.values[j] = value;
        }
    }

    /** The start (epoch seconds) of each of the last `keep` periods, the current one last. */
    times(now = Date.now()): number[] {
        const last = Math.floor(now / 1000 / this.periodSeconds);
        return Array.from({ length: this.keep }, (_, i) => (last - this.keep + 1 + i) * this.periodSeconds);
    }

    /** The statistic per period (null where the metric had no value), aligned with times(now). */
    series(key: string, stat: string, now = Date.now()): Array<number | null> {
        return this.times(now).map((t) => {
            const slot = this.periods.get(t / this.periodSeconds)?.get(key);
            return slot ? of(slot.values, slot.seen, stat) : null;
        });
    }

    /**
     * The statistic over the values of the last `seconds`, or undefined without data: the seconds / periodSeconds
     * periods that end with the current one (which is under way), as an alarm's period is made of this store's periods.
     */
    over(key: string, stat: string, seconds: number, now = Date.now()): number | undefined {
        const first = Math.floor((now / 1000 - seconds) / this.periodSeconds) + 1;
        const values: number[] = [];
        let seen = 0;
        for (const [index, period] of this.periods) {
            const slot = index >= first ? period.get(key) : undefined;
            if (!slot) continue;
            for (const value of slot.values) values.push(value);
            seen += slot.seen;
        }
        return seen === 0 ? undefined : of(values, seen, stat);
    }
}

/** The statistic of `seen` values of which `values` are all, or a uniform sample: a count or a sum is scaled back. */
function of(values: readonly number[], seen: number, stat: string): number {
    if (stat === "SampleCount") return seen;
    if (stat === "Sum" && values.length < seen) return statistic(values, "Average")! * seen;
    return statistic(values, stat)!;
}

/** One line of a widget as the page draws it. */
export interface WidgetLine {
    readonly label: string;
    readonly stat: string;
    readonly yAxis: "left" | "right";
    readonly values: Array<number | null>;
}

/** An alarm and where it stands on the local figures. */
export interface AlarmState {
    readonly name: string;
    readonly summary: string;
    readonly metric: string;
    readonly statistic: string;
    readonly periodSeconds: number;
    readonly threshold: number;
    /** The statistic over the alarm's period now, or null without data (treated as not breaching, as the stack's alarms do). */
    readonly value: number | null;
    readonly firing: boolean;
}

export interface WidgetView {
    readonly title: string;
    readonly stacked: boolean;
    readonly lines: readonly WidgetLine[];
    readonly annotations: readonly { readonly label: string; readonly value: number; readonly yAxis: "left" | "right" }[];
    /** The names of the stack's alarms on a metric of this widget that fire now. */
    readonly firing: readonly string[];
}

export interface MetricsView {
    readonly periodSeconds: number;
    readonly times: readonly number[];
    readonly widgets: readonly WidgetView[];
    readonly alarms: readonly AlarmState[];
}

const lineKey = (line: MetricLine): { key: string; options: MetricOptions } => {
    const last = line[line.length - 1];
    const options = typeof last === "object" ? last : {};
    const parts = line.filter((part): part is string => typeof part === "string");
    const [namespace, metricName, ...dimensions] = parts;
    return { key: metricKey(namespace!, metricName!, dimensions.filter((_, i) => i % 2 === 1)), options };
};

const alarmKey = (alarm: AlarmDefinition): string =>
    metricKey(alarm.namespace, alarm.metricName, Object.values(alarm.dimensions).map((v) => String(v)));

/** The dashboard and the alarms of a stack, evaluated on a MetricStore. */
export class LocalDashboard {
    private readonly widgets: MetricWidget[];
    private readonly alarms: AlarmDefinition[];

    constructor(
        private readonly store: MetricStore,
        names: DashboardResources,
        settings: PipelineSettings,
        region: string,
        alarmPrefix: string,
    ) {
        this.widgets = dashboardBody(names, settings, region).widgets.filter((w): w is MetricWidget => w.type === "metric");
        this.alarms = alarmDefinitions(settings, { queueName: names.queue, deadLetterQueueName: names.deadLetterQueue, functionName: names.function }).map(
            (alarm) => ({ ...alarm, suffix: `${alarmPrefix}-${alarm.suffix}` }),
        );
    }

    view(now = Date.now()): MetricsView {
        const alarms: AlarmState[] = this.alarms.map((alarm) => {
            const stat = alarm.statistic ?? alarm.extendedStatistic!;
            const value = this.store.over(alarmKey(alarm), stat, alarm.periodSeconds, now);
            return {
                name: alarm.suffix,
                summary: alarm.summary,
                metric: `${alarm.namespace} ${alarm.metricName}`,
                statistic: stat,
                periodSeconds: alarm.periodSeconds,
                threshold: alarm.threshold,
                value: value ?? null,
                // GreaterThanThreshold, missing data not breaching (infra/alarms.ts).
                firing: value !== undefined && value > alarm.threshold,
            };
        });
        const widgets = this.widgets.map((widget): WidgetView => {
            const keys = widget.properties.metrics.map(lineKey);
            const firing = this.alarms
                .filter((alarm, i) => alarms[i]!.firing && keys.some(({ key }) => key === alarmKey(alarm)))
                .map((alarm) => alarm.suffix);
            return {
                title: widget.properties.title,
                stacked: widget.properties.stacked,
                lines: keys.map(({ key, options }) => ({
                    label: options.label ?? key,
                    stat: options.stat ?? "Average",
                    yAxis: options.yAxis ?? "left",
                    values: this.store.series(key, options.stat ?? "Average", now),
                })),
                annotations: (widget.properties.annotations?.horizontal ?? []).map((a) => ({ label: a.label, value: a.value, yAxis: a.yAxis ?? "left" })),
                firing,
            };
        });
        return { periodSeconds: this.store.periodSeconds, times: this.store.times(now), widgets, alarms };
    }
}
