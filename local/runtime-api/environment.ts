// One execution environment, as Lambda runs one (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html):
// a process of the function's runtime with a Runtime API server of its own (server.ts), whose host:port the process
// reads from AWS_LAMBDA_RUNTIME_API. This class owns both from start to exit, and every change of the environment's
// state: initializing until the runtime's first `next` (or its init error, exit or init timeout), then idle or busy
// with one invocation at a time, until it exits, crashes, is killed after a timeout, or is stopped.
import { type ChildProcess, spawn } from "node:child_process";
import * as readline from "node:readline";
import { logStreamName, type RuntimeCommand } from "./lambda-environment";
import { type FunctionError, RuntimeApiServer } from "./server";

/** What one invocation gave. Only `ok` carries a response; anything else leaves the whole batch to reappear. */
export type InvokeResult =
    | { readonly kind: "ok"; readonly body: string }
    | { readonly kind: "error"; readonly message: string; /** The error type Lambda would report (the invoke API's errorType). */ readonly errorType: string }
    | { readonly kind: "timeout" }
    | { readonly kind: "crash"; readonly message: string };

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

/** How an environment's init ended: ready (its first `next`), or failed, with what an invocation waiting for it gets. */
export type InitOutcome = { readonly kind: "ready" } | { readonly kind: "failed"; readonly error: FunctionInitError; readonly result: InvokeResult };

/** One environment, for tests and status lines. */
export interface EnvironmentInfo {
    readonly id: number;
    readonly pid: number | undefined;
    /** Its AWS_LAMBDA_RUNTIME_API. */
    readonly runtimeApi: string;
    readonly state: "initializing" | "idle" | "busy";
}

export interface EnvironmentOptions {
    /** The runtime's process (lambda-environment.ts, runtimeCommand). */
    readonly command: RuntimeCommand;
    /** Where the process starts: the task root, as on Lambda (/var/task). */
    readonly workingDirectory: string;
    /** Every variable the process gets but the two that differ per environment, which are added here. */
    readonly environment: Readonly<Record<string, string>>;
    /** Lambda-Runtime-Invoked-Function-Arn. */
    readonly functionArn: string;
    /** How long the init may take before the environment is killed. */
    readonly initTimeoutMs: number;
    /** Each line the function writes, stdout and stderr (on Lambda both go to its log stream). */
    readonly onLog: (line: string) => void;
    /** What happened to this environment, and every request its Runtime API refused (each naming the environment). */
    readonly onNotice: (message: string) => void;
    /** It has ended (exited, or was discarded): whoever holds it forgets it. Called once. */
    readonly onEnded: (environment: Environment) => void;
    /** Everything is stopping: an init failure or an exit then is expected, and not reported. */
    readonly stopping: () => boolean;
}

