// The whole pipeline on this machine: emulators, the stack's resources, the function host, the poller.
// `npm run local`, the demo and the end-to-end tests all start it through startLocalPipeline.
import * as fs from "node:fs";
import * as path from "node:path";
import { type PipelineSettings } from "../infra/config";
import { readFunctionDefinition, repositoryRoot } from "../infra/function-definition";
import { packageFunction } from "../infra/packaging";
import { createClients, LOCAL_CREDENTIALS, LOCAL_REGION, type LocalClients, type LocalEndpoints } from "./clients";
import { type LocalServer, startDynalite, startFauxqs } from "./emulators";
import { FunctionHost, hostArchitecture } from "./function-host";
import { EventSourcePoller, type InvocationReport } from "./poller";
import { type LocalResources, provision } from "./provision";
import { loadStackSettings } from "./stack-file";

export const DEFAULT_SQS_PORT = 4566;
export const DEFAULT_DYNAMODB_PORT = 8000;

export interface LocalPipelineOptions {
    /** The stack whose Pulumi.<stack>.yaml gives the settings and the names. */
    readonly stack: string;
    /** Config values over the stack file's (`order-pipeline:key` → value), validated like the rest. */
    readonly overrides?: Readonly<Record<string, string>>;
    /** fauxqs port (SNS and SQS); 0 picks a free one. */
    readonly sqsPort: number;
    /** dynalite port; 0 picks a free one. */
    readonly dynamodbPort: number;
    /** Where the bundle and the host are built. Default .build/ in the repository. */
    readonly buildRoot?: string;
    /** Each line the function logs (JSON). */
    readonly onFunctionLog?: (line: string) => void;
    /** Notices: a crashed host, an unreachable queue, an invocation that did not complete. */
    readonly onNotice?: (message: string) => void;
    readonly onInvocation?: (report: InvocationReport) => void;
    /** Progress while starting. */
    readonly onStep?: (message: string) => void;
}

export interface LocalPipeline {
    readonly stack: string;
    readonly settings: PipelineSettings;
    readonly endpoints: LocalEndpoints;
    readonly resources: LocalResources;
    readonly clients: LocalClients;
    readonly host: FunctionHost;
    /** The emulators, for fault tests: suspend one to make it unreachable, resume it to bring it back with its data. */
    readonly servers: { readonly sqs: LocalServer; readonly dynamodb: LocalServer };
    stop(): Promise<void>;
}

/** Starts everything; on any failure stops what it started and throws an error that names the cause. */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
    const step = options.onStep ?? (() => undefined);
    const notice = options.onNotice ?? (() => undefined);
    const settings = loadStackSettings(options.stack, options.overrides);
    const buildRoot = options.buildRoot ?? path.join(repositoryRoot, ".build");
    const cleanup: Array<() => Promise<void>> = [];
    const stopAll = async () => {
        for (const stop of cleanup.reverse()) await stop().catch(() => undefined);
        cleanup.length = 0;
    };

    try {
        step("starting fauxqs (SNS, SQS) and dynalite (DynamoDB) on 127.0.0.1");
        const sqsServer = await startFauxqs(options.sqsPort);
        cleanup.push(() => sqsServer.close());
        const dynamoServer = await startDynalite(options.dynamodbPort);
        cleanup.push(() => dynamoServer.close());
        const endpoints = { sqs: sqsServer.endpoint, dynamodb: dynamoServer.endpoint };
        const clients = createClients(endpoints);
        cleanup.push(async () => clients.destroy());

        step(`creating the ${options.stack} stack's topic, queues, subscription and table`);
        const resources = await provision(clients, settings, options.stack);

        step("building the function bundle (dotnet publish, as the stack packages it) and its host");
        const bundle = await packageFunction(hostArchitecture(), { outputRoot: buildRoot });
        const definition = readFunctionDefinition();
        const host = await FunctionHost.start({
            bundleDirectory: bundle.directory,
            handler: definition.handler,
            buildDirectory: path.join(buildRoot, "function-host"),
            environment: functionEnvironment(settings, resources, endpoints),
            onLog: options.onFunctionLog ?? (() => undefined),
            onNotice: notice,
        });
        cleanup.push(() => host.stop());

        const poller = new EventSourcePoller({
            sqs: clients.sqs,
            queueUrl: resources.queueUrl,
            queueArn: resources.queueArn,
            region: LOCAL_REGION,
            settings,
            invoke: (event, timeoutMs) => host.invoke(event, timeoutMs),
            onNotice: notice,
            onInvocation: options.onInvocation,
            recreate: async () => {
                await provision(clients, settings, options.stack);
            },
        });
        poller.start();
        cleanup.push(() => poller.stop());

        return {
            stack: options.stack,
            settings,
            endpoints,
            resources,
            clients,
            host,
            servers: { sqs: sqsServer, dynamodb: dynamoServer },
            stop: stopAll,
        };
    } catch (error) {
        await stopAll();
        throw error;
    }
}

/** What the stack sets on the function, plus the SDK's standard settings that point it at dynalite. */
export function functionEnvironment(
    settings: PipelineSettings,
    resources: Pick<LocalResources, "tableName" | "functionName">,
    endpoints: LocalEndpoints,
): Record<string, string> {
    return {
        TABLE_NAME: resources.tableName,
        FUNCTION_TIMEOUT_SECONDS: String(settings.functionTimeoutSeconds),
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_REGION: LOCAL_REGION,
        AWS_DEFAULT_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_LAMBDA_FUNCTION_NAME: resources.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.functionMemoryMb),
        DOTNET_CLI_TELEMETRY_OPTOUT: "1",
    };
}

/** The file `npm run local` writes the function's log lines to, for `npm run dlq -- list` to find why a message failed. */
export function functionLogFile(stack: string, buildRoot: string = path.join(repositoryRoot, ".build")): string {
    const file = path.join(buildRoot, "local", `${stack}.function-log.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return file;
}
