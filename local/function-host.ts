// Runs the function locally the way Lambda does: the published bundle, loaded by the stack's handler
// string in a long-lived .NET process (local/FunctionHost), created once and invoked many times. When
// that process dies or an invocation times out, a new one is started, as Lambda starts a new execution
// environment.
import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import * as readline from "node:readline";
import { repositoryRoot } from "../infra/function-definition";
import { type Architecture, publishDotnet } from "../infra/packaging";
import { LOOPBACK } from "./emulators";

/** What one invocation gave. Only `ok` carries a response; anything else leaves the whole batch to reappear. */
export type InvokeResult =
    | { readonly kind: "ok"; readonly body: string }
    | { readonly kind: "error"; readonly message: string }
    | { readonly kind: "timeout" }
    | { readonly kind: "crash"; readonly message: string };

export interface FunctionHostOptions {
    readonly bundleDirectory: string;
    readonly handler: string;
    /** The function's environment, as the stack sets it (TABLE_NAME) plus the SDK's settings for local endpoints. */
    readonly environment: Readonly<Record<string, string>>;
    /** Where the host's build goes. Default .build/function-host. */
    readonly buildDirectory?: string;
    /** A host already built by buildFunctionHost: nothing is built (benchmarks time the start alone). */
    readonly hostDll?: string;
    /** Each line the function writes (its JSON log). */
    readonly onLog: (line: string) => void;
    /** Said when the process dies or is replaced. */
    readonly onNotice: (message: string) => void;
}

const HOST_PROJECT = path.join(repositoryRoot, "local", "FunctionHost", "FunctionHost.csproj");

/**
 * Publishes local/FunctionHost for this machine, ReadyToRun like the bundle (the host plays the part of
 * Lambda's runtime, which is precompiled too). Throws with the compiler's output on failure.
 */
export function buildFunctionHost(outputDirectory: string): string {
    publishDotnet(HOST_PROJECT, outputDirectory, hostArchitecture(), true);
    return path.join(outputDirectory, "FunctionHost.dll");
}

/** The architecture of this machine, so what runs here is built for it (the stack builds for its configured one). */
export function hostArchitecture(): Architecture {
    return process.arch === "arm64" ? "arm64" : "x86_64";
}

export class FunctionHost {
    private process: ChildProcess | undefined;
    private port: Promise<number>;
    private stopping = false;
    private generation = 0;

    private constructor(
        private readonly hostDll: string,
        private readonly options: FunctionHostOptions,
    ) {
        this.port = this.launch();
    }

    /** Builds the host, starts it and waits until the function's init has run. Throws the init error. */
    static async start(options: FunctionHostOptions): Promise<FunctionHost> {
        const hostDll = options.hostDll ?? buildFunctionHost(options.buildDirectory ?? path.join(repositoryRoot, ".build", "function-host"));
        const host = new FunctionHost(hostDll, options);
        try {
            await host.port;
        } catch (error) {
            await host.stop();
            throw error;
        }
        return host;
    }

    /** The current process id (changes when the host is replaced). */
    get pid(): number | undefined {
        return this.process?.pid;
    }

    /** Invokes the function with one event; the invocation is abandoned after `timeoutMs`, and the process replaced. */
    async invoke(event: Buffer, timeoutMs: number): Promise<InvokeResult> {
        let port: number;
        try {
            port = await this.port;
        } catch (error) {
            return { kind: "crash", message: error instanceof Error ? error.message : String(error) };
        }
        const generation = this.generation;
        const result = await exchange(port, event, timeoutMs);
        if (result.kind === "timeout" && generation === this.generation) {
            this.replace(`an invocation ran past the function timeout (${timeoutMs} ms)`);
        }
        return result;
    }

    /** Kills the current process; a new one is started (used by fault tests, and on a timeout). */
    replace(reason: string): void {
        this.options.onNotice(`function host: ${reason}; starting a new execution environment`);
        this.process?.kill("SIGKILL");
    }

    async stop(): Promise<void> {
        this.stopping = true;
        const child = this.process;
        if (child && child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
            clearTimeout(timer);
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        }
    }

    private launch(): Promise<number> {
        this.generation++;
        const child = spawn("dotnet", [this.hostDll, this.options.bundleDirectory, this.options.handler], {
            cwd: repositoryRoot,
            env: { ...withoutAwsSettings(process.env), ...this.options.environment },
            stdio: ["ignore", "pipe", "pipe"],
        });
        this.process = child;
        let stderr = "";
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
            stderr += chunk;
        });

        const ready = new Promise<number>((resolve, reject) => {
            const lines = readline.createInterface({ input: child.stdout! });
            lines.on("line", (line) => {
                if (line.startsWith('{"host":"ready"')) {
                    resolve((JSON.parse(line) as { port: number }).port);
                } else {
                    this.options.onLog(line);
                }
            });
            child.once("error", (error) => reject(new Error(`could not start the function host: ${error.message}`)));
            child.once("exit", (code, signal) => {
                reject(new Error(`the function host exited before it was ready (${signal ?? `code ${code}`}): ${stderr.trim() || "no message"}`));
                if (this.stopping || this.process !== child) return;
                this.options.onNotice(`function host exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
                // A new execution environment, after a pause so that a host that cannot start does not spin.
                this.port = new Promise((r) => setTimeout(r, 500)).then(() => (this.stopping ? Promise.reject(new Error("stopped")) : this.launch()));
                this.port.catch(() => undefined);
            });
        });
        ready.catch(() => undefined);
        return ready;
    }
}

/** The runner's environment less its AWS settings: the function sees only what Lambda (here, the runner) sets. */
function withoutAwsSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("AWS_")));
}

/** One invocation over the host's framing: int32 length + event; status byte + int32 length + response. */
function exchange(port: number, event: Buffer, timeoutMs: number): Promise<InvokeResult> {
    return new Promise((resolve) => {
        const socket = net.connect(port, LOOPBACK);
        const chunks: Buffer[] = [];
        let settled = false;
        const finish = (result: InvokeResult) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            socket.destroy();
            resolve(result);
        };
        const timer = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
        socket.on("connect", () => {
            const header = Buffer.alloc(4);
            header.writeInt32BE(event.length);
            socket.write(Buffer.concat([header, event]));
        });
        socket.on("data", (chunk) => {
            chunks.push(chunk);
            const data = Buffer.concat(chunks);
            if (data.length < 5) return;
            const length = data.readInt32BE(1);
            if (data.length < 5 + length) return;
            const body = data.subarray(5, 5 + length).toString("utf8");
            finish(data[0] === 0 ? { kind: "ok", body } : { kind: "error", message: body });
        });
        socket.on("error", (error) => finish({ kind: "crash", message: error.message }));
        socket.on("close", () => finish({ kind: "crash", message: "the function host closed the connection without answering" }));
    });
}
