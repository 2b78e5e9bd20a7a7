// Lambda's contract with a runtime process, as the local runner keeps it: which process it starts for a runtime
// (runtimeCommand) and the environment it gives that process (lambdaEnvironment, the variables of "Defined runtime
// environment variables"), the reserved names a function may not set, and the log stream names of new environments.
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { findOnPath } from "../../infra/command-line";
import { BOOTSTRAP, type FunctionBundle } from "../../infra/packaging";

/** The process of an environment's runtime. */
export interface RuntimeCommand {
    readonly file: string;
    readonly args: readonly string[];
}

/** Lambda's log stream name for a new environment: `YYYY/MM/DD/[$LATEST]` and 32 hex digits. */
export function logStreamName(now: Date = new Date()): string {
    const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
    return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

/**
 * The process Lambda starts for a runtime: for aot (provided.al2023), the bundle's own `bootstrap`, with no
 * arguments; for managed, the project's stand-in for Lambda's dotnet10 runtime, `dotnet ManagedBootstrap.dll`.
 */
export function runtimeCommand(bundle: Pick<FunctionBundle, "runtime" | "directory">, managedBootstrapDll?: string): RuntimeCommand {
    if (bundle.runtime === "aot") return { file: path.join(bundle.directory, BOOTSTRAP), args: [] };
    if (!managedBootstrapDll) throw new Error("the managed runtime runs through the managed bootstrap: build it with buildManagedBootstrap");
    // An absolute path: the child's PATH is Lambda's, and `dotnet` is looked up here, in the runner's.
    return { file: findOnPath("dotnet") ?? "dotnet", args: [managedBootstrapDll] };
}

/** What `lambdaEnvironment` needs to know of the function: its configuration as Lambda holds it, and where things are locally. */
export interface LambdaFunctionConfiguration {
    /** Lambda's runtime identifier: provided.al2023 or dotnet10. */
    readonly runtime: string;
    /** The configured handler (`bootstrap` for provided.al2023; Assembly::Namespace.Type::Method for dotnet10). */
    readonly handler: string;
    readonly functionName: string;
    readonly memoryMb: number;
    readonly region: string;
    /** Application log level, for AWS_LAMBDA_LOG_LEVEL (JSON log format only). */
    readonly logLevel: string;
    /** The execution role's credentials (locally, throwaway ones that the emulators accept). */
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
    /** LAMBDA_TASK_ROOT: the function's code (Lambda's /var/task). */
    readonly taskRoot: string;
    /** LAMBDA_RUNTIME_DIR: the runtime's files (Lambda's /var/runtime). */
    readonly runtimeDirectory: string;
    /** Put in front of PATH: where the runtime's executables are (Lambda's /var/lang/bin for a managed runtime). */
    readonly runtimeBinDirectory?: string;
    /** The function's own variables, as the stack sets them, plus the local endpoints. */
    readonly variables: Readonly<Record<string, string>>;
}

/**
 * The variables Lambda defines and a function's configuration may not set ("Defined runtime environment variables",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 */
export const RESERVED_VARIABLES: ReadonlySet<string> = new Set([
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
]);

/**
 * The environment of a runtime process: the variables Lambda defines ("Defined runtime environment variables",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime) with
 * local paths for Lambda's directories, then the function's own. AWS_LAMBDA_RUNTIME_API and
 * AWS_LAMBDA_LOG_STREAM_NAME differ per environment and are added when one starts. Not set, as on Lambda:
 * AWS_EXECUTION_ENV for an OS-only runtime (provided.al2023), and _X_AMZN_TRACE_ID, which a custom runtime sets
 * itself from each invocation's Lambda-Runtime-Trace-Id.
 */
export function lambdaEnvironment(fn: LambdaFunctionConfiguration): Record<string, string> {
    const reserved = Object.keys(fn.variables).filter((name) => RESERVED_VARIABLES.has(name));
    if (reserved.length > 0) {
        // Lambda refuses such a configuration ("Reserved keys used in this request"), so the local run does too.
        throw new Error(`the function's variables use ${reserved.join(", ")}, which Lambda reserves for itself and refuses to set`);
    }
    const osOnly = fn.runtime.startsWith("provided");
    return {
        _HANDLER: fn.handler,
        ...(osOnly ? {} : { AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}` }),
        AWS_REGION: fn.region,
        AWS_DEFAULT_REGION: fn.region,
        AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        // The stack's log group, /aws/lambda/<function>, and its JSON log format; with JSON, Lambda passes the
        // application log level to a custom runtime in AWS_LAMBDA_LOG_LEVEL
        // (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
        AWS_LAMBDA_LOG_FORMAT: "JSON",
        AWS_LAMBDA_LOG_LEVEL: fn.logLevel.toUpperCase(),
        AWS_ACCESS_KEY: fn.credentials.accessKeyId,
        AWS_ACCESS_KEY_ID: fn.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: fn.credentials.secretAccessKey,
        AWS_SESSION_TOKEN: fn.credentials.sessionToken,
        LAMBDA_TASK_ROOT: fn.taskRoot,
        LAMBDA_RUNTIME_DIR: fn.runtimeDirectory,
        TZ: ":UTC",
        LANG: "en_US.UTF-8",
        PATH: [...(fn.runtimeBinDirectory ? [fn.runtimeBinDirectory] : []), "/usr/local/bin", "/usr/bin/", "/bin", "/opt/bin"].join(":"),
        LD_LIBRARY_PATH: ["/lib64", "/usr/lib64", fn.runtimeDirectory, `${fn.runtimeDirectory}/lib`, fn.taskRoot, `${fn.taskRoot}/lib`, "/opt/lib"].join(":"),
        ...fn.variables,
    };
}
