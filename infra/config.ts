// The stack's configuration: every key read and validated once, here. The stack (infra/index.ts) and the
// local pipeline (local/) both take their queue and function settings from this file, so a setting that
// works locally is the one that is deployed.
import type { Architecture } from "./packaging";

/** The Pulumi project name, which is also the namespace of every key (`order-pipeline:batchSize`). */
export const PROJECT = "order-pipeline";

/** Dead-letter queue retention: 14 days, the longest SQS keeps a message, to inspect and redrive what failed. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/** Log retention values that CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const ARCHITECTURES: readonly Architecture[] = ["arm64", "x86_64"];

/** Every setting of one stack, validated. */
export interface PipelineSettings {
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
    /** Messages per invocation: 1–10 without a batching window, up to 10000 with one. Default 10. */
    readonly batchSize: number;
    /** Seconds the event source waits to fill a batch, 0–300. Default 0. */
    readonly maximumBatchingWindowSeconds: number;
    /** Most concurrent invocations the event source starts, 2–1000. Default 2. */
    readonly maximumConcurrency: number;
    /** SNS raw message delivery: the body is the order itself instead of the SNS envelope. Default false. */
    readonly rawMessageDelivery: boolean;
    /** Days the function's logs are kept, one of LOG_RETENTION_DAYS. Default 14. */
    readonly logRetentionDays: number;
    /** Protects the table from deletion (pulumi destroy fails until it is turned off). Default false. */
    readonly deletionProtection: boolean;
    /** Alarm when the oldest order has waited this many seconds, 60–1209600. Default 300. */
    readonly queueAgeAlarmSeconds: number;
    /** Optional address subscribed to the alerts topic (SNS asks it to confirm). Default none. */
    readonly alarmEmail: string | undefined;
}

/** The defaults, in one place; the README lists them again. */
export const DEFAULTS: PipelineSettings = {
    functionArchitecture: "arm64",
    functionMemoryMb: 512,
    functionTimeoutSeconds: 5,
    queueVisibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    maximumConcurrency: 2,
    rawMessageDelivery: false,
    logRetentionDays: 14,
    deletionProtection: false,
    queueAgeAlarmSeconds: 300,
    alarmEmail: undefined,
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
    "batchSize",
    "maximumBatchingWindowSeconds",
    "maximumConcurrency",
    "logRetentionDays",
    "queueAgeAlarmSeconds",
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
    const architecture = get("functionArchitecture");
    if (architecture !== undefined) values.functionArchitecture = architecture;
    const email = get("alarmEmail");
    if (email !== undefined && email !== "") values.alarmEmail = email;

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

    if (!ARCHITECTURES.includes(s.functionArchitecture)) {
        problem("functionArchitecture", `"${s.functionArchitecture}"; allowed: ${ARCHITECTURES.join(", ")}`);
    }
    range("functionMemoryMb", s.functionMemoryMb, 128, 10240, " (MB)");
    const timeoutOk = range("functionTimeoutSeconds", s.functionTimeoutSeconds, 1, 900, " (seconds)");
    const windowOk = range("maximumBatchingWindowSeconds", s.maximumBatchingWindowSeconds, 0, 300, " (seconds)");
    const visibilityOk = range("queueVisibilityTimeoutSeconds", s.queueVisibilityTimeoutSeconds, 0, 43200, " (seconds)");
    range("maxReceiveCount", s.maxReceiveCount, 1, 1000);
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
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(s.logRetentionDays)) {
        problem("logRetentionDays", `${s.logRetentionDays}; allowed: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    range("queueAgeAlarmSeconds", s.queueAgeAlarmSeconds, 60, 1209600, " (seconds)");
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

/** Physical names of a stack's resources: every name carries the stack, so stacks share an account and region safely. */
export function physicalNames(stack: string) {
    return {
        topic: `OrderTopic-${stack}`,
        queue: `OrderQueue-${stack}`,
        deadLetterQueue: `OrderDlq-${stack}`,
        table: `Orders-${stack}`,
        function: `OrderProcessor-${stack}`,
        role: `OrderProcessor-${stack}`,
        alertsTopic: `OrderAlerts-${stack}`,
    } as const;
}
