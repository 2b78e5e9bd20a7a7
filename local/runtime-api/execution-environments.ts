// The function's execution environments, run the way Lambda runs them
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html): each is one process of the
// function's runtime (the AOT `bootstrap`, or `dotnet ManagedBootstrap.dll` for the managed runtime) with a Runtime
// API server of its own (server.ts) whose host:port it reads from AWS_LAMBDA_RUNTIME_API. An environment runs one
// invocation at a time; there are as many as there are concurrent invocations, up to maximumConcurrency; a warm one
// (blocked on `next`) is reused; one that exits, crashes or runs past the function timeout is discarded, and its
// batch is left to reappear after the queue's visibility timeout, as on AWS.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { BOOTSTRAP, type FunctionBundle } from "../../infra/packaging";
import { type FunctionError, RuntimeApiServer } from "./server";

/** What one invocation gave. Only `ok` carries a response; anything else leaves the whole batch to reappear. */
export type InvokeResult =
    | { readonly kind: "ok"; readonly body: string }
    | { readonly kind: "error"; readonly message: string }
    | { readonly kind: "timeout" }
    | { readonly kind: "crash"; readonly message: string };

/** The process of an environment's runtime. */
export interface RuntimeCommand {
    readonly file: string;
    readonly args: readonly string[];
}

/** The function could not start: its own init error, or its runtime exited or hung before asking for an invocation. */
export class FunctionInitError extends Error {
    constructor(
        /** The error type it reported (Runtime.InitError, …), or Runtime.ExitError / Runtime.InitTimeout when it reported none. */
        readonly errorType: string,
        /** The function's own errorMessage. */
        message: string,
    ) {
        super(message);
        this.name = "FunctionInitError";
    }
}

export interface ExecutionEnvironmentsOptions {
    /** The runtime's process (see runtimeCommand). */
    readonly command: RuntimeCommand;
    /** Where the process starts: the task root, as on Lambda (/var/task). */
    readonly workingDirectory: string;
    /** Every variable the process gets (see lambdaEnvironment) but the two that differ per environment, which are added. */
    readonly environment: Readonly<Record<string, string>>;
    /** Lambda-Runtime-Invoked-Function-Arn. */
    readonly functionArn: string;
    /** Most environments at once: the event source's maximumConcurrency. */
    readonly maximumConcurrency: number;
    /** How long an init may take before the environment is killed. Default 10 s, Lambda's limit for the Init phase. */
    readonly initTimeoutMs?: number;
    /** Each line the function writes, stdout and stderr (on Lambda both go to its log stream). */
    readonly onLog: (line: string) => void;
    /** An environment that failed its init, exited, crashed or timed out, and every request its Runtime API refused. */
    readonly onNotice: (message: string) => void;
}

/** One environment, for tests and status lines. */
export interface EnvironmentInfo {
    readonly id: number;
    readonly pid: number | undefined;
    /** Its AWS_LAMBDA_RUNTIME_API. */
    readonly runtimeApi: string;
    readonly state: "initializing" | "idle" | "busy";
}

/** Lambda's limit on the Init phase (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib). */
export const INIT_TIMEOUT_MS = 10_000;

/** The longest pause before a new environment after init failures in a row (0.5 s, 1 s, 2 s, … up to this). */
const MAX_BACKOFF_MS = 30_000;

/** How long a stopping environment has to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2_000;

type InitOutcome = { readonly kind: "ready" } | { readonly kind: "failed"; readonly error: FunctionInitError; readonly result: InvokeResult };

class Environment {
    state: EnvironmentInfo["state"] = "initializing";
    /** Ended on purpose (timeout, init failure, stop): its exit is expected and not reported again. */
    discarded = false;
    /** How the process ended, once it has. */
    exitedHow: string | undefined;
    readonly stderrTail: string[] = [];

    constructor(
        readonly id: number,
        readonly server: RuntimeApiServer,
        readonly child: ChildProcess,
        /** Settles once: ready (the first `next`), or how the init failed. */
        readonly initialized: Promise<InitOutcome>,
        /** Settles when the process has ended, with how (`code 1`, `SIGKILL`, or why it could not start). */
        readonly exited: Promise<string>,
    ) {}

    get alive(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
    }

    info(): EnvironmentInfo {
        return { id: this.id, pid: this.child.pid, runtimeApi: this.server.address, state: this.state };
    }

    /** The last lines the process wrote to stderr, for a notice. */
    stderr(): string {
        const text = this.stderrTail.join("\n").trim();
        return text ? `: ${text}` : "";
    }
}

