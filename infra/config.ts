// The stack's configuration: every key read and validated once, here. The stack (infra/index.ts) and the local
// pipeline (local/) both take their queue and function settings from this file, so a setting that works locally is
// the one that is deployed. What each setting is and its default: settings.ts; how each is judged: config-validation.ts.
import { retryBackoffDefaults } from "./backoff";
import { type Key, validateSettings } from "./config-validation";
import { DEFAULTS, type PipelineSettings, PROJECT } from "./settings";

export { retryBackoffDefaults } from "./backoff";
export { type ConfigProblem, validateSettings } from "./config-validation";
export * from "./settings";

/** Thrown when the configuration is invalid; the message lists every problem, one a line. */
export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

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
