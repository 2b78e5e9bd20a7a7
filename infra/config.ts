// The stack's configuration: every key read and validated once, here. The stack (infra/index.ts) and the
// local pipeline (local/) both take their queue and function settings from this file, so a setting that
// works locally is the one that is deployed.
import { SQS_MAX_VISIBILITY_TIMEOUT_SECONDS } from "./backoff";
import { type Architecture, ARCHITECTURES, FUNCTION_RUNTIMES, type FunctionRuntime } from "./function-contract";

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

/**
 * The retry backoff's defaults scale with the queue's visibility timeout V: base 16·V and cap 18·V. At
 * maxReceiveCount 3 that gives an outage tolerance of 0.9·(16 + 18)·V ≈ 30·V (918 s at the default V = 30, over the
 * 15 minutes issue 14 asks for), and a delayed order is stored at most 18·V after the table is back (540 s).
 */
export const BACKOFF_BASE_PER_VISIBILITY = 16;
export const BACKOFF_MAX_PER_VISIBILITY = 18;

/** The order queue keeps a message SQS's default 4 days (the stack sets no retention): no order waits longer. */
export const ORDER_QUEUE_RETENTION_SECONDS = 4 * 24 * 60 * 60;

/** Most orders an alarm threshold counts in its 5 minutes: far above any sane threshold, but a bound all the same. */
const MAX_ORDER_COUNT_THRESHOLD = 1000000;

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

/** Thrown when the configuration is invalid; the message lists every problem, one a line. */
export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

type Key = keyof PipelineSettings;
const NUMBER_KEYS = [
    "functionMemoryMb",
    "functionTimeoutSeconds",
    "queueVisibilityTimeoutSeconds",
    "maxReceiveCount",
    "retryBackoffBaseSeconds",
    "retryBackoffMaxSeconds",
    "batchSize",
    "maximumBatchingWindowSeconds",
    "maximumConcurrency",
    "logRetentionDays",
    "queueAgeAlarmSeconds",
    "invalidOrdersAlarmThreshold",
    "orderLagAlarmSeconds",
    "failedOrdersAlarmThreshold",
] as const satisfies readonly Key[];
const BOOLEAN_KEYS = ["rawMessageDelivery", "deletionProtection"] as const satisfies readonly Key[];

/** One problem with the configuration: the key and a sentence that says what is allowed. */
export interface ConfigProblem {
    readonly key: Key;
    readonly message: string;
}

/**
 * Reads the settings from a stack's config, keyed as Pulumi keys it (`order-pipeline:batchSize` → "10"):
 * Pulumi's own config map in the stack, the stack's YAML file locally. Keys of other namespaces (`aws:`)
 * are not ours; a key of ours that is not a setting fails instead of being ignored. Applies the defaults and
 * validates. Throws one ConfigError that names every bad key and its allowed values.
 */
export function loadSettings(config: Readonly<Record<string, string>>): PipelineSettings {
    const prefix = `${PROJECT}:`;
    const get = (key: string): string | undefined => config[`${prefix}${key}`];
    const presentKeys = Object.keys(config).filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    const problems: string[] = [];
    const unreadable = new Set<Key>();
    const values: Record<string, unknown> = { ...DEFAULTS };
    const known = Object.keys(DEFAULTS);

    for (const key of presentKeys) {
        if (!known.includes(key)) {
            problems.push(`${PROJECT}:${key} is not a setting of this stack; known keys: ${known.join(", ")}`);
        }
    }
    for (const key of NUMBER_KEYS) {
        const text = get(key);
        if (text === undefined) continue;
        const value = Number(text.trim());
        if (text.trim() === "" || !Number.isInteger(value)) {
            problems.push(`${PROJECT}:${key} is "${text}"; it must be a whole number`);
            unreadable.add(key);
        } else {
            values[key] = value;
        }
    }
    for (const key of BOOLEAN_KEYS) {
        const text = get(key);
        if (text === undefined) continue;
        if (text !== "true" && text !== "false") {
            problems.push(`${PROJECT}:${key} is "${text}"; allowed: true, false`);
            unreadable.add(key);
        } else {
            values[key] = text === "true";
        }
    }
    for (const key of ["functionRuntime", "functionArchitecture", "logLevel"] as const satisfies readonly Key[]) {
        const text = get(key);
        if (text !== undefined) values[key] = text;
    }
    const email = get("alarmEmail");
    if (email !== undefined && email !== "") values.alarmEmail = email;
    // Unset backoff keys follow the queue's visibility timeout (and each other), so that they never conflict.
    Object.assign(
        values,
        retryBackoffDefaults(values as unknown as PipelineSettings, {
            retryBackoffBaseSeconds: get("retryBackoffBaseSeconds") === undefined ? undefined : (values.retryBackoffBaseSeconds as number),
            retryBackoffMaxSeconds: get("retryBackoffMaxSeconds") === undefined ? undefined : (values.retryBackoffMaxSeconds as number),
        }),
    );

    const settings = values as unknown as PipelineSettings;
    problems.push(...validateSettings(settings).filter((p) => !unreadable.has(p.key)).map((p) => p.message));
    if (problems.length > 0) throw new ConfigError(problems);
    return settings;
}

