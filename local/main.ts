// npm run local [-- --stack dev] [--sqs-port 4566] [--dynamodb-port 8000 | --dynamodb-endpoint URL] [--set key=value] [--demo] [--quiet] [--watch] [--persist] [--debug] [--console-port 4580 | --no-console] [--fault MODE]
// Runs the whole pipeline on this machine until Ctrl-C. See the README, "Run it locally".
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { outageToleranceSeconds, recoveryDelaySeconds } from "../infra/backoff";
import { PROJECT } from "../infra/config";
import { awsCli, publishCommand } from "../infra/sample-order";
import { LOCAL_REGION } from "./emulators/clients";
import { DEMO_OVERRIDES, runDemo } from "./tools/demo";
import { formatFunctionLog, parseFunctionLog } from "./function-log";
import { DEFAULT_DYNAMODB_PORT, DEFAULT_SQS_PORT, functionLogFile, type LocalPipeline, startLocalPipeline } from "./pipeline";
import { runCommand } from "../infra/command-line";
import { queueCounts } from "./event-source/queues";
import { PipelineStatus } from "./status";
import { watchFunction } from "./watch";
import * as path from "node:path";
import { functionDirectory, repositoryRoot } from "../infra/repository";
import { settingOverrides } from "../infra/stack-file";
import { physicalNames } from "../infra/naming";
import { PROXY_MODE_DESCRIPTIONS, PROXY_MODES, proxyMode } from "./emulators/table-proxy";
import { consoleHooks, ConsoleModel } from "./console/model";
import { type ConsoleServer, DEFAULT_CONSOLE_PORT, startConsole } from "./console/server";

/** Seconds as people read them: 918 s → "15 min 18 s". */
function formatDuration(seconds: number): string {
    if (seconds < 120) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
}

const USAGE = `usage: npm run local -- [--stack NAME] [--sqs-port N] [--dynamodb-port N | --dynamodb-endpoint URL] [--set KEY=VALUE]... [--demo] [--quiet] [--watch] [--persist] [--debug] [--console-port N | --no-console] [--fault MODE]
  --stack              the Pulumi stack whose config and names to use (default dev)
  --sqs-port           fauxqs (SNS and SQS) port on 127.0.0.1 (default 4566, or LOCAL_SQS_PORT)
  --dynamodb-port      dynalite (DynamoDB) port on 127.0.0.1 (default 8000, or LOCAL_DYNAMODB_PORT)
  --dynamodb-endpoint  use this running DynamoDB-compatible endpoint (dynalite, DynamoDB Local, LocalStack)
                       instead of starting dynalite; the table is created there if missing
  --set KEY=VALUE      override a stack setting, e.g. --set maximumConcurrency=4 (validated like the stack's)
  --demo               publish the sample order, a duplicate, an older version and a malformed order,
                       show where each ended up, and exit 0 only if each ended where it should
  --quiet              only the status line (no line per record or per invocation)
  --watch              rebuild the function when its sources change and swap it in once it has started and
                       answered a smoke invocation; a failed build or init keeps the old code serving
  --persist            keep the table's items between runs (in .build/local/<stack>/); queue messages are not kept
  --debug              the managed runtime in one execution environment for a .NET debugger to attach to, its
                       process id printed, the function timeout lifted while it runs
  --console-port       the console's port on 127.0.0.1 (default 4580, or LOCAL_CONSOLE_PORT): open http://127.0.0.1:PORT/
  --no-console         no console (the pipeline runs the same; the status line still prints)
  --fault MODE         start with the table ${PROXY_MODES.filter((m) => m !== "pass").join(", ")} (or pass); switch it later in the console, or with
                       curl -X POST -H 'Content-Type: application/json' -d '{"mode":"pass"}' http://127.0.0.1:PORT/api/fault`;

/** How often the status line is printed while orders flow. */
const STATUS_INTERVAL_MS = 5000;

