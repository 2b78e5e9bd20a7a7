// The function's contract with everything that deploys or runs it, in one leaf module that imports nothing of the
// project: the runtimes and architectures it is built for, and the name of the executable Lambda's provided.al2023
// starts. The stack, its config, the packaging and the local runner import it from here.

/** Lambda's instruction set names. */
export type Architecture = "arm64" | "x86_64";

export const ARCHITECTURES: readonly Architecture[] = ["arm64", "x86_64"];

/** How the function runs on Lambda: a Native AOT `bootstrap` on provided.al2023, or the dotnet10 managed runtime. */
export type FunctionRuntime = "aot" | "managed";

export const FUNCTION_RUNTIMES: readonly FunctionRuntime[] = ["aot", "managed"];

/** The executable Lambda runs on provided.al2023 (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-provided.html). */
export const BOOTSTRAP = "bootstrap";

/** The runtime that starts the aot bundle's `bootstrap`: Amazon Linux 2023, OS only. */
export const OS_ONLY_RUNTIME = "provided.al2023";

/** The managed deployment's runtime and handler string (their one definition: functions/OrderProcessor/aws-lambda-tools-defaults.json). */
export interface ManagedEntryPoint {
    /** Lambda's runtime identifier, dotnet10. */
    readonly runtime: string;
    /** Assembly::Namespace.Type::Method, resolved by name as Lambda's dotnet runtime resolves it. */
    readonly handler: string;
}

/**
 * What Lambda is told to run for a functionRuntime: provided.al2023, which starts the bundle's `bootstrap` (Lambda
 * still requires a handler value; a custom runtime may ignore it, this one does), or the managed runtime and handler
 * string (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-provided.html).
 */
export function deployedRuntime(functionRuntime: FunctionRuntime, managed: ManagedEntryPoint): ManagedEntryPoint {
    return functionRuntime === "aot" ? { runtime: OS_ONLY_RUNTIME, handler: BOOTSTRAP } : { runtime: managed.runtime, handler: managed.handler };
}

/**
 * The variables the function reads (functions/OrderProcessor/FunctionSettings.cs; a test holds the two lists equal).
 * All but maxRecordConcurrency are set by the stack and by the local runner, through functionVariables.
 */
export const FUNCTION_VARIABLES = {
    tableName: "TABLE_NAME",
    functionTimeout: "FUNCTION_TIMEOUT_SECONDS",
    queueUrl: "ORDER_QUEUE_URL",
    backoffBase: "RETRY_BACKOFF_BASE_SECONDS",
    backoffMax: "RETRY_BACKOFF_MAX_SECONDS",
    /** Records of a batch processed at once; unset, the function's default (10, the largest batch without a window). */
    maxRecordConcurrency: "MAX_RECORD_CONCURRENCY",
} as const;

/** The settings the function's variables carry. */
export interface FunctionVariableSettings {
    readonly functionTimeoutSeconds: number;
    readonly retryBackoffBaseSeconds: number;
    readonly retryBackoffMaxSeconds: number;
}

/**
 * The function's own variables, for the stack (with its resources' outputs) and the local runner (with the emulators'
 * names) alike: the table, the time budget, and, with the order queue, the backoff of failed records
 * (infra/backoff.ts). Lambda's own variables (region, function name, credentials) are not the stack's to set.
 */
export function functionVariables<T>(settings: FunctionVariableSettings, resources: { readonly tableName: T; readonly queueUrl?: T }): Record<string, T | string> {
    return {
        [FUNCTION_VARIABLES.tableName]: resources.tableName,
        // The managed runtime's time budget (provided.al2023 reads the Runtime API's deadline instead).
        [FUNCTION_VARIABLES.functionTimeout]: String(settings.functionTimeoutSeconds),
        ...(resources.queueUrl !== undefined
            ? {
                  [FUNCTION_VARIABLES.queueUrl]: resources.queueUrl,
                  [FUNCTION_VARIABLES.backoffBase]: String(settings.retryBackoffBaseSeconds),
                  [FUNCTION_VARIABLES.backoffMax]: String(settings.retryBackoffMaxSeconds),
              }
            : {}),
    };
}

/**
 * The metrics the function writes as CloudWatch Embedded Metric Format, one document per invocation
 * (functions/OrderProcessor/Processing/MetricsDocument.cs): this namespace, one dimension set [FunctionName] whose value
 * is the function's physical name (AWS_LAMBDA_FUNCTION_NAME). The alarms, the dashboard and the local status line read
 * these names; a test holds the function's documents to them.
 */
export const FUNCTION_METRICS_NAMESPACE = "OrderPipeline";
export const FUNCTION_METRICS_DIMENSION = "FunctionName";
/** Records per outcome in an invocation (Count, zeros included, so sums and rates are right), in the function's order. */
export const OUTCOME_METRICS = ["Stored", "Duplicate", "Stale", "Conflict", "Invalid", "Failed"] as const;
export type OutcomeMetric = (typeof OUTCOME_METRICS)[number];
/** An outcome as the function's log lines name it: `stored`, `duplicate`, … */
export type Outcome = Lowercase<OutcomeMetric>;
/** Records in the invocation (Count). */
export const BATCH_SIZE_METRIC = "BatchSize";
/** Each record's time from SQS's SentTimestamp to its outcome (Milliseconds): the pipeline's lag. */
export const ORDER_AGE_METRIC = "OrderAgeMs";