/** Every problem with a settings object, each naming the key and what is allowed. Empty when valid. */
export function validateSettings(s: PipelineSettings): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const problem = (key: Key, message: string) => problems.push({ key, message: `${PROJECT}:${key} is ${message}` });
    const range = (key: Key, value: number, min: number, max: number, unit = "") => {
        if (!Number.isInteger(value) || value < min || value > max) {
            problem(key, `${value}; allowed: a whole number from ${min} to ${max}${unit}`);
            return false;
        }
        return true;
    };

    if (!FUNCTION_RUNTIMES.includes(s.functionRuntime)) {
        problem("functionRuntime", `"${s.functionRuntime}"; allowed: ${FUNCTION_RUNTIMES.join(", ")}`);
    }
    if (!ARCHITECTURES.includes(s.functionArchitecture)) {
        problem("functionArchitecture", `"${s.functionArchitecture}"; allowed: ${ARCHITECTURES.join(", ")}`);
    }
    range("functionMemoryMb", s.functionMemoryMb, 128, 10240, " (MB)");
    const timeoutOk = range("functionTimeoutSeconds", s.functionTimeoutSeconds, 1, 900, " (seconds)");
    const windowOk = range("maximumBatchingWindowSeconds", s.maximumBatchingWindowSeconds, 0, 300, " (seconds)");
    const visibilityOk = range("queueVisibilityTimeoutSeconds", s.queueVisibilityTimeoutSeconds, 0, 43200, " (seconds)");
    range("maxReceiveCount", s.maxReceiveCount, 1, 1000);
    const limit = timeoutOk && windowOk ? backoffLimitSeconds(s) : SQS_MAX_VISIBILITY_TIMEOUT_SECONDS;
    const limitWhy =
        timeoutOk && windowOk
            ? ` (seconds: SQS hides a message at most ${SQS_MAX_VISIBILITY_TIMEOUT_SECONDS} s from its receive, and the function asks up to ` +
              `functionTimeoutSeconds + maximumBatchingWindowSeconds = ${s.functionTimeoutSeconds} + ${s.maximumBatchingWindowSeconds} s after it)`
            : " (seconds)";
    if (range("retryBackoffBaseSeconds", s.retryBackoffBaseSeconds, 1, limit, limitWhy)) {
        if (!Number.isInteger(s.retryBackoffMaxSeconds) || s.retryBackoffMaxSeconds < s.retryBackoffBaseSeconds || s.retryBackoffMaxSeconds > limit) {
            problem(
                "retryBackoffMaxSeconds",
                `${s.retryBackoffMaxSeconds}; allowed: a whole number from ${s.retryBackoffBaseSeconds} (retryBackoffBaseSeconds) to ${limit}${limitWhy}`,
            );
        }
    } else {
        range("retryBackoffMaxSeconds", s.retryBackoffMaxSeconds, 1, limit, limitWhy);
    }
    if (windowOk) {
        const withWindow = s.maximumBatchingWindowSeconds > 0;
        range(
            "batchSize",
            s.batchSize,
            1,
            withWindow ? 10000 : 10,
            withWindow ? " with a batching window" : " without a batching window (maximumBatchingWindowSeconds 0)",
        );
    }
    range("maximumConcurrency", s.maximumConcurrency, 2, 1000);
    if (!(LOG_LEVELS as readonly string[]).includes(s.logLevel)) {
        problem("logLevel", `"${s.logLevel}"; allowed: ${LOG_LEVELS.join(", ")}`);
    }
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(s.logRetentionDays)) {
        problem("logRetentionDays", `${s.logRetentionDays}; allowed: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    range("queueAgeAlarmSeconds", s.queueAgeAlarmSeconds, 60, 1209600, " (seconds)");
    range("invalidOrdersAlarmThreshold", s.invalidOrdersAlarmThreshold, 0, MAX_ORDER_COUNT_THRESHOLD, " (orders in 5 minutes)");
    if (windowOk) {
        const window = s.maximumBatchingWindowSeconds;
        range(
            "orderLagAlarmSeconds",
            s.orderLagAlarmSeconds,
            window + 1,
            ORDER_QUEUE_RETENTION_SECONDS,
            window > 0 ? ` (seconds: more than maximumBatchingWindowSeconds = ${window}, which a batch waits by design)` : " (seconds)",
        );
    }
    range("failedOrdersAlarmThreshold", s.failedOrdersAlarmThreshold, 0, MAX_ORDER_COUNT_THRESHOLD, " (orders in 5 minutes)");
    if (s.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s.alarmEmail)) {
        problem("alarmEmail", `"${s.alarmEmail}"; allowed: an email address, or unset for no email`);
    }
    if (timeoutOk && windowOk && visibilityOk) {
        const needed = minimumVisibilityTimeout(s);
        if (s.queueVisibilityTimeoutSeconds < needed) {
            problem(
                "queueVisibilityTimeoutSeconds",
                `${s.queueVisibilityTimeoutSeconds}; it must be at least 6 × functionTimeoutSeconds + maximumBatchingWindowSeconds ` +
                    `= 6 × ${s.functionTimeoutSeconds} + ${s.maximumBatchingWindowSeconds} = ${needed}: ` +
                    "raise queueVisibilityTimeoutSeconds, or lower functionTimeoutSeconds or maximumBatchingWindowSeconds",
            );
        }
    }
    return problems;
}

/** AWS's guidance for queues that feed Lambda: a message must not reappear while a retried invocation may still hold it. */
export function minimumVisibilityTimeout(s: Pick<PipelineSettings, "functionTimeoutSeconds" | "maximumBatchingWindowSeconds">): number {
    return 6 * s.functionTimeoutSeconds + s.maximumBatchingWindowSeconds;
}

/**
 * The longest backoff delay SQS will take: a message stays invisible at most 12 hours from its receive
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html), and the
 * function changes it up to a batching window plus a function timeout after the event source received it.
 */
export function backoffLimitSeconds(s: Pick<PipelineSettings, "functionTimeoutSeconds" | "maximumBatchingWindowSeconds">): number {
    return SQS_MAX_VISIBILITY_TIMEOUT_SECONDS - s.functionTimeoutSeconds - s.maximumBatchingWindowSeconds;
}

/**
 * The backoff settings with defaults for the keys that are not set: base 16·V and cap 18·V (V the visibility
 * timeout), the base never above the cap, the cap never below the base, both within backoffLimitSeconds. A key that is
 * set is kept as it is (validateSettings judges it).
 */
export function retryBackoffDefaults(
    s: Pick<PipelineSettings, "queueVisibilityTimeoutSeconds" | "functionTimeoutSeconds" | "maximumBatchingWindowSeconds">,
    set: { readonly retryBackoffBaseSeconds?: number; readonly retryBackoffMaxSeconds?: number } = {},
): Pick<PipelineSettings, "retryBackoffBaseSeconds" | "retryBackoffMaxSeconds"> {
    const limit = backoffLimitSeconds(s);
    const visibility = s.queueVisibilityTimeoutSeconds;
    const base = set.retryBackoffBaseSeconds ?? Math.max(1, Math.min(BACKOFF_BASE_PER_VISIBILITY * visibility, set.retryBackoffMaxSeconds ?? limit, limit));
    const max = set.retryBackoffMaxSeconds ?? Math.min(limit, Math.max(BACKOFF_MAX_PER_VISIBILITY * visibility, base));
    return { retryBackoffBaseSeconds: base, retryBackoffMaxSeconds: max };
}