function port(value: string | undefined, fallback: number, name: string): number {
    if (value === undefined || value === "") return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} is "${value}"; allowed: a port number from 0 to 65535`);
    return n;
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string", default: "dev" },
            "sqs-port": { type: "string" },
            "dynamodb-port": { type: "string" },
            "dynamodb-endpoint": { type: "string" },
            set: { type: "string", multiple: true, default: [] },
            demo: { type: "boolean", default: false },
            watch: { type: "boolean", default: false },
            persist: { type: "boolean", default: false },
            debug: { type: "boolean", default: false },
            quiet: { type: "boolean", default: false },
            "console-port": { type: "string" },
            "no-console": { type: "boolean", default: false },
            fault: { type: "string" },
            help: { type: "boolean", default: false },
        },
    });
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    const overrides: Record<string, string> = { ...(values.demo ? DEMO_OVERRIDES : {}), ...settingOverrides(values.set) };
    const sqsPort = port(values["sqs-port"] ?? process.env.LOCAL_SQS_PORT, DEFAULT_SQS_PORT, "--sqs-port");
    const dynamodbPort = port(values["dynamodb-port"] ?? process.env.LOCAL_DYNAMODB_PORT, DEFAULT_DYNAMODB_PORT, "--dynamodb-port");
    const dynamodbEndpoint = values["dynamodb-endpoint"];
    if (dynamodbEndpoint !== undefined) {
        if (values["dynamodb-port"] !== undefined) throw new Error("--dynamodb-port and --dynamodb-endpoint exclude each other: dynalite is not started with an endpoint of your own");
        if (!/^https?:\/\/[^/\s]+\/?$/.test(dynamodbEndpoint)) throw new Error(`--dynamodb-endpoint is "${dynamodbEndpoint}"; allowed: a URL such as http://127.0.0.1:8000`);
    }
    if (values.persist && dynamodbEndpoint !== undefined) throw new Error("--persist keeps the table of the dynalite npm run local starts; with --dynamodb-endpoint the table is your endpoint's to keep");
    if (values.debug) {
        if (overrides[`${PROJECT}:functionRuntime`] === "aot") throw new Error("--debug runs the managed runtime (a .NET debugger attaches to it); drop --set functionRuntime=aot");
        overrides[`${PROJECT}:functionRuntime`] = "managed";
        console.log("[local] --debug: the managed runtime in one execution environment; the function timeout, its time budget and the init limit are lifted while it runs (never the default)");
    }
    const status = new PipelineStatus();
    const tableFault = proxyMode(values.fault ?? "pass", "--fault");
    if (values["no-console"] && values["console-port"] !== undefined) throw new Error("--console-port and --no-console exclude each other");
    if (values.demo && values["console-port"] !== undefined) throw new Error("--console-port and --demo exclude each other (the demo runs without a console)");
    const withConsole = !values["no-console"] && !values.demo;
    const consolePort = withConsole ? port(values["console-port"] ?? process.env.LOCAL_CONSOLE_PORT, DEFAULT_CONSOLE_PORT, "--console-port") : undefined;
    // The console hears everything from the start, so that its counts and stories begin with the run.
    const model = withConsole ? new ConsoleModel(physicalNames(values.stack)) : undefined;

    const started = performance.now();
    // A new log per run: the emulators keep nothing between runs, so neither does the log the DLQ tool reads.
    const logFile = fs.openSync(functionLogFile(values.stack), "w");
    const logListeners: Array<(line: string) => void> = [];
    let pipeline: LocalPipeline | undefined;
    try {
        pipeline = await startLocalPipeline({
            stack: values.stack,
            overrides,
            sqsPort,
            dynamodbPort,
            dynamodbEndpoint,
            persist: values.persist,
            debug: values.debug,
            tableFault,
            ...(model ? consoleHooks(model) : {}),
            onStep: (message) => console.log(`[local] ${message}`),
            onNotice: (message) => console.log(`[local] ${message}`),
            onFunctionLog: (line) => {
                fs.writeSync(logFile, `${line}\n`);
                status.add(line);
                model?.functionLog(line);
                const entry = parseFunctionLog(line);
                if (values.quiet || line.includes('"_aws"')) {
                    // The status line says it; the function log file keeps every line.
                } else if (!entry) console.log(`[function] ${line}`);
                else console.log(formatFunctionLog(entry));
                for (const listener of logListeners) listener(line);
            },
        });
    } catch (error) {
        fs.closeSync(logFile);
        throw error;
    }

    const { endpoints, resources, settings } = pipeline;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
        `ready in ${seconds} s: stack ${values.stack}; SNS+SQS ${endpoints.sqs}, DynamoDB ${endpoints.dynamodb}; ` +
            `topic ${resources.topicArn}, queue ${resources.queueUrl}, DLQ ${resources.deadLetterQueueUrl}, table ${resources.tableName}`,
    );
    console.log(
        `  settings: batch ${settings.batchSize}, window ${settings.maximumBatchingWindowSeconds} s, concurrency ${settings.maximumConcurrency}, ` +
            `function timeout ${settings.functionTimeoutSeconds} s, visibility timeout ${settings.queueVisibilityTimeoutSeconds} s, ` +
            `DLQ after ${settings.maxReceiveCount} receives, raw delivery ${settings.rawMessageDelivery ? "on" : "off"}, runtime ${settings.functionRuntime}`,
    );
    console.log(
        `  outage tolerance: ${formatDuration(outageToleranceSeconds(settings))} (a table outage or throttling shorter than this sends no valid order ` +
            `to the DLQ; failed writes back off ${settings.retryBackoffBaseSeconds} s, doubling up to ${settings.retryBackoffMaxSeconds} s; ` +
            `a delayed order is stored within ${formatDuration(recoveryDelaySeconds(settings))} of the table's return)`,
    );
    const sqsTarget = { endpointUrl: endpoints.sqs, region: LOCAL_REGION };
    const dynamoTarget = { endpointUrl: endpoints.dynamodb, region: LOCAL_REGION };
    console.log("publish the sample order:");
    console.log(`  ${publishCommand(resources.topicArn, sqsTarget)}`);
    console.log("read it back:");
    console.log(`  ${awsCli("dynamodb get-item", dynamoTarget)} --table-name ${resources.tableName} --key '{"orderId":{"S":"O1234"}}'`);
    console.log(`see the dead-letter queue: npm run dlq -- list --stack ${values.stack}`);
    if (tableFault !== "pass") console.log(`[local] --fault ${tableFault}: the table is ${PROXY_MODE_DESCRIPTIONS[tableFault]}, for the function (${model ? "the console switches it back" : "until npm run local is restarted without --fault"})`);

    if (values.demo) {
        const ok = await runDemo(pipeline, (listener) => logListeners.push(listener), (line) => console.log(line));
        await pipeline.stop();
        fs.closeSync(logFile);
        return ok ? 0 : 1;
    }

    const watcher = values.watch
        ? watchFunction(pipeline, functionDirectory, (line) => console.log(`[watch] ${line}`))
        : undefined;
    if (watcher) console.log(`[watch] watching ${path.relative(repositoryRoot, functionDirectory)}: a saved change is built and swapped in once it has started`);
    if (values.debug) {
        console.log(`[debug] the function runs in process ${pipeline.environments.pids.join(", ")} (dotnet ManagedBootstrap.dll): attach a .NET debugger to it (VS Code or Rider: attach to process; or dotnet-trace, dotnet-dump)`);
        console.log("[debug] a message paused on longer than the visibility timeout is received again when you go on; the function stores it once");
    }
    let consoleServer: ConsoleServer | undefined;
    if (model) {
        try {
            consoleServer = await startConsole({ pipeline, model, port: consolePort! });
        } catch (error) {
            await pipeline.stop();
            fs.closeSync(logFile);
            throw error;
        }
        console.log(`console: ${consoleServer.url} (on 127.0.0.1 only; --no-console to go without)`);
    }
    console.log("Ctrl-C stops everything.");
    const running = pipeline;
    const timer = setInterval(() => {
        Promise.all([queueCounts(running.clients.sqs, resources.queueUrl), queueCounts(running.clients.sqs, resources.deadLetterQueueUrl)])
            .then(([queue, dead]) => {
                const line = status.line({ waiting: queue.visible + queue.delayed, inFlight: queue.notVisible, deadLetters: dead.visible + dead.notVisible });
                if (line) console.log(line);
            })
            .catch(() => undefined);
    }, STATUS_INTERVAL_MS);
    await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
    });
    clearInterval(timer);
    watcher?.close();
    console.log("[local] stopping");
    await consoleServer?.close();
    process.once("SIGINT", () => process.exit(130));
    await pipeline.stop();
    fs.closeSync(logFile);
    return 0;
}

runCommand("npm run local", main);
