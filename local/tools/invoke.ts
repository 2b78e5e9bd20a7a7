// npm run invoke -- (--event FILE|- | --order FILE|JSON [--raw] [--count N]) [--stack dev] [--set KEY=VALUE]...
//                   [--dynamodb-endpoint URL]
// One invocation of the function as Lambda would make it (sam local invoke -e, for this pipeline): built as the stack
// deploys it, in a fresh execution environment behind the local Runtime API, with the same environment. The
// function's response on standard output; its log lines (as Lambda's log-level filter keeps them), what table it used
// and how long init and the invocation took on standard error. Exit 0 when the function answered (even with
// batchItemFailures), 1 when the invocation failed (init error, crash, timeout), 2 for bad usage or an event that is
// not an SQS event. See the README, "npm run invoke".
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runCommand } from "../../infra/command-line";
import { physicalNames } from "../../infra/naming";
import { repositoryRoot } from "../../infra/repository";
import { loadStackSettings, settingOverrides } from "../../infra/stack-file";
import { createClients, dynamoDbSilence, type LocalClients } from "../emulators/clients";
import { createOrdersTable } from "../emulators/provision";
import { type LocalServer, startDynalite } from "../emulators/servers";
import { buildLocalFunction } from "../local-function";
import { DEFAULT_DYNAMODB_PORT } from "../pipeline";
import { ExecutionEnvironments, FunctionInitError } from "../runtime-api/execution-environments";
import { lambdaKeepsLogLine } from "../runtime-api/log-filter";
import { readOrder, sqsEvent } from "./event";

const USAGE = `usage: npm run invoke -- (--event FILE|- | --order FILE|JSON [--raw] [--count N]) [--stack NAME] [--set KEY=VALUE]... [--dynamodb-endpoint URL]
  --event              an SQS event as Lambda delivers it (npm run event makes one), from a file or - for standard input
  --order              an order instead: the event is built around it, as SNS and SQS deliver it (--raw: raw delivery)
  --count              N copies of the order in the batch, each its own message (default 1)
  --stack              whose config and names to use (default dev)
  --set KEY=VALUE      override a stack setting, validated like the stack's (--set functionRuntime=managed)
  --dynamodb-endpoint  the DynamoDB to write to; default: a running npm run local's (port ${DEFAULT_DYNAMODB_PORT}, or LOCAL_DYNAMODB_PORT),
                       else a dynalite started and stopped for this invocation`;

/** Exit statuses: the function answered; the invocation failed; the request was not one. */
const ANSWERED = 0;
const FAILED = 1;
const BAD_USAGE = 2;

/** Why a value is not an SQS event as Lambda's event source delivers it, naming the field; empty when it is one. */
export function sqsEventProblems(event: unknown): string[] {
    if (event === null || typeof event !== "object" || Array.isArray(event)) return ["the event is not a JSON object"];
    const records = (event as { Records?: unknown }).Records;
    if (!Array.isArray(records)) return ['"Records" is missing or not an array: an SQS event is {"Records":[…]}'];
    return records.flatMap((record: unknown, i) => {
        const at = `Records[${i}]`;
        if (record === null || typeof record !== "object" || Array.isArray(record)) return [`${at} is not an object`];
        const r = record as Record<string, unknown>;
        const problems: string[] = [];
        if (typeof r.messageId !== "string" || r.messageId === "") problems.push(`${at}.messageId is missing or not a string`);
        if (r.eventSource !== "aws:sqs") problems.push(`${at}.eventSource is ${JSON.stringify(r.eventSource)}, not "aws:sqs"`);
        if (typeof r.body !== "string") problems.push(`${at}.body is missing or not a string (a message's body is text)`);
        if (r.attributes !== undefined && (r.attributes === null || typeof r.attributes !== "object" || Object.values(r.attributes).some((v) => typeof v !== "string"))) {
            problems.push(`${at}.attributes must be an object of strings (SQS gives "ApproximateReceiveCount": "1", not 1)`);
        }
        return problems;
    });
}

/** The identifiers a partial batch response reports, or none when the answer is not one (it is shown as it is). */
function batchItemFailures(body: string): Array<{ itemIdentifier: string }> {
    try {
        const failures = (JSON.parse(body) as { batchItemFailures?: unknown } | null)?.batchItemFailures;
        return Array.isArray(failures) ? (failures as Array<{ itemIdentifier: string }>) : [];
    } catch {
        return [];
    }
}