export class ExecutionEnvironments {
    private readonly all = new Set<Environment>();
    private readonly idle: Environment[] = [];
    /** Invocations waiting for an environment to become free (all maximumConcurrency are busy or starting). */
    private waiters: Array<() => void> = [];
    /** Environments being created, counted against maximumConcurrency before they exist. */
    private starting = 0;
    private nextId = 1;
    private initFailuresInARow = 0;
    private stopping = false;
    private readonly stopped = new AbortController();

    private constructor(private readonly options: ExecutionEnvironmentsOptions) {}

    /**
     * Starts one environment and waits for its init, so that an init error shows at once. Throws the function's
     * init error (a FunctionInitError carrying its own message), having stopped everything it started.
     */
    static async start(options: ExecutionEnvironmentsOptions): Promise<ExecutionEnvironments> {
        const pool = new ExecutionEnvironments(options);
        try {
            const environment = await pool.create();
            const init = await environment.initialized;
            if (init.kind === "failed") throw init.error;
            pool.release(environment);
        } catch (error) {
            await pool.stop();
            throw error;
        }
        return pool;
    }

    /** Every live environment. */
    get current(): EnvironmentInfo[] {
        return [...this.all].map((environment) => environment.info());
    }

    /** The process ids of the live environments. */
    get pids(): number[] {
        return [...this.all].flatMap((environment) => (environment.alive && environment.child.pid !== undefined ? [environment.child.pid] : []));
    }

    /** Those running an invocation. */
    get busyPids(): number[] {
        return [...this.all].flatMap((environment) => (environment.state === "busy" && environment.alive ? [environment.child.pid!] : []));
    }

    /**
     * Kills one environment's process with SIGKILL, as a crash would (fault tests): a busy one when `which` is
     * "busy" and there is one, else any. It is treated like any crash. Returns its pid, or undefined when none is alive.
     */
    killOne(which: "busy" | "any" = "any"): number | undefined {
        const alive = [...this.all].filter((environment) => environment.alive);
        const victim = (which === "busy" ? alive.find((environment) => environment.state === "busy") : undefined) ?? alive[0];
        victim?.child.kill("SIGKILL");
        return victim?.child.pid;
    }

    /**
     * Runs one invocation in a free environment, a new one if none is free and fewer than maximumConcurrency exist.
     * The timeout counts from the invocation, not from a new environment's init (Lambda's Init phase has its own limit).
     */
    async invoke(event: Buffer, timeoutMs: number): Promise<InvokeResult> {
        const acquired = await this.acquire();
        if (!(acquired instanceof Environment)) return acquired;
        const environment = acquired;
        environment.state = "busy";

        const invocation = environment.server.invoke(event, Date.now() + timeoutMs);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<{ kind: "timeout" }>((resolve) => (timer = setTimeout(() => resolve({ kind: "timeout" }), timeoutMs)));
        const ended = await Promise.race([
            invocation.outcome,
            environment.exited.then((how) => ({ kind: "exited" as const, how })),
            timedOut,
        ]);
        clearTimeout(timer);

        switch (ended.kind) {
            case "response":
                this.release(environment);
                return { kind: "ok", body: ended.body.toString("utf8") };
            case "error":
                // A function error fails the invocation, not the environment: it stays warm, as on Lambda.
                this.release(environment);
                return { kind: "error", message: describeError(ended.error) };
            case "timeout":
                this.options.onNotice(
                    `execution environment ${environment.id} (pid ${environment.child.pid}): invocation ${invocation.requestId} ran past the function timeout ` +
                        `(${timeoutMs} ms); killed, as Lambda ends an environment that times out`,
                );
                this.discard(environment);
                return { kind: "timeout" };
            case "exited":
                return { kind: "crash", message: `the execution environment exited during the invocation (${ended.how})${environment.stderr()}` };
            case "abandoned":
                // The server closes when its process has exited (and that may be seen first) or when everything stops.
                return environment.exitedHow && !this.stopping
                    ? { kind: "crash", message: `the execution environment exited during the invocation (${environment.exitedHow})${environment.stderr()}` }
                    : { kind: "crash", message: "the execution environments were stopped during the invocation" };
        }
    }

