// npm run local [-- --stack dev] [--sqs-port 4566] [--dynamodb-port 8000] [--set key=value] [--demo] [--quiet]
// Runs the whole pipeline on this machine until Ctrl-C. See the README, "Run it locally".
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { PROJECT } from "../infra/config";
import { awsCli, publishCommand } from "../infra/sample-order";
import { LOCAL_REGION } from "./clients";
import { DEMO_OVERRIDES, runDemo } from "./demo";
import { formatFunctionLog, parseFunctionLog } from "./function-log";
import { DEFAULT_DYNAMODB_PORT, DEFAULT_SQS_PORT, functionLogFile, type LocalPipeline, startLocalPipeline } from "./pipeline";
import { runCommand } from "./command";

const USAGE = `usage: npm run local -- [--stack NAME] [--sqs-port N] [--dynamodb-port N] [--set KEY=VALUE]... [--demo] [--quiet]
  --stack          the Pulumi stack whose config and names to use (default dev)
  --sqs-port       fauxqs (SNS and SQS) port on 127.0.0.1 (default 4566, or LOCAL_SQS_PORT)
  --dynamodb-port  dynalite (DynamoDB) port on 127.0.0.1 (default 8000, or LOCAL_DYNAMODB_PORT)
  --set KEY=VALUE  override a stack setting, e.g. --set maximumConcurrency=4 (validated like the stack's)
  --demo           publish the sample order, a duplicate, an older version and a malformed order,
                   show where each ended up, and exit 0 only if each ended where it should
  --quiet          print no line per record (still one per invocation)`;

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
            set: { type: "string", multiple: true, default: [] },
            demo: { type: "boolean", default: false },
            quiet: { type: "boolean", default: false },
            help: { type: "boolean", default: false },
        },
    });
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    const overrides: Record<string, string> = values.demo ? { ...DEMO_OVERRIDES } : {};
    for (const assignment of values.set) {
        const at = assignment.indexOf("=");
        if (at <= 0) throw new Error(`--set "${assignment}" is not KEY=VALUE`);
        overrides[`${PROJECT}:${assignment.slice(0, at)}`] = assignment.slice(at + 1);
    }
    const sqsPort = port(values["sqs-port"] ?? process.env.LOCAL_SQS_PORT, DEFAULT_SQS_PORT, "--sqs-port");
    const dynamodbPort = port(values["dynamodb-port"] ?? process.env.LOCAL_DYNAMODB_PORT, DEFAULT_DYNAMODB_PORT, "--dynamodb-port");

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
            onStep: (message) => console.log(`[local] ${message}`),
            onNotice: (message) => console.log(`[local] ${message}`),
            onFunctionLog: (line) => {
                fs.writeSync(logFile, `${line}\n`);
                const entry = parseFunctionLog(line);
                if (!entry) console.log(`[function] ${line}`);
                else if (entry.kind === "batch" || !values.quiet) console.log(formatFunctionLog(entry));
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
            `DLQ after ${settings.maxReceiveCount} receives, raw delivery ${settings.rawMessageDelivery ? "on" : "off"}`,
    );
    const sqsTarget = { endpointUrl: endpoints.sqs, region: LOCAL_REGION };
    const dynamoTarget = { endpointUrl: endpoints.dynamodb, region: LOCAL_REGION };
    console.log("publish the sample order:");
    console.log(`  ${publishCommand(resources.topicArn, sqsTarget)}`);
    console.log("read it back:");
    console.log(`  ${awsCli("dynamodb get-item", dynamoTarget)} --table-name ${resources.tableName} --key '{"orderId":{"S":"O1234"}}'`);
    console.log(`see the dead-letter queue: npm run dlq -- list --stack ${values.stack}`);

    if (values.demo) {
        const ok = await runDemo(pipeline, (listener) => logListeners.push(listener), (line) => console.log(line));
        await pipeline.stop();
        fs.closeSync(logFile);
        return ok ? 0 : 1;
    }

    console.log("Ctrl-C stops everything.");
    await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
    });
    console.log("[local] stopping");
    process.once("SIGINT", () => process.exit(130));
    await pipeline.stop();
    fs.closeSync(logFile);
    return 0;
}

runCommand("npm run local", main);
