// The stack's settings: what each is, and its default, in one place (the README lists them again). Reading them from a
// stack's config is config.ts; judging them, config-validation.ts; the backoff values derived from them, backoff.ts.
import { BACKOFF_BASE_PER_VISIBILITY, BACKOFF_MAX_PER_VISIBILITY } from "./backoff";
import type { Architecture, FunctionRuntime } from "./function-contract";

/** The Pulumi project name, which is also the namespace of every key (`order-pipeline:batchSize`). */
export const PROJECT = "order-pipeline";

/** Dead-letter queue retention: 14 days, the longest SQS keeps a message, to inspect and redrive what failed. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/** Log retention values that CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Lambda's application log levels, most detail first (advanced logging controls). */
export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The order queue keeps a message SQS's default 4 days (the stack sets no retention): no order waits longer. */
export const ORDER_QUEUE_RETENTION_SECONDS = 4 * 24 * 60 * 60;

/** Most orders an alarm threshold counts in its 5 minutes: far above any sane threshold, but a bound all the same. */
export const MAX_ORDER_COUNT_THRESHOLD = 1000000;

/** Every setting of one stack, validated. */
export interface PipelineSettings {
    /**
     * How Lambda runs the function: aot, a Native AOT `bootstrap` on provided.al2023 (cold starts in tens of ms);
     * managed, dotnet10 with the handler string (no native toolchain needed to build). Default aot.
     */
    readonly functionRuntime: FunctionRuntime;
    /** Lambda instruction set. Default arm64 (cheaper per GB-second). */
    readonly functionArchitecture: Architecture;
    /** Lambda memory in MB, 128–10240. Default 512. */
    readonly functionMemoryMb: number;
    /** Lambda timeout in seconds, 1–900. Default 5. */
    readonly functionTimeoutSeconds: number;
    /** Order queue visibility timeout in seconds, ≥ 6 × function timeout + batching window, ≤ 43200. Default 30. */
    readonly queueVisibilityTimeoutSeconds: number;
    /** Receives before SQS moves a message to the dead-letter queue, 1–1000. Default 3. */
    readonly maxReceiveCount: number;
    /**
     * Seconds a record that failed for a transient reason stays invisible after its first failed receive, D(1); the
     * delay doubles per receive up to retryBackoffMaxSeconds (infra/backoff.ts). From 1 to backoffLimitSeconds.
     * Default, when unset: 16 × queueVisibilityTimeoutSeconds (480 at the default 30), at most retryBackoffMaxSeconds.
     */
    readonly retryBackoffBaseSeconds: number;
    /**
     * The cap on the backoff delay, from retryBackoffBaseSeconds to backoffLimitSeconds (SQS's 12 hours from the
     * receive, less the time the function may take to ask). Default, when unset: 18 × queueVisibilityTimeoutSeconds
     * (540 at the default 30), at least retryBackoffBaseSeconds, at most backoffLimitSeconds.
     */
    readonly retryBackoffMaxSeconds: number;
    /** Messages per invocation: 1–10 without a batching window, up to 10000 with one. Default 10. */
    readonly batchSize: number;
    /** Seconds the event source waits to fill a batch, 0–300. Default 0. */
    readonly maximumBatchingWindowSeconds: number;
    /** Most concurrent invocations the event source starts, 2–1000. Default 2. */
    readonly maximumConcurrency: number;
    /** SNS raw message delivery: the body is the order itself instead of the SNS envelope. Default false. */
    readonly rawMessageDelivery: boolean;
    /**
     * The function's application log level, one of LOG_LEVELS (Lambda's advanced logging controls; Lambda passes it
     * to the function as AWS_LAMBDA_LOG_LEVEL and drops lines below it). Default INFO.
     */
    readonly logLevel: LogLevel;
    /** Days the function's logs are kept, one of LOG_RETENTION_DAYS. Default 14. */
    readonly logRetentionDays: number;
    /** Protects the table from deletion (pulumi destroy fails until it is turned off). Default false. */
    readonly deletionProtection: boolean;
    /** Alarm when the oldest order has waited this many seconds, 60–1209600. Default 300. */
    readonly queueAgeAlarmSeconds: number;
    /**
     * Alarm when more invalid orders than this arrive in 5 minutes (a producer sends what can never be stored),
     * 0–1000000. Default 0: any invalid order is a producer's bug worth a look before its copies fill the DLQ.
     */
    readonly invalidOrdersAlarmThreshold: number;
    /**
     * Alarm when the p99 of the orders' age at their outcome (OrderAgeMs, from SQS's SentTimestamp) over 5 minutes
     * exceeds this many seconds. More than maximumBatchingWindowSeconds (a batch waits that long by design), at most
     * 345600 (the order queue's retention). Default 60: far above a healthy pipeline's lag of about a second, well
     * below the queue-age alarm.
     */
    readonly orderLagAlarmSeconds: number;
    /**
     * Alarm when more writes than this fail in 5 minutes (throttling, 5xx, timeouts: a dependency is failing),
     * 0–1000000. Default 10: a throttling blip fails a record or two and backs off; more means an outage.
     */
    readonly failedOrdersAlarmThreshold: number;
    /** Optional address subscribed to the alerts topic (SNS asks it to confirm). Default none. */
    readonly alarmEmail: string | undefined;
}

/** The defaults, in one place; the README lists them again. */
export const DEFAULTS: PipelineSettings = {
    functionRuntime: "aot",
    functionArchitecture: "arm64",
    functionMemoryMb: 512,
    functionTimeoutSeconds: 5,
    queueVisibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
    // Derived from queueVisibilityTimeoutSeconds when unset (retryBackoffDefaults); a test checks that these agree with it.
    retryBackoffBaseSeconds: 480,
    retryBackoffMaxSeconds: 540,
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    maximumConcurrency: 2,
    rawMessageDelivery: false,
    logLevel: "INFO",
    logRetentionDays: 14,
    deletionProtection: false,
    queueAgeAlarmSeconds: 300,
    invalidOrdersAlarmThreshold: 0,
    orderLagAlarmSeconds: 60,
    failedOrdersAlarmThreshold: 10,
    alarmEmail: undefined,
};

/** Keys whose default is derived from other settings when unset; the README shows the rule and its value at the defaults. */
export const DERIVED_DEFAULTS: Readonly<Partial<Record<keyof PipelineSettings, string>>> = {
    retryBackoffBaseSeconds: `${BACKOFF_BASE_PER_VISIBILITY} × queueVisibilityTimeoutSeconds`,
    retryBackoffMaxSeconds: `${BACKOFF_MAX_PER_VISIBILITY} × queueVisibilityTimeoutSeconds`,
};