    /** Stops every environment (SIGTERM, then SIGKILL after 2 s) and its Runtime API server. */
    async stop(): Promise<void> {
        this.stopping = true;
        this.stopped.abort();
        this.wake();
        await Promise.all(
            [...this.all].map(async (environment) => {
                environment.discarded = true;
                if (environment.alive) {
                    environment.child.kill("SIGTERM");
                    let timer: NodeJS.Timeout | undefined;
                    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
                    await Promise.race([environment.exited, graceOver]);
                    clearTimeout(timer);
                    if (environment.alive) environment.child.kill("SIGKILL");
                }
                await environment.server.close();
            }),
        );
        this.all.clear();
        this.idle.length = 0;
    }

    /** A warm environment, else a new one (after a back-off when inits keep failing), else waits for one to be free. */
    private async acquire(): Promise<Environment | InvokeResult> {
        for (;;) {
            if (this.stopping) return { kind: "crash", message: "the execution environments are stopping" };
            const warm = this.idle.pop();
            if (warm) return warm;
            if (this.all.size + this.starting < this.options.maximumConcurrency) {
                this.starting++;
                let environment: Environment;
                try {
                    await this.backOff();
                    if (this.stopping) continue;
                    environment = await this.create();
                } catch (error) {
                    return { kind: "crash", message: `could not start an execution environment: ${error instanceof Error ? error.message : String(error)}` };
                } finally {
                    this.starting--;
                }
                const init = await environment.initialized;
                return init.kind === "ready" ? environment : init.result;
            }
            await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
    }

    /** Back to the warm set: it is (or is about to be) blocked on `next`. */
    private release(environment: Environment): void {
        if (!this.all.has(environment) || !environment.alive) return;
        environment.state = "idle";
        this.idle.push(environment);
        this.wake();
    }

    /** Ends an environment on purpose: SIGKILL, as Lambda ends one, and out of the pool at once. */
    private discard(environment: Environment): void {
        environment.discarded = true;
        environment.child.kill("SIGKILL");
        this.remove(environment);
    }

    private remove(environment: Environment): void {
        if (!this.all.delete(environment)) return;
        const at = this.idle.indexOf(environment);
        if (at >= 0) this.idle.splice(at, 1);
        void environment.server.close();
        this.wake();
    }

    private wake(): void {
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve();
    }

    /** After init failures in a row, a pause before the next environment, so that a function that cannot start does not spin. */
    private async backOff(): Promise<void> {
        if (this.initFailuresInARow === 0) return;
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.initFailuresInARow - 1));
        if (delay >= 2000) {
            this.options.onNotice(`execution environments: ${this.initFailuresInARow} init failures in a row; the next environment starts in ${delay / 1000} s`);
        }
        await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            this.stopped.signal.addEventListener("abort", () => {
                clearTimeout(timer);
                resolve();
            }, { once: true });
        });
    }

    /** A Runtime API server and the runtime's process, with everything that watches them. */
    private async create(): Promise<Environment> {
        const id = this.nextId++;
        const { options } = this;
        const notice = (message: string) => options.onNotice(`execution environment ${id}: ${message}`);

        let settleInit!: (outcome: InitOutcome) => void;
        let initSettled = false;
        const initialized = new Promise<InitOutcome>((resolve) => {
            settleInit = (outcome) => {
                if (initSettled) return;
                initSettled = true;
                resolve(outcome);
            };
        });
        const server = await RuntimeApiServer.start({
            functionArn: options.functionArn,
            onReady: () => {
                this.initFailuresInARow = 0;
                settleInit({ kind: "ready" });
            },
            onInitError: (error) => {
                const failure = new FunctionInitError(error.errorType, error.cause ? `${error.errorMessage} (cause: ${describeError(error.cause)})` : error.errorMessage);
                settleInit({ kind: "failed", error: failure, result: { kind: "error", message: describeError(error) } });
            },
            onNotice: notice,
        });
        if (this.stopping) {
            await server.close();
            throw new Error("the execution environments are stopping");
        }

        const child = spawn(options.command.file, options.command.args, {
            cwd: options.workingDirectory,
            // Only what Lambda sets: nothing of the runner's own environment reaches the function.
            env: { ...options.environment, AWS_LAMBDA_RUNTIME_API: server.address, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName() },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const exited = new Promise<string>((resolve) => {
            child.once("error", (error) => resolve(`could not start ${options.command.file}: ${error.message}`));
            // "close", not "exit": the stdio streams are drained by then, so the stderr tail is complete.
            child.once("close", (code, signal) => resolve(signal ?? `exit status ${code}`));
        });
        const environment = new Environment(id, server, child, initialized, exited);
        this.all.add(environment);

        readline.createInterface({ input: child.stdout! }).on("line", (line) => options.onLog(line));
        readline.createInterface({ input: child.stderr! }).on("line", (line) => {
            environment.stderrTail.push(line);
            if (environment.stderrTail.length > 20) environment.stderrTail.shift();
            options.onLog(line);
        });

        const initTimeoutMs = options.initTimeoutMs ?? INIT_TIMEOUT_MS;
        const initTimer = setTimeout(() => {
            const failure = new FunctionInitError("Runtime.InitTimeout", `the function's init did not finish within ${initTimeoutMs / 1000} s (its runtime never asked for an invocation)`);
            settleInit({ kind: "failed", error: failure, result: { kind: "timeout" } });
        }, initTimeoutMs);

        void exited.then((how) => {
            environment.exitedHow = how;
            clearTimeout(initTimer);
            const failure = new FunctionInitError("Runtime.ExitError", `the runtime exited before its first invocation (${how})${environment.stderr()}`);
            settleInit({ kind: "failed", error: failure, result: { kind: "error", message: `${failure.errorType}: ${failure.message}` } });
            if (!environment.discarded && !this.stopping && environment.state !== "initializing") {
                notice(`pid ${child.pid} exited (${how})${environment.stderr()}; a new environment starts for the next invocation`);
            }
            this.remove(environment);
        });

        void initialized.then((outcome) => {
            clearTimeout(initTimer);
            if (outcome.kind === "ready") {
                if (environment.state === "initializing") environment.state = "idle";
                return;
            }
            if (this.stopping) return;
            this.initFailuresInARow++;
            notice(`init failed (${outcome.error.errorType}): ${outcome.error.message}`);
            this.discard(environment);
        });
        return environment;
    }
}

/**
 * An error as one line: the error type Lambda would report, then the function's message, then each cause's (a
 * constructor's own exception behind reflection's TargetInvocationException, in the managed runtime).
 */
export function describeError(error: Pick<FunctionError, "errorType" | "errorMessage" | "cause">): string {
    const own = error.errorMessage ? `${error.errorType}: ${error.errorMessage}` : error.errorType;
    return error.cause ? `${own} (cause: ${describeError(error.cause)})` : own;
}

/** Lambda's log stream name for a new environment: `YYYY/MM/DD/[$LATEST]` and 32 hex digits. */
function logStreamName(now: Date = new Date()): string {
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

function findOnPath(program: string): string | undefined {
    for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
        const candidate = directory && path.join(directory, program);
        if (candidate && fs.existsSync(candidate)) return candidate;
    }
    return undefined;
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