/** How long a stopping environment has to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2_000;

export class Environment {
    private state: EnvironmentInfo["state"] = "initializing";
    /** Ended on purpose (timeout, init failure, stop): its exit is expected and not reported again. */
    private discarded = false;
    private ended = false;
    /** How the process ended, once it has. */
    private exitedHow: string | undefined;
    private readonly stderrTail: string[] = [];

    private constructor(
        readonly id: number,
        private readonly server: RuntimeApiServer,
        private readonly child: ChildProcess,
        private readonly options: EnvironmentOptions,
        /** Settles once: ready (the first `next`), or how the init failed. */
        readonly initialized: Promise<InitOutcome>,
        /** Settles when the process has ended, with how (`exit status 1`, `SIGKILL`, or why it could not start). */
        readonly exited: Promise<string>,
    ) {}

    /** Starts the Runtime API server, then the runtime's process; returns at once, its init under way (`initialized`). */
    static async start(id: number, options: EnvironmentOptions): Promise<Environment> {
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
            onReady: () => settleInit({ kind: "ready" }),
            onInitError: (error) => {
                const failure = new FunctionInitError(error.errorType, error.cause ? `${error.errorMessage} (cause: ${describeError(error.cause)})` : error.errorMessage);
                settleInit({ kind: "failed", error: failure, result: { kind: "error", message: describeError(error), errorType: error.errorType } });
            },
            onNotice: (message) => options.onNotice(`execution environment ${id}: ${message}`),
        });
        if (options.stopping()) {
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
        const environment = new Environment(id, server, child, options, initialized, exited);
        environment.watch(settleInit);
        return environment;
    }

    get alive(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    get busy(): boolean {
        return this.state === "busy";
    }

    info(): EnvironmentInfo {
        return { id: this.id, pid: this.child.pid, runtimeApi: this.server.address, state: this.state };
    }

    /**
     * Runs one invocation, which must come after a ready init. A function error keeps the environment (as on
     * Lambda); a timeout kills it; an exit during the invocation is a crash.
     */
    async invoke(event: Buffer, timeoutMs: number): Promise<InvokeResult> {
        this.state = "busy";
        const invocation = this.server.invoke(event, Date.now() + timeoutMs);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<{ kind: "timeout" }>((resolve) => (timer = setTimeout(() => resolve({ kind: "timeout" }), timeoutMs)));
        const ended = await Promise.race([invocation.outcome, this.exited.then((how) => ({ kind: "exited" as const, how })), timedOut]);
        clearTimeout(timer);

        switch (ended.kind) {
            case "response":
                this.state = "idle";
                return { kind: "ok", body: ended.body.toString("utf8") };
            case "error":
                // A function error fails the invocation, not the environment: it stays warm, as on Lambda.
                this.state = "idle";
                return { kind: "error", message: describeError(ended.error), errorType: ended.error.errorType };
            case "timeout":
                this.options.onNotice(
                    `execution environment ${this.id} (pid ${this.child.pid}): invocation ${invocation.requestId} ran past the function timeout ` +
                        `(${timeoutMs} ms); killed, as Lambda ends an environment that times out`,
                );
                this.discard();
                return { kind: "timeout" };
            case "exited":
                return { kind: "crash", message: `the execution environment exited during the invocation (${ended.how})${this.stderr()}` };
            case "abandoned":
                // The server closes when its process has exited (and that may be seen first) or when everything stops.
                return this.exitedHow && !this.options.stopping()
                    ? { kind: "crash", message: `the execution environment exited during the invocation (${this.exitedHow})${this.stderr()}` }
                    : { kind: "crash", message: "the execution environments were stopped during the invocation" };
        }
    }

    /** Kills the process with `signal` as a crash would (fault tests): its end is reported like any crash. */
    kill(signal: NodeJS.Signals): void {
        this.child.kill(signal);
    }

    /** Ends it on purpose: SIGKILL, as Lambda ends one, and forgotten at once. */
    discard(): void {
        this.discarded = true;
        this.child.kill("SIGKILL");
        this.end();
    }

    /** Stops it: SIGTERM, then SIGKILL after a grace period, and its Runtime API server. */
    async stop(): Promise<void> {
        this.discarded = true;
        if (this.alive) {
            this.child.kill("SIGTERM");
            let timer: NodeJS.Timeout | undefined;
            const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
            await Promise.race([this.exited, graceOver]);
            clearTimeout(timer);
            if (this.alive) this.child.kill("SIGKILL");
        }
        await this.server.close();
    }

    /** Follows the process: its output, its init (and the init's time limit), its exit. */
    private watch(settleInit: (outcome: InitOutcome) => void): void {
        const { options, child } = this;
        readline.createInterface({ input: child.stdout! }).on("line", (line) => options.onLog(line));
        readline.createInterface({ input: child.stderr! }).on("line", (line) => {
            this.stderrTail.push(line);
            if (this.stderrTail.length > 20) this.stderrTail.shift();
            options.onLog(line);
        });

        const initTimer = setTimeout(() => {
            const failure = new FunctionInitError("Runtime.InitTimeout", `the function's init did not finish within ${options.initTimeoutMs / 1000} s (its runtime never asked for an invocation)`);
            settleInit({ kind: "failed", error: failure, result: { kind: "timeout" } });
        }, options.initTimeoutMs);

        void this.exited.then((how) => {
            this.exitedHow = how;
            clearTimeout(initTimer);
            const failure = new FunctionInitError("Runtime.ExitError", `the runtime exited before its first invocation (${how})${this.stderr()}`);
            settleInit({ kind: "failed", error: failure, result: { kind: "error", message: `${failure.errorType}: ${failure.message}`, errorType: failure.errorType } });
            if (!this.discarded && !options.stopping() && this.state !== "initializing") {
                options.onNotice(`execution environment ${this.id}: pid ${child.pid} exited (${how})${this.stderr()}; a new environment starts for the next invocation`);
            }
            this.end();
        });

        void this.initialized.then((outcome) => {
            clearTimeout(initTimer);
            if (outcome.kind === "ready") {
                if (this.state === "initializing") this.state = "idle";
                return;
            }
            if (options.stopping()) return;
            options.onNotice(`execution environment ${this.id}: init failed (${outcome.error.errorType}): ${outcome.error.message}`);
            this.discard();
        });
    }

    /** Once: its server closed, and whoever holds it told. */
    private end(): void {
        if (this.ended) return;
        this.ended = true;
        void this.server.close();
        this.options.onEnded(this);
    }

    /** The last lines the process wrote to stderr, for a notice. */
    private stderr(): string {
        const text = this.stderrTail.join("\n").trim();
        return text ? `: ${text}` : "";
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
