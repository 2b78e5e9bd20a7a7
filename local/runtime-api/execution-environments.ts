// The function's execution environments, as Lambda keeps them for an event source
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html): one environment (environment.ts) per
// concurrent invocation, up to maximumConcurrency; a warm one (blocked on `next`) is reused; one that exits, crashes or
// runs past the function timeout is discarded, and its batch is left to reappear after the queue's visibility timeout,
// as on AWS. This file is the pool: which environment serves an invocation, and when a new one starts.
import { Environment, type EnvironmentInfo, type EnvironmentOptions, type InvokeResult } from "./environment";

export { describeError, type EnvironmentInfo, FunctionInitError, type InvokeResult } from "./environment";
export { lambdaEnvironment, type LambdaFunctionConfiguration, RESERVED_VARIABLES, type RuntimeCommand, runtimeCommand } from "./lambda-environment";

export interface ExecutionEnvironmentsOptions extends Pick<EnvironmentOptions, "command" | "workingDirectory" | "environment" | "functionArn" | "onLog" | "onNotice"> {
    /** Most environments at once: the event source's maximumConcurrency. */
    readonly maximumConcurrency: number;
    /** How long an init may take before the environment is killed. Default 10 s, Lambda's limit for the Init phase. */
    readonly initTimeoutMs?: number;
}

/** Lambda's limit on the Init phase (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib). */
export const INIT_TIMEOUT_MS = 10_000;

/** The longest pause before a new environment after init failures in a row (0.5 s, 1 s, 2 s, … up to this). */
const MAX_BACKOFF_MS = 30_000;

export class ExecutionEnvironments {
    private readonly all = new Set<Environment>();
    private readonly idle: Environment[] = [];
    /** Invocations waiting for an environment to become free (all maximumConcurrency are busy or starting). */
    private waiters: Array<() => void> = [];
    /** Environments being created, counted against maximumConcurrency before they exist. */
    private starting = 0;
    private nextId = 1;
    private initFailuresInARow = 0;
    /** Invocations under way, from acquiring an environment to the result; drain waits for none. */
    private active = 0;
    private idleAgain: Array<() => void> = [];
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
        return [...this.all].flatMap((environment) => (environment.alive && environment.pid !== undefined ? [environment.pid] : []));
    }

    /** Those running an invocation. */
    get busyPids(): number[] {
        return [...this.all].flatMap((environment) => (environment.busy && environment.alive ? [environment.pid!] : []));
    }

    /**
     * Kills one environment's process with SIGKILL, as a crash would (fault tests): a busy one when `which` is
     * "busy" and there is one, else any. It is treated like any crash. Returns its pid, or undefined when none is alive.
     */
    killOne(which: "busy" | "any" = "any"): number | undefined {
        const alive = [...this.all].filter((environment) => environment.alive);
        const victim = (which === "busy" ? alive.find((environment) => environment.busy) : undefined) ?? alive[0];
        victim?.kill("SIGKILL");
        return victim?.pid;
    }

    /**
     * Runs one invocation in a free environment, a new one if none is free and fewer than maximumConcurrency exist.
     * The timeout counts from the invocation, not from a new environment's init (Lambda's Init phase has its own limit).
     */
    async invoke(event: Buffer, timeoutMs: number): Promise<InvokeResult> {
        this.active++;
        try {
            const acquired = await this.acquire();
            if (!(acquired instanceof Environment)) return acquired;
            const result = await acquired.invoke(event, timeoutMs);
            if (result.kind === "ok" || result.kind === "error") this.release(acquired);
            return result;
        } finally {
            if (--this.active === 0) for (const resolve of this.idleAgain.splice(0)) resolve();
        }
    }

    /**
     * Lets the invocations under way finish, then stops (a swap to new code: the old environments finish their batches
     * and stop, as Lambda lets an old version's invocations complete after an alias moves).
     */
    async drain(): Promise<void> {
        if (this.active > 0) await new Promise<void>((resolve) => this.idleAgain.push(resolve));
        await this.stop();
    }

    /** Stops every environment (SIGTERM, then SIGKILL after 2 s) and its Runtime API server. */
    async stop(): Promise<void> {
        this.stopping = true;
        this.stopped.abort();
        this.wake();
        await Promise.all([...this.all].map((environment) => environment.stop()));
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
        this.idle.push(environment);
        this.wake();
    }

    /** Forgets an environment that has ended. */
    private remove(environment: Environment): void {
        if (!this.all.delete(environment)) return;
        const at = this.idle.indexOf(environment);
        if (at >= 0) this.idle.splice(at, 1);
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

    /** A new environment in the pool, its init under way; the pool counts its init failures in a row. */
    private async create(): Promise<Environment> {
        const environment = await Environment.start(this.nextId++, {
            ...this.options,
            initTimeoutMs: this.options.initTimeoutMs ?? INIT_TIMEOUT_MS,
            onEnded: (ended) => this.remove(ended),
            stopping: () => this.stopping,
        });
        this.all.add(environment);
        // A stop that began while this one was starting has not seen it: it is stopped here.
        if (this.stopping) void environment.stop();
        void environment.initialized.then((outcome) => {
            if (outcome.kind === "ready") this.initFailuresInARow = 0;
            else if (!this.stopping) this.initFailuresInARow++;
        });
        return environment;
    }
}
