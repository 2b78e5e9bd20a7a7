// The whole pipeline on this machine: emulators, the stack's resources, the function's execution environments
// behind the local Lambda Runtime API, the poller. `npm run local`, the demo and the end-to-end tests all start it
// through startLocalPipeline.
import * as fs from "node:fs";
import * as path from "node:path";
import { type PipelineSettings } from "../infra/config";
import { repositoryRoot } from "../infra/repository";
import { hostArchitecture } from "../infra/packaging";
import { createClients, dynamoDbSilence, LOCAL_REGION, type LocalClients, type LocalEndpoints } from "./emulators/clients";
import { type LocalServer, type MessageEvent, startDynalite, startFauxqs } from "./emulators/servers";
import { type ProxyMode, startTableProxy, type TableProxy } from "./emulators/table-proxy";
import { EventSourcePoller, type InvocationReport } from "./event-source/poller";
import { type LocalResources, provision } from "./emulators/provision";
import { ExecutionEnvironments, type ExecutionEnvironmentsOptions, FunctionInitError } from "./runtime-api/execution-environments";
import { FUNCTION_VARIABLES } from "../infra/function-contract";
import { SMOKE_EVENT, smokeVerdict } from "../infra/smoke-invocation";
import { buildLocalFunction, type LocalFunction } from "./local-function";
import { lambdaInvokeAnswer } from "./runtime-api/invoke-answer";
import { lambdaKeepsLogLine } from "./runtime-api/log-filter";
import { loadStackSettings } from "../infra/stack-file";

export const DEFAULT_SQS_PORT = 4566;
export const DEFAULT_DYNAMODB_PORT = 8000;

export interface LocalPipelineOptions {
    /** The stack whose Pulumi.<stack>.yaml gives the settings and the names. */
    readonly stack: string;
    /** Config values over the stack file's (`order-pipeline:key` → value), validated like the rest. */
    readonly overrides?: Readonly<Record<string, string>>;
    /** fauxqs port (SNS and SQS); 0 picks a free one. */
    readonly sqsPort: number;
    /** dynalite port; 0 picks a free one. Unused with dynamodbEndpoint. */
    readonly dynamodbPort: number;
    /**
     * An already running DynamoDB-compatible endpoint (dynalite, DynamoDB Local, LocalStack) to use instead of
     * starting dynalite: the table is created there if missing, and the function is pointed at it.
     */
    readonly dynamodbEndpoint?: string;
    /** Where the bundle (and in managed mode the managed bootstrap) is built. Default .build/ in the repository. */
    readonly buildRoot?: string;
    /** The function's project. Default functions/OrderProcessor (tests of the watch mode use a copy). */
    readonly projectDirectory?: string;
    /**
     * Keep the table's items between runs, in `<buildRoot>/local/<stack>/dynamodb` (dynalite's LevelDB). The queues'
     * messages are not kept: fauxqs holds them in memory.
     */
    readonly persist?: boolean;
    /**
     * One execution environment of the managed runtime for a .NET debugger to attach to: the function timeout, its
     * time budget and the init limit lifted while it runs, so that a breakpoint does not kill it. Never the default.
     */
    readonly debug?: boolean;
    /** Each line the function logs that Lambda's log-level filter keeps at the stack's logLevel (runtime-api/log-filter.ts): what CloudWatch would get. */
    readonly onFunctionLog?: (line: string) => void;
    /** Notices: an execution environment that failed its init, crashed or timed out, an unreachable queue, an invocation that did not complete. */
    readonly onNotice?: (message: string) => void;
    readonly onInvocation?: (report: InvocationReport) => void;
    /** Progress while starting. */
    readonly onStep?: (message: string) => void;
    /** Every message event fauxqs records (published on the topic, enqueued, deleted, dead-lettered): the console's. */
    readonly onMessage?: (event: MessageEvent) => void;
    /**
     * Puts a proxy between the function and the table (local/emulators/table-proxy.ts), in this mode at the start:
     * the console's and --fault's switch for the table's bad minutes. The runner's own clients reach the table directly.
     */
    readonly tableFault?: ProxyMode;
}

