// npm run event -- sqs --order FILE|JSON [--raw] [--count N] [--stack dev] [--queue NAME]
// npm run event -- sns --order FILE|JSON [--stack dev]
// Events to start from, as AWS delivers them and as the pipeline's poller builds them, for the stack's names: `sqs`
// writes the event Lambda's SQS event source would give the function for N published copies of an order (enveloped as
// SNS delivers it, or --raw as with raw message delivery); `sns` writes what SNS puts into the SQS message's body.
// `npm run event -- sqs --order … | npm run invoke -- --event -` invokes the function with it. See the README.
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { runCommand } from "../../infra/command-line";
import { physicalNames } from "../../infra/naming";
import { LOCAL_ACCOUNT, LOCAL_REGION } from "../emulators/clients";
import { toSqsEvent } from "../event-source/poller";
import { receivedMessage, snsEnvelope } from "../event-source/synthetic";

const USAGE = `usage: npm run event -- sqs --order FILE|JSON [--raw] [--count N] [--stack NAME] [--queue NAME]
       npm run event -- sns --order FILE|JSON [--stack NAME]
  --order   the order: a JSON file, or the JSON itself (any text is taken as it is: a bad order makes a good test)
  --raw     the body is the order itself (raw message delivery), not the SNS envelope
  --count   N copies in one batch, each its own message (1 to 10000; default 1)
  --stack   whose names to use (default dev): the topic, the queue
  --queue   another queue name for the event's eventSourceARN`;

/** The order text: a file's content when `value` names a file, else `value` itself. */
export function readOrder(value: string): string {
    return value !== "-" && !value.trimStart().startsWith("{") && fs.existsSync(value) ? fs.readFileSync(value, "utf8").trim() : value;
}

/** The SQS event for `count` copies of `order`, as the poller builds it from what SQS returns. */
export function sqsEvent(order: string, options: { readonly stack: string; readonly raw: boolean; readonly count: number; readonly queue?: string }) {
    const names = physicalNames(options.stack);
    const topicArn = `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${names.topic}`;
    const queueArn = `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${options.queue ?? names.queue}`;
    const messages = Array.from({ length: options.count }, () => receivedMessage(options.raw ? order : snsEnvelope(order, topicArn)));
    return toSqsEvent(messages, queueArn, LOCAL_REGION);
}

async function main(): Promise<number> {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: {
            order: { type: "string" },
            raw: { type: "boolean", default: false },
            count: { type: "string", default: "1" },
            stack: { type: "string", default: "dev" },
            queue: { type: "string" },
            help: { type: "boolean", default: false },
        },
    });
    if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    const kind = positionals[0];
    const usage = (problem: string) => {
        process.stderr.write(`npm run event: ${problem}\n${USAGE}\n`);
        return 2;
    };
    if (positionals.length !== 1 || (kind !== "sqs" && kind !== "sns")) return usage(`say sqs or sns${positionals.length ? `, not "${positionals.join(" ")}"` : ""}`);
    if (values.order === undefined) return usage("--order is required");
    const count = Number(values.count);
    if (!Number.isInteger(count) || count < 1 || count > 10000) return usage(`--count is "${values.count}"; allowed: a whole number from 1 to 10000`);
    const order = readOrder(values.order);
    if (kind === "sns") {
        if (values.raw || values.count !== "1" || values.queue) return usage("--raw, --count and --queue are for sqs events");
        process.stdout.write(`${snsEnvelope(order, `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${physicalNames(values.stack).topic}`)}\n`);
        return 0;
    }
    process.stdout.write(`${JSON.stringify(sqsEvent(order, { stack: values.stack, raw: values.raw, count, queue: values.queue }), null, 2)}\n`);
    return 0;
}

if (require.main === module) runCommand("npm run event", main);
