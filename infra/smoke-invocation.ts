// The smoke invocation a new function version must answer before the alias `live` (which the event source mapping
// invokes) moves to it: an SQS event with no records, through Lambda's Invoke API on that very version. The function's
// init runs (its settings, its clients, its priming reads of the table and the queue, which fail the init when the
// version cannot use them), then the answer must be an empty partial batch response. Anything else fails `pulumi up`
// with the function's own error, and the alias stays where it was, on the version that works.
//
// Run by the stack (infra/order-pipeline.ts, through @pulumi/command) as
//   node --import tsx infra/smoke-invocation.ts
// with SMOKE_FUNCTION_NAME, SMOKE_QUALIFIER (the version) and AWS_REGION; the deploy's own credentials sign the call.
// Invoke: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (X-Amz-Function-Error "Unhandled" when the
// function or its init failed; LogType Tail returns the last 4 KB of the function's log).
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from "@aws-sdk/client-lambda";

/** The event: what Lambda's SQS event source would send with no message, which the function answers without a write. */
export const SMOKE_EVENT = '{"Records":[]}';

/** The command the stack runs, from the repository root. */
export const SMOKE_COMMAND = "node --import tsx infra/smoke-invocation.ts";

/** What Lambda's Invoke answered, as far as the verdict needs it. */
export interface InvokeAnswer {
    readonly statusCode: number | undefined;
    /** X-Amz-Function-Error: set when the function (or its init) failed. */
    readonly functionError: string | undefined;
    readonly payload: string;
    /** The tail of the function's log for this invocation, when Lambda returned it. */
    readonly logTail?: string;
}

/** Undefined when the version may take orders; else why not, with the function's own error. */
export function smokeVerdict(answer: InvokeAnswer): string | undefined {
    const log = answer.logTail ? `\nthe function's log (last 4 KB):\n${answer.logTail.trimEnd()}` : "";
    if (answer.functionError) return `the function failed (${answer.functionError}): ${describePayload(answer.payload)}${log}`;
    if (answer.statusCode !== 200) return `Lambda answered the invocation with status ${answer.statusCode ?? "none"}: ${describePayload(answer.payload)}${log}`;
    let body: unknown;
    try {
        body = JSON.parse(answer.payload);
    } catch {
        return `the function's answer is not JSON: ${answer.payload.slice(0, 500)}${log}`;
    }
    const failures = (body as { batchItemFailures?: unknown } | null)?.batchItemFailures;
    if (!Array.isArray(failures) || failures.length !== 0 || Object.keys(body as object).length !== 1) {
        return `the function's answer to an event with no records is ${answer.payload.slice(0, 500)}, not {"batchItemFailures":[]}${log}`;
    }
    return undefined;
}

/** An error payload (`{"errorType","errorMessage"}`) as one line, else the payload itself. */
function describePayload(payload: string): string {
    try {
        const { errorType, errorMessage } = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
        if (typeof errorType === "string" || typeof errorMessage === "string") return [errorType, errorMessage].filter((x) => typeof x === "string").join(": ");
    } catch {
        // not JSON: shown as it is
    }
    return payload.slice(0, 1000) || "(no payload)";
}

/** Invokes `functionName` at `qualifier` with the smoke event and reads the answer. */
export async function smokeInvoke(client: Pick<LambdaClient, "send">, functionName: string, qualifier: string): Promise<InvokeAnswer> {
    const output = (await client.send(
        new InvokeCommand({ FunctionName: functionName, Qualifier: qualifier, InvocationType: "RequestResponse", LogType: "Tail", Payload: new TextEncoder().encode(SMOKE_EVENT) }),
    )) as InvokeCommandOutput;
    return {
        statusCode: output.StatusCode,
        functionError: output.FunctionError,
        payload: output.Payload ? new TextDecoder().decode(output.Payload) : "",
        logTail: output.LogResult ? Buffer.from(output.LogResult, "base64").toString("utf8") : undefined,
    };
}

async function main(): Promise<number> {
    const functionName = process.env.SMOKE_FUNCTION_NAME;
    const qualifier = process.env.SMOKE_QUALIFIER;
    if (!functionName || !qualifier) {
        process.stderr.write("smoke invocation: set SMOKE_FUNCTION_NAME and SMOKE_QUALIFIER (the stack sets them)\n");
        return 2;
    }
    const client = new LambdaClient({});
    try {
        const reason = smokeVerdict(await smokeInvoke(client, functionName, qualifier));
        if (reason) {
            process.stderr.write(`${functionName} version ${qualifier} failed its smoke invocation; the alias stays on the version that works.\n${reason}\n`);
            return 1;
        }
        process.stdout.write(`${functionName} version ${qualifier} started and answered ${SMOKE_EVENT} with {"batchItemFailures":[]}\n`);
        return 0;
    } finally {
        client.destroy();
    }
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`smoke invocation failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
            process.exit(1);
        },
    );
}