export interface LocalPipeline {
    readonly stack: string;
    readonly settings: PipelineSettings;
    readonly endpoints: LocalEndpoints;
    readonly resources: LocalResources;
    readonly clients: LocalClients;
    /** The function's execution environments now serving (one process and Runtime API server per concurrent invocation). */
    readonly environments: ExecutionEnvironments;
    /**
     * Builds the function again (skipped when its inputs did not change), starts it in new execution environments and
     * sends it a smoke invocation; only when its init and its answer succeed do new invocations go to it, while the old
     * environments finish their batches and stop. A failed build, init or smoke invocation leaves the old code serving.
     */
    reload(): Promise<ReloadOutcome>;
    /**
     * The emulators, for fault tests: suspend one to make it unreachable, resume it to bring it back with its data.
     * No dynamodb with dynamodbEndpoint: that endpoint is the user's.
     */
    readonly servers: { readonly sqs: LocalServer; readonly dynamodb: LocalServer | undefined };
    /** The proxy between the function and the table, with tableFault. */
    readonly tableProxy: TableProxy | undefined;
    stop(): Promise<void>;
}

/** How a reload ended, with where its time went. */
export type ReloadOutcome =
    | { readonly kind: "swapped"; readonly buildMs: number; readonly initMs: number; readonly smokeMs: number }
    | { readonly kind: "unchanged"; readonly buildMs: number }
    | { readonly kind: "build-failed" | "init-failed" | "smoke-failed"; readonly message: string };

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
        step(options.dynamodbEndpoint
            ? `starting fauxqs (SNS, SQS) on 127.0.0.1; DynamoDB at ${options.dynamodbEndpoint}`
            : "starting fauxqs (SNS, SQS) and dynalite (DynamoDB) on 127.0.0.1");
        const sqsServer = await startFauxqs(options.sqsPort, options.onMessage);
        cleanup.push(() => sqsServer.close());
        let dynamoServer: LocalServer | undefined;
        if (!options.dynamodbEndpoint) {
            const directory = options.persist ? persistDirectory(options.stack, buildRoot) : undefined;
            if (directory) step(`--persist: the table's items are kept in ${path.relative(process.cwd(), directory) || directory} between runs; the queues' messages are not (fauxqs keeps them in memory)`);
            const started = await startDynalite(options.dynamodbPort, directory);
            cleanup.push(() => started.close());
            dynamoServer = started;
        }
        const endpoints = { sqs: sqsServer.endpoint, dynamodb: options.dynamodbEndpoint ?? dynamoServer!.endpoint };
        const clients = createClients(endpoints);
        cleanup.push(async () => clients.destroy());
        if (options.dynamodbEndpoint) await checkAnswers(clients, options.dynamodbEndpoint);
        let tableProxy: TableProxy | undefined;
        if (options.tableFault !== undefined) {
            const started = await startTableProxy(endpoints.dynamodb);
            cleanup.push(() => started.stop());
            await started.setMode(options.tableFault);
            tableProxy = started;
        }
        // What the function is pointed at: the table, or the proxy in front of it.
        const functionEndpoints = tableProxy ? { ...endpoints, dynamodb: tableProxy.endpoint } : endpoints;

        step(`creating the ${options.stack} stack's topic, queues, subscription and table`);
        const resources = await provision(clients, settings, options.stack);

        const runtime = settings.functionRuntime;
        step(
            runtime === "aot"
                ? `building the function for ${hostArchitecture()} as the stack deploys it (Native AOT bootstrap, provided.al2023)`
                : `building the function for ${hostArchitecture()} as the stack deploys it (managed, dotnet10) and the managed bootstrap`,
        );
        // Each build runs from a copy of its own, in a folder of this process's, so that the next build (or another
        // npm run local) cannot replace a bundle that environments still run; removed when the pipeline stops.
        const snapshots = path.join(buildRoot, "local", `${options.stack}.function.${process.pid}`);
        cleanup.push(async () => fs.rmSync(snapshots, { recursive: true, force: true }));
        let generation = 0;
        const build = () =>
            buildLocalFunction({
                runtime,
                buildRoot,
                settings,
                resources,
                endpoints: functionEndpoints,
                projectDirectory: options.projectDirectory,
                snapshot: path.join(snapshots, String(++generation)),
            });
        const start = (fn: LocalFunction) =>
            ExecutionEnvironments.start({
                ...fn,
                ...(options.debug ? debugging(fn) : {}),
                maximumConcurrency: options.debug ? 1 : settings.maximumConcurrency,
                onLog: (line) => {
                    if (lambdaKeepsLogLine(line, settings.logLevel)) options.onFunctionLog?.(line);
                },
                onNotice: notice,
            });
        let serving = await build();
        if (serving.bundle.reused) step("sources unchanged since the last build: publish skipped");
        step(`starting the first execution environment (${runtime}) behind the local Lambda Runtime API`);
        let environments = await start(serving);

        // Old environments finishing their batches after a swap; the pipeline's stop waits for them.
        const draining = new Set<Promise<void>>();
        let stopped = false;
        let reloading: Promise<ReloadOutcome> | undefined;
        cleanup.push(async () => {
            stopped = true;
            await reloading?.catch(() => undefined);
            await Promise.all(draining);
            await environments.stop();
        });

        const reloadOnce = async (): Promise<ReloadOutcome> => {
            const started = performance.now();
            let next: LocalFunction;
            try {
                next = await build();
            } catch (error) {
                return { kind: "build-failed", message: error instanceof Error ? error.message : String(error) };
            }
            const buildMs = performance.now() - started;
            // Unchanged when it is what serves now (not merely what was built last: that may have failed its init).
            if (next.bundle.sha256 === serving.bundle.sha256) return { kind: "unchanged", buildMs };
            if (stopped) return { kind: "init-failed", message: "the pipeline stopped" };
            let candidate: ExecutionEnvironments;
            try {
                candidate = await start(next);
            } catch (error) {
                return { kind: "init-failed", message: error instanceof FunctionInitError ? `${error.errorType}: ${error.message}` : String(error) };
            }
            const initMs = performance.now() - started - buildMs;
            // The rule of the deploy's smoke invocation (infra/smoke-invocation.ts): an SQS event with no records must be
            // answered with an empty partial batch response before any order reaches the new code.
            const timeoutSeconds = settings.functionTimeoutSeconds;
            const verdict = smokeVerdict(lambdaInvokeAnswer(await candidate.invoke(Buffer.from(SMOKE_EVENT), timeoutSeconds * 1000), timeoutSeconds));
            if (verdict || stopped) {
                await candidate.stop();
                return { kind: "smoke-failed", message: verdict ?? "the pipeline stopped" };
            }
            const smokeMs = performance.now() - started - buildMs - initMs;
            const previous = environments;
            environments = candidate;
            serving = next;
            const drained = previous.drain().finally(() => draining.delete(drained));
            draining.add(drained);
            return { kind: "swapped", buildMs, initMs, smokeMs };
        };
        const reload = () => {
            reloading = (reloading ?? Promise.resolve()).then(reloadOnce, reloadOnce);
            return reloading;
        };

        const poller = new EventSourcePoller({
            sqs: clients.sqs,
            queueUrl: resources.queueUrl,
            queueArn: resources.queueArn,
            region: LOCAL_REGION,
            // --debug: one batch at a time, as the one environment serves them.
            settings: options.debug ? { ...settings, maximumConcurrency: 1 } : settings,
            // Whichever environments serve now: a reload swaps them between two invocations.
            invoke: (event, timeoutMs) => environments.invoke(event, options.debug ? DEBUG_TIMEOUT_MS : timeoutMs),
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
            get environments() {
                return environments;
            },
            reload,
            servers: { sqs: sqsServer, dynamodb: dynamoServer },
            tableProxy,
            stop: stopAll,
        };
    } catch (error) {
        await stopAll();
        throw error;
    }
}

