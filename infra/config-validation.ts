// Judging a stack's settings: a group of keys at a time, each group returning its problems, each problem naming the
// key, its value and what is allowed. `pulumi preview` shows them all at once (config.ts), and so does `npm run local`.
import { backoffLimitSeconds, minimumVisibilityTimeout, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS } from "./backoff";
import { ARCHITECTURES, FUNCTION_RUNTIMES } from "./function-contract";
import { LOG_LEVELS, LOG_RETENTION_DAYS, MAX_ORDER_COUNT_THRESHOLD, ORDER_QUEUE_RETENTION_SECONDS, type PipelineSettings, PROJECT } from "./settings";

export type Key = keyof PipelineSettings;

/** One problem with the configuration: the key and a sentence that says what is allowed. */
export interface ConfigProblem {
    readonly key: Key;
    readonly message: string;
}

/** Every problem with a settings object, group by group. Empty when valid. */
export function validateSettings(s: PipelineSettings): ConfigProblem[] {
    return [
        ...functionProblems(s),
        ...deliveryProblems(s),
        ...backoffProblems(s),
        ...eventSourceProblems(s),
        ...loggingProblems(s),
        ...alarmProblems(s),
        ...visibilityRuleProblems(s),
    ];
}

/** The whole-number ranges of the numeric keys whose bounds do not depend on other keys. */
const RANGES = {
    functionMemoryMb: [128, 10240, " (MB)"],
    functionTimeoutSeconds: [1, 900, " (seconds)"],
    maximumBatchingWindowSeconds: [0, 300, " (seconds)"],
    queueVisibilityTimeoutSeconds: [0, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, " (seconds)"],
    maxReceiveCount: [1, 1000, ""],
    maximumConcurrency: [2, 1000, ""],
    queueAgeAlarmSeconds: [60, 1209600, " (seconds)"],
    invalidOrdersAlarmThreshold: [0, MAX_ORDER_COUNT_THRESHOLD, " (orders in 5 minutes)"],
    failedOrdersAlarmThreshold: [0, MAX_ORDER_COUNT_THRESHOLD, " (orders in 5 minutes)"],
} as const satisfies Partial<Record<Key, readonly [number, number, string]>>;

function problem(key: Key, message: string): ConfigProblem {
    return { key, message: `${PROJECT}:${key} is ${message}` };
}

/** The problem of a value outside [min, max], or none. */
function outOfRange(key: Key, value: number, min: number, max: number, unit = ""): ConfigProblem[] {
    return Number.isInteger(value) && value >= min && value <= max ? [] : [problem(key, `${value}; allowed: a whole number from ${min} to ${max}${unit}`)];
}

function ranged(s: PipelineSettings, key: keyof typeof RANGES): ConfigProblem[] {
    const [min, max, unit] = RANGES[key];
    return outOfRange(key, s[key], min, max, unit);
}

/** Whether a key of RANGES is within its range: other keys' rules are judged only on valid values. */
function valid(s: PipelineSettings, key: keyof typeof RANGES): boolean {
    return ranged(s, key).length === 0;
}

/** How Lambda runs the function: runtime, architecture, memory, timeout. */
export function functionProblems(s: PipelineSettings): ConfigProblem[] {
    return [
        ...(FUNCTION_RUNTIMES.includes(s.functionRuntime) ? [] : [problem("functionRuntime", `"${s.functionRuntime}"; allowed: ${FUNCTION_RUNTIMES.join(", ")}`)]),
        ...(ARCHITECTURES.includes(s.functionArchitecture) ? [] : [problem("functionArchitecture", `"${s.functionArchitecture}"; allowed: ${ARCHITECTURES.join(", ")}`)]),
        ...ranged(s, "functionMemoryMb"),
        ...ranged(s, "functionTimeoutSeconds"),
    ];
}

/** How messages are delivered and redelivered: the batching window, the visibility timeout, the receives before the DLQ. */
export function deliveryProblems(s: PipelineSettings): ConfigProblem[] {
    return [...ranged(s, "maximumBatchingWindowSeconds"), ...ranged(s, "queueVisibilityTimeoutSeconds"), ...ranged(s, "maxReceiveCount")];
}

