// npm run dlq -- list|redrive [--stack dev] [--aws] [--sqs-port N] [--limit N]
// Shows what is in the dead-letter queue, with the reason the function logged for each message where it
// can be found, and moves messages back to the order queue. Locally it talks to `npm run local`'s
// emulators; with --aws, to the deployed stack named by --stack, through its outputs.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
    GetQueueAttributesCommand,
    GetQueueUrlCommand,
    SQSClient,
    StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { parseArgs } from "node:util";
import { physicalNames } from "../../infra/naming";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../emulators/clients";
import { unwrap } from "../event-source/messages";
import { parseFunctionLog, type RecordLine } from "../function-log";
import { DEFAULT_SQS_PORT, functionLogFile } from "../pipeline";
import { peekQueue } from "../event-source/queues";
import { moveMessages } from "../event-source/moves";
import { runCommand } from "../../infra/command-line";

const USAGE = `usage: npm run dlq -- <list|redrive> [--stack NAME] [--aws] [--sqs-port N] [--limit N]
  list      show the messages in the dead-letter queue and why the function rejected them
  redrive   move them back to the order queue (on AWS: an SQS message move task)
  --stack   the stack (default dev)
  --aws     the deployed stack, through \`pulumi stack output\` and your AWS credentials;
            without it, the local pipeline of \`npm run local\`
  --sqs-port  the local pipeline's SNS/SQS port (default 4566, or LOCAL_SQS_PORT)
  --limit   list at most this many messages (default 100)`;

interface Target {
    readonly sqs: SQSClient;
    readonly queueUrl: string;
    readonly deadLetterQueueUrl: string;
    /** The reason the function logged for a message, where it can be found. */
    reasonFor(messageId: string): Promise<string | undefined>;
    readonly aws: boolean;
}

async function localTarget(stack: string, sqsPort: number): Promise<Target> {
    const sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: `http://127.0.0.1:${sqsPort}`, maxAttempts: 1 });
    const names = physicalNames(stack);
    let queueUrl: string | undefined;
    let deadLetterQueueUrl: string | undefined;
    try {
        queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.queue }))).QueueUrl;
        deadLetterQueueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.deadLetterQueue }))).QueueUrl;
    } catch (error) {
        throw new Error(
            `no local pipeline for stack ${stack} on 127.0.0.1:${sqsPort} (${error instanceof Error ? error.message : String(error)}): ` +
                "start it with npm run local, or pass --aws for the deployed stack",
        );
    }
    const reasons = new Map<string, RecordLine>();
    const file = functionLogFile(stack);
    if (fs.existsSync(file)) {
        for (const line of fs.readFileSync(file, "utf8").split("\n")) {
            const entry = parseFunctionLog(line);
            if (entry?.kind === "record" && entry.reason) reasons.set(entry.messageId, entry);
        }
    }
    return { sqs, queueUrl: queueUrl!, deadLetterQueueUrl: deadLetterQueueUrl!, reasonFor: async (id) => reasons.get(id)?.reason, aws: false };
}

async function awsTarget(stack: string): Promise<Target> {
    const run = spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8" });
    if (run.error || run.status !== 0) {
        throw new Error(`pulumi stack output --stack ${stack} failed: ${run.error?.message ?? run.stderr.trim()} (is the Pulumi CLI installed and logged in?)`);
    }
    const outputs = JSON.parse(run.stdout) as Record<string, string>;
    const sqs = new SQSClient({});
    const logs = new CloudWatchLogsClient({});
    return {
        sqs,
        queueUrl: outputs.queueUrl!,
        deadLetterQueueUrl: outputs.deadLetterQueueUrl!,
        aws: true,
        reasonFor: async (messageId) => {
            const found = await logs.send(
                new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${outputs.functionName}`, filterPattern: `"${messageId}"`, limit: 50 }),
            );
            let reason: string | undefined;
            for (const event of found.events ?? []) {
                // With the JSON log format the runtime may wrap the function's line in its own "message".
                const outer = parseFunctionLog(event.message ?? "");
                const inner = outer ?? (() => {
                    try {
                        const wrapped = JSON.parse(event.message ?? "") as { message?: unknown };
                        return typeof wrapped.message === "string" ? parseFunctionLog(wrapped.message) : undefined;
                    } catch {
                        return undefined;
                    }
                })();
                if (inner?.kind === "record" && inner.messageId === messageId && inner.reason) reason = inner.reason;
            }
            return reason;
        },
    };
}

async function list(target: Target, limit: number): Promise<void> {
    const messages = await peekQueue(target.sqs, target.deadLetterQueueUrl, limit);
    console.log(`${messages.length} message(s) in ${target.deadLetterQueueUrl}${messages.length === limit ? ` (the first ${limit})` : ""}`);
    for (const m of messages) {
        const sent = m.Attributes?.SentTimestamp ? new Date(Number(m.Attributes.SentTimestamp)).toISOString() : "?";
        const order = unwrap(m.Body ?? "");
        const reason = (await target.reasonFor(m.MessageId!)) ?? "not found in the function's log";
        console.log(`- ${m.MessageId}  sent ${sent}  received ${m.Attributes?.ApproximateReceiveCount ?? "?"} times`);
        console.log(`  order:  ${order.length > 200 ? `${order.slice(0, 200)}… (${order.length} characters)` : order}`);
        console.log(`  reason: ${reason}`);
    }
}

async function redrive(target: Target): Promise<void> {
    if (target.aws) {
        const arn = (await target.sqs.send(new GetQueueAttributesCommand({ QueueUrl: target.deadLetterQueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
        const task = await target.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn }));
        console.log(`started an SQS message move task from ${arn} back to its source queue (task ${task.TaskHandle}); see it in the SQS console or with aws sqs list-message-move-tasks --source-arn ${arn}`);
        return;
    }
    // fauxqs has no StartMessageMoveTask: each message is sent back, then deleted (never lost).
    const moved = await moveMessages(target.sqs, target.deadLetterQueueUrl, target.queueUrl);
    console.log(`moved ${moved} message(s) from ${target.deadLetterQueueUrl} to ${target.queueUrl}`);
}

async function main(): Promise<number> {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: {
            stack: { type: "string", default: "dev" },
            aws: { type: "boolean", default: false },
            "sqs-port": { type: "string" },
            limit: { type: "string", default: "100" },
            help: { type: "boolean", default: false },
        },
    });
    const command = positionals[0];
    if (values.help || (command !== "list" && command !== "redrive") || positionals.length !== 1) {
        console.log(USAGE);
        return values.help ? 0 : 2;
    }
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit is "${values.limit}"; allowed: a whole number from 1`);
    const sqsPort = Number(values["sqs-port"] ?? process.env.LOCAL_SQS_PORT ?? DEFAULT_SQS_PORT);
    const target = values.aws ? await awsTarget(values.stack) : await localTarget(values.stack, sqsPort);
    if (command === "list") await list(target, limit);
    else await redrive(target);
    return 0;
}

runCommand("npm run dlq", main);