/** Clients of a DynamoDB endpoint that answers, or undefined. */
async function answers(endpoint: string): Promise<LocalClients | undefined> {
    const clients = createClients({ sqs: "http://127.0.0.1:9", dynamodb: endpoint });
    if ((await dynamoDbSilence(clients, 2000)) === undefined) return clients;
    clients.destroy();
    return undefined;
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            event: { type: "string" },
            order: { type: "string" },
            raw: { type: "boolean", default: false },
            count: { type: "string", default: "1" },
            stack: { type: "string", default: "dev" },
            set: { type: "string", multiple: true, default: [] },
            "dynamodb-endpoint": { type: "string" },
            help: { type: "boolean", default: false },
        },
    });
    const say = (line: string) => process.stderr.write(`[invoke] ${line}\n`);
    const usage = (problem: string) => {
        process.stderr.write(`npm run invoke: ${problem}\n${USAGE}\n`);
        return BAD_USAGE;
    };
    if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return ANSWERED;
    }
    if ((values.event === undefined) === (values.order === undefined)) return usage("give --event or --order (one of them)");
    if (values.event !== undefined && (values.raw || values.count !== "1")) return usage("--raw and --count go with --order");
    const count = Number(values.count);
    if (!Number.isInteger(count) || count < 1 || count > 10000) return usage(`--count is "${values.count}"; allowed: a whole number from 1 to 10000`);
    let settings;
    try {
        settings = loadStackSettings(values.stack, settingOverrides(values.set));
        physicalNames(values.stack);
    } catch (error) {
        return usage(error instanceof Error ? error.message : String(error));
    }

    let eventText: string;
    if (values.event !== undefined) {
        try {
            eventText = values.event === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(values.event, "utf8");
        } catch (error) {
            return usage(`cannot read the event ${values.event}: ${error instanceof Error ? error.message : String(error)}`);
        }
    } else {
        eventText = JSON.stringify(sqsEvent(readOrder(values.order!), { stack: values.stack, raw: values.raw, count }));
    }
    // `npm run event … | npm run invoke -- --event -`: npm writes its banner ("> order-pipeline@… event" and the command)
    // to standard output before the event; it is not part of it.
    eventText = eventText.replace(/^\s*(?:> [^\n]*\n)+\s*/, "");
    let event: unknown;
    try {
        event = JSON.parse(eventText);
    } catch (error) {
        return usage(`the event is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const problems = sqsEventProblems(event);
    if (problems.length > 0) return usage(`the event is not an SQS event as Lambda delivers it:\n  - ${problems.join("\n  - ")}`);

    const names = physicalNames(values.stack);
    const cleanup: Array<() => Promise<void> | void> = [];
    try {
        // The table: the user's endpoint, or a running npm run local's, or a dynalite of our own.
        let clients: LocalClients | undefined;
        let endpoint = values["dynamodb-endpoint"];
        if (endpoint !== undefined) {
            clients = await answers(endpoint);
            if (!clients) throw new Error(`the DynamoDB endpoint ${endpoint} (--dynamodb-endpoint) does not answer`);
            say(`table ${names.table} at ${endpoint} (--dynamodb-endpoint)`);
        } else {
            const local = `http://127.0.0.1:${process.env.LOCAL_DYNAMODB_PORT || DEFAULT_DYNAMODB_PORT}`;
            clients = await answers(local);
            if (clients) {
                endpoint = local;
                say(`table ${names.table} of the running npm run local at ${local}`);
            } else {
                const dynalite: LocalServer = await startDynalite(0);
                cleanup.push(() => dynalite.close());
                endpoint = dynalite.endpoint;
                clients = createClients({ sqs: "http://127.0.0.1:9", dynamodb: endpoint });
                say(`no npm run local is running: table ${names.table} in a dynalite of its own at ${endpoint}, stopped afterwards`);
            }
        }
        const dynamodb = clients;
        cleanup.push(() => dynamodb.destroy());
        await createOrdersTable(dynamodb, names.table);

        say(`building the function (${settings.functionRuntime}) as the stack deploys it`);
        const fn = await buildLocalFunction({
            runtime: settings.functionRuntime,
            buildRoot: path.join(repositoryRoot, ".build"),
            settings,
            // No queue: the event's receipt handles are not a queue's, so failed records are not backed off here.
            resources: { tableName: names.table, functionName: names.function },
            endpoints: { sqs: "http://127.0.0.1:9", dynamodb: endpoint },
        });
        const initStarted = performance.now();
        let environments: ExecutionEnvironments;
        try {
            environments = await ExecutionEnvironments.start({
                ...fn,
                maximumConcurrency: 1,
                onLog: (line) => {
                    if (lambdaKeepsLogLine(line, settings.logLevel)) process.stderr.write(`${line}\n`);
                },
                onNotice: (message) => say(message),
            });
        } catch (error) {
            if (error instanceof FunctionInitError) {
                say(`init failed after ${(performance.now() - initStarted).toFixed(0)} ms (${error.errorType}): ${error.message}`);
                return FAILED;
            }
            throw error;
        }
        cleanup.push(() => environments.stop());
        const initMs = performance.now() - initStarted;
        const invokeStarted = performance.now();
        const result = await environments.invoke(Buffer.from(eventText), settings.functionTimeoutSeconds * 1000);
        const invokeMs = performance.now() - invokeStarted;
        const timing = `init ${initMs.toFixed(0)} ms, invocation ${invokeMs.toFixed(0)} ms`;
        switch (result.kind) {
            case "ok": {
                process.stdout.write(`${result.body}\n`);
                const failures = batchItemFailures(result.body);
                say(`answered (${timing})${failures.length ? `; ${failures.length} of ${(event as { Records: unknown[] }).Records.length} records reported failed: ${failures.map((f) => f.itemIdentifier).join(", ")}` : ""}`);
                return ANSWERED;
            }
            case "error":
                say(`the invocation failed (${timing}): ${result.message}`);
                return FAILED;
            case "timeout":
                say(`the invocation timed out after ${settings.functionTimeoutSeconds} s (functionTimeoutSeconds)`);
                return FAILED;
            case "crash":
                say(`the function crashed (${timing}): ${result.message}`);
                return FAILED;
        }
        return FAILED;
    } finally {
        for (const stop of cleanup.reverse()) await Promise.resolve().then(stop).catch(() => undefined);
    }
}

if (require.main === module) runCommand("npm run invoke", main);
