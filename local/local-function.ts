// The function as the local pipeline runs it: built as the stack deploys it, and described (process, working
// directory, Lambda's environment with the stack's variables and the emulators' endpoints, ARN) for the execution
// environments that start it.
import * as fs from "node:fs";
import * as path from "node:path";
import type { PipelineSettings } from "../infra/config";
import { deployedRuntime, functionVariables } from "../infra/function-contract";
import { readFunctionDefinition } from "../infra/function-definition";
import { type FunctionBundle, type FunctionRuntime, hostArchitecture, packageFunction } from "../infra/packaging";
import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION, type LocalEndpoints } from "./emulators/clients";
import type { LocalResources } from "./emulators/provision";
import { type ExecutionEnvironmentsOptions, lambdaEnvironment, runtimeCommand } from "./runtime-api/execution-environments";
import { buildManagedBootstrap } from "./runtime-api/managed-bootstrap";

/** The function as `npm run local` runs it: its bundle, and how Lambda would start and configure its runtime. */
export interface LocalFunction extends Pick<ExecutionEnvironmentsOptions, "command" | "workingDirectory" | "environment" | "functionArn"> {
    readonly bundle: FunctionBundle;
}

/** What the local function is run with: the stack's settings, the emulators' names and endpoints. */
export interface LocalFunctionSetting {
    readonly settings: PipelineSettings;
    readonly resources: Pick<LocalResources, "tableName" | "functionName"> & Partial<Pick<LocalResources, "queueUrl">>;
    readonly endpoints: LocalEndpoints;
}

/**
 * Builds the function for this machine's architecture as `runtime` deploys it (the publish is skipped when its
 * sources are unchanged), plus, in managed mode, the managed bootstrap; and describes how Lambda would run it.
 */
export async function buildLocalFunction(
    options: LocalFunctionSetting & {
        readonly runtime: FunctionRuntime;
        readonly buildRoot: string;
        /** The function's project. Default functions/OrderProcessor. */
        readonly projectDirectory?: string;
        /**
         * Run the bundle from a copy in this folder (the watch mode: the next build may replace the bundle while
         * environments still run this one).
         */
        readonly snapshot?: string;
    },
): Promise<LocalFunction> {
    const built = await packageFunction(hostArchitecture(), { runtime: options.runtime, outputRoot: options.buildRoot, projectDirectory: options.projectDirectory });
    const managedBootstrapDll = options.runtime === "managed" ? await buildManagedBootstrap(path.join(options.buildRoot, "managed-bootstrap")) : undefined;
    let bundle = built;
    if (options.snapshot) {
        fs.rmSync(options.snapshot, { recursive: true, force: true });
        fs.cpSync(built.directory, options.snapshot, { recursive: true });
        bundle = { ...built, directory: options.snapshot };
    }
    return describeLocalFunction(bundle, managedBootstrapDll, options);
}

/**
 * How Lambda would run a built bundle, as data: the process (the bundle's `bootstrap`, or the managed bootstrap
 * loading the bundle by its handler string), its working directory, its environment, its ARN. The runner, the arm64
 * test (which runs the arm64 bundle under qemu) and the cold-start bench all start the function from this.
 */
export function describeLocalFunction(bundle: FunctionBundle, managedBootstrapDll: string | undefined, setting: LocalFunctionSetting): LocalFunction {
    const { settings, resources, endpoints } = setting;
    const command = runtimeCommand(bundle, managedBootstrapDll);
    const configured = deployedRuntime(bundle.runtime, readFunctionDefinition());
    return {
        bundle,
        command,
        workingDirectory: bundle.directory,
        functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${resources.functionName}`,
        environment: lambdaEnvironment({
            runtime: configured.runtime,
            handler: configured.handler,
            functionName: resources.functionName,
            memoryMb: settings.functionMemoryMb,
            region: LOCAL_REGION,
            logLevel: settings.logLevel,
            credentials: { ...LOCAL_CREDENTIALS, sessionToken: "local" },
            taskRoot: bundle.directory,
            // Lambda's runtime directory holds the runtime: locally the managed bootstrap, or for a custom runtime its bootstrap.
            runtimeDirectory: managedBootstrapDll ? path.dirname(managedBootstrapDll) : bundle.directory,
            runtimeBinDirectory: managedBootstrapDll ? path.dirname(command.file) : undefined,
            variables: functionEnvironment(settings, resources, endpoints),
        }),
    };
}

/**
 * The function's own variables: what the stack sets on it (TABLE_NAME, FUNCTION_TIMEOUT_SECONDS), plus the AWS
 * SDK's standard settings that point it at the emulators instead of AWS. Lambda's own variables (region, function
 * name, credentials, …) are lambdaEnvironment's.
 */
export function functionEnvironment(
    settings: PipelineSettings,
    resources: Pick<LocalResources, "tableName"> & Partial<Pick<LocalResources, "queueUrl">>,
    endpoints: LocalEndpoints,
): Record<string, string> {
    return {
        ...functionVariables(settings, resources),
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_SQS: endpoints.sqs,
        // Credentials and region come from the environment; the SDK has no reason to ask an instance metadata service.
        AWS_EC2_METADATA_DISABLED: "true",
    };
}