/** The backoff of failed records: within what SQS allows after the function's longest hold of a message. */
export function backoffProblems(s: PipelineSettings): ConfigProblem[] {
    const windowKnown = valid(s, "functionTimeoutSeconds") && valid(s, "maximumBatchingWindowSeconds");
    const limit = windowKnown ? backoffLimitSeconds(s) : SQS_MAX_VISIBILITY_TIMEOUT_SECONDS;
    const why = windowKnown
        ? ` (seconds: SQS hides a message at most ${SQS_MAX_VISIBILITY_TIMEOUT_SECONDS} s from its receive, and the function asks up to ` +
          `functionTimeoutSeconds + maximumBatchingWindowSeconds = ${s.functionTimeoutSeconds} + ${s.maximumBatchingWindowSeconds} s after it)`
        : " (seconds)";
    const base = outOfRange("retryBackoffBaseSeconds", s.retryBackoffBaseSeconds, 1, limit, why);
    if (base.length > 0) return [...base, ...outOfRange("retryBackoffMaxSeconds", s.retryBackoffMaxSeconds, 1, limit, why)];
    const capOk = Number.isInteger(s.retryBackoffMaxSeconds) && s.retryBackoffMaxSeconds >= s.retryBackoffBaseSeconds && s.retryBackoffMaxSeconds <= limit;
    return capOk
        ? []
        : [problem("retryBackoffMaxSeconds", `${s.retryBackoffMaxSeconds}; allowed: a whole number from ${s.retryBackoffBaseSeconds} (retryBackoffBaseSeconds) to ${limit}${why}`)];
}

/** What the event source mapping asks for: batch size (bounded by the window) and concurrency. */
export function eventSourceProblems(s: PipelineSettings): ConfigProblem[] {
    const withWindow = s.maximumBatchingWindowSeconds > 0;
    const batch = valid(s, "maximumBatchingWindowSeconds")
        ? outOfRange("batchSize", s.batchSize, 1, withWindow ? 10000 : 10, withWindow ? " with a batching window" : " without a batching window (maximumBatchingWindowSeconds 0)")
        : [];
    return [...batch, ...ranged(s, "maximumConcurrency")];
}

/** The function's log: Lambda's application log level and the log group's retention. */
export function loggingProblems(s: PipelineSettings): ConfigProblem[] {
    return [
        ...((LOG_LEVELS as readonly string[]).includes(s.logLevel) ? [] : [problem("logLevel", `"${s.logLevel}"; allowed: ${LOG_LEVELS.join(", ")}`)]),
        ...((LOG_RETENTION_DAYS as readonly number[]).includes(s.logRetentionDays) ? [] : [problem("logRetentionDays", `${s.logRetentionDays}; allowed: ${LOG_RETENTION_DAYS.join(", ")}`)]),
    ];
}

/** The alarms' thresholds and who they notify. */
export function alarmProblems(s: PipelineSettings): ConfigProblem[] {
    const window = s.maximumBatchingWindowSeconds;
    const lag = valid(s, "maximumBatchingWindowSeconds")
        ? outOfRange(
              "orderLagAlarmSeconds",
              s.orderLagAlarmSeconds,
              window + 1,
              ORDER_QUEUE_RETENTION_SECONDS,
              window > 0 ? ` (seconds: more than maximumBatchingWindowSeconds = ${window}, which a batch waits by design)` : " (seconds)",
          )
        : [];
    const email = s.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s.alarmEmail) ? [problem("alarmEmail", `"${s.alarmEmail}"; allowed: an email address, or unset for no email`)] : [];
    return [...ranged(s, "queueAgeAlarmSeconds"), ...ranged(s, "invalidOrdersAlarmThreshold"), ...lag, ...ranged(s, "failedOrdersAlarmThreshold"), ...email];
}

/** The rule across groups: the visibility timeout covers six function timeouts and the batching window. */
export function visibilityRuleProblems(s: PipelineSettings): ConfigProblem[] {
    if (!valid(s, "functionTimeoutSeconds") || !valid(s, "maximumBatchingWindowSeconds") || !valid(s, "queueVisibilityTimeoutSeconds")) return [];
    const needed = minimumVisibilityTimeout(s);
    return s.queueVisibilityTimeoutSeconds >= needed
        ? []
        : [
              problem(
                  "queueVisibilityTimeoutSeconds",
                  `${s.queueVisibilityTimeoutSeconds}; it must be at least 6 × functionTimeoutSeconds + maximumBatchingWindowSeconds ` +
                      `= 6 × ${s.functionTimeoutSeconds} + ${s.maximumBatchingWindowSeconds} = ${needed}: ` +
                      "raise queueVisibilityTimeoutSeconds, or lower functionTimeoutSeconds or maximumBatchingWindowSeconds",
              ),
          ];
}