/** Fails, naming the endpoint, unless a DynamoDB-compatible endpoint answers a ListTables within a few seconds. */
async function checkAnswers(clients: LocalClients, endpoint: string): Promise<void> {
    const reason = await dynamoDbSilence(clients, 5000);
    if (reason !== undefined) {
        throw new Error(
            `the DynamoDB endpoint ${endpoint} (--dynamodb-endpoint) does not answer: ${reason}. ` +
                "Start it (dynalite, DynamoDB Local, LocalStack), or drop --dynamodb-endpoint to use the dynalite npm run local starts.",
        );
    }
}

/** With --debug, how long an init or an invocation may take: a day, time enough to step through it. */
export const DEBUG_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** The function as --debug runs it: no time budget (FUNCTION_TIMEOUT_SECONDS unset) and no init limit. */
function debugging(fn: LocalFunction): Pick<ExecutionEnvironmentsOptions, "environment" | "initTimeoutMs"> {
    const { [FUNCTION_VARIABLES.functionTimeout]: _budget, ...environment } = fn.environment;
    return { environment, initTimeoutMs: DEBUG_TIMEOUT_MS };
}

/** Where --persist keeps a stack's table: dynalite's LevelDB folder. */
export function persistDirectory(stack: string, buildRoot: string = path.join(repositoryRoot, ".build")): string {
    return path.join(buildRoot, "local", stack, "dynamodb");
}

/** The file `npm run local` writes the function's log lines to, for `npm run dlq -- list` to find why a message failed. */
export function functionLogFile(stack: string, buildRoot: string = path.join(repositoryRoot, ".build")): string {
    const file = path.join(buildRoot, "local", `${stack}.function-log.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return file;
}
