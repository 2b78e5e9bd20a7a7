// Permissions proven by evaluation: the queue policy and the function role's policy that the dev and prod stacks
// produce (a mock run, ARNs resolved) are evaluated by @cloud-copilot/iam-simulate, an implementation of AWS's policy
// evaluation logic, against a table of requests and the decision AWS must make for each. Every action the function's
// code and Lambda's SQS poller perform is in the table as allowed, derived from the C# sources and AWS's documentation,
// so a missing permission fails here and not in production. Deliberately broken documents show that each part of the
// table can fail.
//
// @cloud-copilot/iam-simulate is AGPL-3.0: a devDependency for this test only. Nothing in infra/, policy/ or the
// function imports it, so nothing deployed or packaged contains it.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as DynamoDB from "@aws-sdk/client-dynamodb";
import * as SQS from "@aws-sdk/client-sqs";
import { anonymousPrincipal, type EvaluationResult, runSimulation, type SimulationRequestPrincipal } from "@cloud-copilot/iam-simulate";
import { ACCOUNT, placeholderBundle, REGION, buildStack } from "./mock-stack";

const OTHER_ACCOUNT = "999999999999";
const FUNCTION_SOURCES = path.join(__dirname, "..", "..", "functions", "OrderProcessor");

/** An IAM policy document, as the stack wrote it or as a fixture breaks it. */
type Document = Record<string, unknown>;

/** What AWS must decide. "denied" is either kind of denial; "denied explicitly" needs a Deny to apply (an Allow matches too). */
type Expectation = "allowed" | "denied" | "denied explicitly";

/** One request of the table: who does what to which resource, in what context, under which policies. */
interface Row {
    readonly name: string;
    readonly expect: Expectation;
    readonly principal: SimulationRequestPrincipal;
    readonly action: string;
    readonly resource: string;
    readonly context: Readonly<Record<string, string>>;
    /** The principal's identity policies: the role's inline policy, or another account's grant of everything. */
    readonly identityPolicies: readonly Document[];
    /** The resource's policy: the order queue's or the dead-letter queue's queue policy; none for the table, logs or X-Ray. */
    readonly resourcePolicy?: Document;
}

/** The documents under test: the two queues' policies and the function role's inline policy. */
interface Documents {
    readonly queuePolicy: Document;
    readonly deadLetterQueuePolicy: Document;
    readonly rolePolicy: Document;
}

/** What a stack's mock run tells about the pipeline: the ARNs a request names, the documents, what the function runs with. */
interface StackUnderTest {
    readonly stack: string;
    readonly documents: Documents;
    readonly arn: { readonly topic: string; readonly queue: string; readonly dlq: string; readonly table: string; readonly logGroup: string };
    /** The function's role session, as Lambda assumes it: assumed-role/<role name>/<function name>. */
    readonly functionPrincipal: string;
    /** The queue Lambda's event source mapping polls. */
    readonly eventSourceArn: string;
    /** True when the function's X-Ray tracing is Active. */
    readonly tracing: boolean;
}

/** Runs `stack` under mocks and reads the documents and ARNs the requests need, checking that they belong together. */
async function stackUnderTest(stack: string): Promise<StackUnderTest> {
    // The function's code plays no part in its permissions' documents: a stand-in bundle spares packaging it.
    const run = await buildStack(stack, {}, { bundle: placeholderBundle() });
    const fn = run.one("aws:lambda/function:Function").inputs;
    const role = run.one("aws:iam/role:Role");
    const rolePolicy = run.one("aws:iam/rolePolicy:RolePolicy");
    const queueName: string = run.one("aws:sqs/queue:Queue", "-queue").inputs.name;
    const tableName: string = run.one("aws:dynamodb/table:Table").inputs.name;
    const queueUrl = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${queueName}`;
    // The inline policy must be the role's, the role the function's, and the function's clients aimed at this table and queue.
    assert.equal(rolePolicy.inputs.role, `${role.name}-id`, "the inline policy is attached to the function's role");
    assert.equal(fn.role, `arn:aws:iam::${ACCOUNT}:role/${role.inputs.name}`, "the function runs as the role");
    assert.equal(fn.environment.variables.TABLE_NAME, tableName);
    assert.equal(fn.environment.variables.ORDER_QUEUE_URL, queueUrl);
    const dlqName: string = run.one("aws:sqs/queue:Queue", "-dlq").inputs.name;
    /** The one queue policy attached to the queue named `name`. */
    const policyOf = (name: string): Document => {
        const attached = run.all("aws:sqs/queuePolicy:QueuePolicy").filter((p) => p.inputs.queueUrl === `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`);
        assert.equal(attached.length, 1, `${name} has one queue policy`);
        return JSON.parse(attached[0]!.inputs.policy) as Document;
    };
    return {
        stack,
        documents: { queuePolicy: policyOf(queueName), deadLetterQueuePolicy: policyOf(dlqName), rolePolicy: JSON.parse(rolePolicy.inputs.policy) as Document },
        arn: {
            topic: `arn:aws:sns:${REGION}:${ACCOUNT}:${run.one("aws:sns/topic:Topic", "-topic").inputs.name}`,
            queue: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`,
            dlq: `arn:aws:sqs:${REGION}:${ACCOUNT}:${dlqName}`,
            table: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableName}`,
            logGroup: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${fn.loggingConfig.logGroup}`,
        },
        functionPrincipal: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.inputs.name}/${fn.name}`,
        eventSourceArn: run.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs.eventSourceArn,
        tracing: fn.tracingConfig?.mode === "Active",
    };
}

// ---- What the function and its event source mapping really do ----

/** One SDK call in the function's C# sources: the API operation, its service, the files that call it. */
interface SdkCall {
    readonly service: "dynamodb" | "sqs";
    readonly operation: string;
    readonly files: readonly string[];
}

/** The API operations of a service, from the names of its JavaScript SDK's commands: the same operations the .NET SDK's IAmazonDynamoDB / IAmazonSQS expose as <Operation>Async. */
const operationsOf = (sdk: object): Set<string> => new Set(Object.keys(sdk).filter((k) => /^[A-Z]\w*Command$/.test(k)).map((k) => k.slice(0, -"Command".length)));
const OPERATIONS = { dynamodb: operationsOf(DynamoDB), sqs: operationsOf(SQS) } as const;

/** Every `.<Operation>Async(` call in `sources` whose name is a DynamoDB or SQS operation (others, such as HttpClient's GetAsync, are not). */
function sdkCalls(sources: ReadonlyArray<{ readonly file: string; readonly text: string }>): SdkCall[] {
    const calls = new Map<string, { service: SdkCall["service"]; operation: string; files: Set<string> }>();
    for (const { file, text } of sources) {
        for (const match of text.matchAll(/\.(\w+)Async\(/g)) {
            const operation = match[1]!;
            const services = (["dynamodb", "sqs"] as const).filter((service) => OPERATIONS[service].has(operation));
            if (services.length === 0) continue;
            if (services.length > 1) throw new Error(`${operation} is both a DynamoDB and an SQS operation: attribute ${file}'s call by hand`);
            const key = `${services[0]}:${operation}`;
            const call = calls.get(key) ?? { service: services[0]!, operation, files: new Set<string>() };
            call.files.add(file);
            calls.set(key, call);
        }
    }
    return [...calls.values()].map((c) => ({ service: c.service, operation: c.operation, files: [...c.files].sort() })).sort((a, b) => `${a.service}:${a.operation}`.localeCompare(`${b.service}:${b.operation}`));
}

/** The function's C# sources: every *.cs under functions/OrderProcessor/, build output (bin/, obj/) aside. */
function functionSources(directory = FUNCTION_SOURCES): Array<{ file: string; text: string }> {
    return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(directory, entry.name);
        if (entry.isDirectory()) return entry.name === "bin" || entry.name === "obj" ? [] : functionSources(full);
        return entry.name.endsWith(".cs") ? [{ file: path.relative(FUNCTION_SOURCES, full), text: fs.readFileSync(full, "utf8") }] : [];
    });
}

/**
 * The IAM action that authorizes an SDK call. SQS's batch operations are authorized by their single-message action
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html:
 * ChangeMessageVisibilityBatch needs sqs:ChangeMessageVisibility, DeleteMessageBatch sqs:DeleteMessage,
 * SendMessageBatch sqs:SendMessage); every other DynamoDB and SQS operation used here by the action of its own name
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html). PartiQL, transactions
 * and bulk operations have no action of their name: the simulator rejects it, and the row's error says to map them here.
 */
function iamAction(call: Pick<SdkCall, "service" | "operation">): string {
    const batch = /^(ChangeMessageVisibility|DeleteMessage|SendMessage)Batch$/.exec(call.operation);
    return call.service === "sqs" && batch ? `sqs:${batch[1]}` : `${call.service}:${call.operation}`;
}

// ---- The table ----

const tls = { "aws:SecureTransport": "true" } as const;
const plainHttp = { "aws:SecureTransport": "false" } as const;
/** Another account's principal, allowed every SQS action by its own account: only the queue policy can stop it. */
const OTHER_ACCOUNT_PRINCIPAL = `arn:aws:iam::${OTHER_ACCOUNT}:role/Intruder`;
const allowAllSqs: Document = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }] };

/** The resource policy AWS evaluates with a request on `resource`: a queue's own; nothing else here has one. */
function resourcePolicyOn(s: StackUnderTest, docs: Documents, resource: string): { resourcePolicy?: Document } {
    if (resource === s.arn.queue) return { resourcePolicy: docs.queuePolicy };
    if (resource === s.arn.dlq) return { resourcePolicy: docs.deadLetterQueuePolicy };
    return {};
}

/** SNS delivering to `queue` on behalf of the topic `sourceArn` (none: a delivery that names no topic). */
function snsSends(name: string, expect: Expectation, s: StackUnderTest, docs: Documents, options: { sourceArn?: string; queue?: string; context?: Record<string, string> }): Row {
    const sourceArn = options.sourceArn;
    const source: Record<string, string> = sourceArn === undefined ? {} : { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceArn.split(":")[4]! };
    const queue = options.queue ?? s.arn.queue;
    return {
        name,
        expect,
        principal: "sns.amazonaws.com",
        action: "sqs:SendMessage",
        resource: queue,
        context: { ...tls, ...source, ...options.context },
        identityPolicies: [],
        ...resourcePolicyOn(s, docs, queue),
    };
}

/** The function's role doing `action` on `resource` over TLS (unless `context` says otherwise); the order queue's policy applies to requests on it. */
function roleDoes(name: string, expect: Expectation, s: StackUnderTest, docs: Documents, action: string, resource: string, context: Record<string, string> = {}): Row {
    return {
        name,
        expect,
        principal: s.functionPrincipal,
        action,
        resource,
        context: { ...tls, "aws:PrincipalAccount": ACCOUNT, ...context },
        identityPolicies: [docs.rolePolicy],
        ...resourcePolicyOn(s, docs, resource),
    };
}

/** An operator in the stack's account, allowed every SQS action by their own policy, receiving from the dead-letter queue (the runbook's `npm run dlq -- list --aws`). */
function operatorReadsDeadLetters(name: string, expect: Expectation, s: StackUnderTest, docs: Documents, context: Record<string, string>): Row {
    return {
        name,
        expect,
        principal: `arn:aws:iam::${ACCOUNT}:role/Operator`,
        action: "sqs:ReceiveMessage",
        resource: s.arn.dlq,
        context: { ...context, "aws:PrincipalAccount": ACCOUNT },
        identityPolicies: [allowAllSqs],
        ...resourcePolicyOn(s, docs, s.arn.dlq),
    };
}

/** A log stream of `logGroupArn`: CreateLogStream and PutLogEvents are authorized on the stream (service authorization reference, CloudWatch Logs). */
const logStream = (logGroupArn: string) => `${logGroupArn}:log-stream:2026/01/01/[$LATEST]0123456789abcdef`;

/** What the function and its event source mapping perform, each as an allowed row, with where it comes from. */
function performed(s: StackUnderTest, docs: Documents, calls: readonly SdkCall[]): Row[] {
    const rows: Row[] = calls.map((call) =>
        roleDoes(
            `the function's code calls ${call.operation}Async: ${iamAction(call)} on the ${call.service === "dynamodb" ? "table" : "order queue"}`,
            "allowed",
            s,
            docs,
            iamAction(call),
            // The code's DynamoDB client writes TABLE_NAME, its SQS client ORDER_QUEUE_URL (checked in stackUnderTest).
            call.service === "dynamodb" ? s.arn.table : s.arn.queue,
        ),
    );
    // Lambda's poller reads the queue with the execution role: "Setting up Lambda execution role permissions",
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html (the AWSLambdaSQSQueueExecutionRole
    // policy; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html
    // lists sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes).
    for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]) {
        rows.push(roleDoes(`the event source mapping's poller: ${action} on the queue it polls`, "allowed", s, docs, action, s.eventSourceArn));
    }
    // Lambda uploads the function's logs with the execution role (AWSLambdaBasicExecutionRole's logs:CreateLogGroup,
    // logs:CreateLogStream, logs:PutLogEvents: https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
    // The stack creates the log group itself, so of the three only the stream and the events are Lambda's to do.
    for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
        rows.push(roleDoes(`Lambda writing the function's logs: ${action} on its log group`, "allowed", s, docs, action, logStream(s.arn.logGroup)));
    }
    // Active tracing uploads trace data with the execution role (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html,
    // AWSXRayDaemonWriteAccess): the uploads are these two actions.
    if (s.tracing) {
        for (const action of ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]) {
            rows.push(roleDoes(`Lambda tracing the function: ${action} on "*" (X-Ray has no resource-level permissions)`, "allowed", s, docs, action, "*"));
        }
    }
    return rows;
}

/** Every request of the table for stack `s`, evaluated against `docs` (the stack's own, or a broken fixture). */
function table(s: StackUnderTest, docs: Documents, calls: readonly SdkCall[]): Row[] {
    const otherTopic = `arn:aws:sns:${REGION}:${ACCOUNT}:OtherTopic`;
    const sameNameElsewhere = s.arn.topic.replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`);
    const otherTable = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/OtherTable`;
    const otherQueue = `arn:aws:sqs:${REGION}:${ACCOUNT}:OtherQueue`;
    const otherLogGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/OtherFunction`;
    const consume = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"];
    return [
        // The queue policy: only the order topic, through SNS, over TLS.
        snsSends("SNS delivers the order topic's message", "allowed", s, docs, { sourceArn: s.arn.topic }),
        snsSends("SNS delivers the order topic's message without TLS", "denied explicitly", s, docs, { sourceArn: s.arn.topic, context: plainHttp }),
        snsSends("SNS delivers another topic's message", "denied", s, docs, { sourceArn: otherTopic }),
        snsSends("SNS delivers a same-named topic of another account", "denied", s, docs, { sourceArn: sameNameElsewhere }),
        snsSends("SNS delivers with no source topic", "denied", s, docs, {}),
        snsSends("SNS delivers the order topic's message to the dead-letter queue", "denied", s, docs, { sourceArn: s.arn.topic, queue: s.arn.dlq }),
        {
            name: "another account's principal, allowed sqs:* by its own account, sends",
            expect: "denied",
            principal: OTHER_ACCOUNT_PRINCIPAL,
            action: "sqs:SendMessage",
            resource: s.arn.queue,
            context: { ...tls, "aws:PrincipalAccount": OTHER_ACCOUNT },
            identityPolicies: [allowAllSqs],
            resourcePolicy: docs.queuePolicy,
        },
        { name: "an anonymous request sends", expect: "denied", principal: anonymousPrincipal, action: "sqs:SendMessage", resource: s.arn.queue, context: tls, identityPolicies: [], resourcePolicy: docs.queuePolicy },
        // The role: its table, its queue, its log group; nothing more.
        ...["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"].map((a) => roleDoes(`the role: ${a} on the table`, "allowed", s, docs, a, s.arn.table)),
        ...["dynamodb:DeleteItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchWriteItem"].map((a) => roleDoes(`the role: ${a} on the table`, "denied", s, docs, a, s.arn.table)),
        roleDoes("the role: dynamodb:GetItem on another table", "denied", s, docs, "dynamodb:GetItem", otherTable),
        ...consume.map((a) => roleDoes(`the role: ${a} on the order queue`, "allowed", s, docs, a, s.arn.queue)),
        roleDoes("the role: sqs:ReceiveMessage on the order queue without TLS", "denied explicitly", s, docs, "sqs:ReceiveMessage", s.arn.queue, plainHttp),
        ...consume.map((a) => roleDoes(`the role: ${a} on the dead-letter queue`, "denied", s, docs, a, s.arn.dlq)),
        // The dead-letter queue's policy: whole orders, readable by the account's operators over TLS only.
        operatorReadsDeadLetters("an operator of the account reads the dead-letter queue", "allowed", s, docs, tls),
        operatorReadsDeadLetters("an operator of the account reads the dead-letter queue without TLS", "denied explicitly", s, docs, plainHttp),
        ...consume.map((a) => roleDoes(`the role: ${a} on another queue`, "denied", s, docs, a, otherQueue)),
        ...["logs:CreateLogStream", "logs:PutLogEvents"].map((a) => roleDoes(`the role: ${a} on its log group`, "allowed", s, docs, a, logStream(s.arn.logGroup))),
        ...["logs:CreateLogStream", "logs:PutLogEvents"].map((a) => roleDoes(`the role: ${a} on another log group`, "denied", s, docs, a, logStream(otherLogGroup))),
        // Everything the function and the event source mapping really do.
        ...performed(s, docs, calls),
    ];
}

/** AWS's decision for `row`, by the simulator. A request or document it cannot evaluate (an unknown action, say) throws. */
async function decide(row: Row): Promise<EvaluationResult> {
    const result = await runSimulation(
        {
            request: { principal: row.principal, action: row.action, resource: { resource: row.resource, accountId: row.resource === "*" ? ACCOUNT : row.resource.split(":")[4]! }, contextVariables: { ...row.context } },
            identityPolicies: row.identityPolicies.map((policy, index) => ({ name: `identity-${index}`, policy })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            ...(row.resourcePolicy ? { resourcePolicy: row.resourcePolicy } : {}),
        },
        { simulationMode: "Strict" },
    );
    if (result.resultType === "error") throw new Error(`${row.name}: the simulator cannot evaluate ${row.action} on ${row.resource}: ${JSON.stringify(result.errors)}; if ${row.action} is not an IAM action, map the SDK call in iamAction`);
    if (result.resultType !== "single") throw new Error(`${row.name}: ${row.resource} matched as a pattern; a request names one resource`);
    return result.overallResult;
}

const meets = (decision: EvaluationResult, expect: Expectation): boolean =>
    expect === "allowed" ? decision === "Allowed" : expect === "denied explicitly" ? decision === "ExplicitlyDenied" : decision !== "Allowed";

/** The rows whose decision is not the expected one, as "<row>: expected <…>, decided <…>". */
async function failures(rows: readonly Row[]): Promise<string[]> {
    const failed: string[] = [];
    for (const row of rows) {
        const decision = await decide(row);
        if (!meets(decision, row.expect)) failed.push(`${row.name}: expected ${row.expect}, decided ${decision}`);
    }
    return failed;
}

// ---- The tests ----

describe("the function's SDK calls, derived from its C# sources", () => {
    it("finds each DynamoDB and SQS operation called as <Operation>Async, and only those", () => {
        const sources = [
            { file: "A.cs", text: "var r = await client.PutItemAsync(request, ct);\nawait _http.GetAsync(\"next\");\nawait store.SaveAsync(order);" },
            { file: "B.cs", text: "await sqs.ChangeMessageVisibilityBatchAsync(\n request, ct);\nawait client.PutItemAsync(x);\nawait c.ScanAsync(s);" },
        ];
        assert.deepEqual(sdkCalls(sources), [
            { service: "dynamodb", operation: "PutItem", files: ["A.cs", "B.cs"] },
            { service: "dynamodb", operation: "Scan", files: ["B.cs"] },
            { service: "sqs", operation: "ChangeMessageVisibilityBatch", files: ["B.cs"] },
        ]);
        assert.deepEqual(sdkCalls(sources).map(iamAction), ["dynamodb:PutItem", "dynamodb:Scan", "sqs:ChangeMessageVisibility"]);
    });

    it("the function's sources call at least PutItem and GetItem (the scan reads the real code)", () => {
        const found = sdkCalls(functionSources()).map((c) => `${c.service}:${c.operation}`);
        for (const expected of ["dynamodb:PutItem", "dynamodb:GetItem"]) assert.ok(found.includes(expected), `${expected} not found among ${found.join(", ")}`);
    });
});

describe("the simulator's licence", () => {
    it("@cloud-copilot/iam-simulate (AGPL-3.0) is a devDependency that no deployed or packaged code names", () => {
        const root = path.join(__dirname, "..", "..");
        const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
        assert.ok(manifest.devDependencies?.["@cloud-copilot/iam-simulate"], "a devDependency");
        assert.equal(manifest.dependencies?.["@cloud-copilot/iam-simulate"], undefined, "not a dependency");
        const naming = (directory: string): string[] =>
            fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
                const full = path.join(directory, entry.name);
                if (entry.isDirectory()) return ["node_modules", "bin", "obj"].includes(entry.name) ? [] : naming(full);
                return /\.(ts|js|cs|json|ya?ml)$/.test(entry.name) && fs.readFileSync(full, "utf8").includes("@cloud-copilot") ? [path.relative(root, full)] : [];
            });
        for (const deployed of ["infra", "policy", "functions", "local"]) assert.deepEqual(naming(path.join(root, deployed)), [], `${deployed}/ names the simulator`);
    });
});

// One suite runs the stacks one after the other (mock-stack runs one program at a time), then declares a test per row.
describe("permissions, evaluated", async () => {
    const calls = sdkCalls(functionSources());
    const dev = await stackUnderTest("dev");
    const prod = await stackUnderTest("prod");

    for (const s of [dev, prod]) {
        describe(`${s.stack}: every request gets the decision AWS must make`, () => {
            for (const row of table(s, s.documents, calls)) {
                it(`${row.name}: ${row.expect}`, async () => {
                    const decision = await decide(row);
                    assert.ok(meets(decision, row.expect), `decided ${decision}`);
                });
            }
        });
    }

    describe("broken documents fail the table (dev), each where it is broken", () => {
        /** The dev documents with one document's statements changed by `change`. */
        const broken = (which: keyof Documents, change: (statements: Array<Record<string, unknown>>) => void): Documents => {
            const document = JSON.parse(JSON.stringify(dev.documents[which])) as { Statement: Array<Record<string, unknown>> };
            change(document.Statement);
            return { ...dev.documents, [which]: document };
        };
        const failing = (docs: Documents) => failures(table(dev, docs, calls));
        const byName = (statements: Array<Record<string, unknown>>, sid: string) => statements.find((s) => s.Sid === sid)!;

        it("ArnLike with a pattern that matches any topic lets other topics in", async () => {
            const docs = broken("queuePolicy", (s) => (byName(s, "OrderTopicSends").Condition = { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }));
            assert.deepEqual(await failing(docs), [
                "SNS delivers another topic's message: expected denied, decided Allowed",
                "SNS delivers a same-named topic of another account: expected denied, decided Allowed",
            ]);
        });

        it("ArnEqualsIfExists, the wrong operator, lets a delivery that names no topic in", async () => {
            const docs = broken("queuePolicy", (s) => (byName(s, "OrderTopicSends").Condition = { ArnEqualsIfExists: { "aws:SourceArn": dev.arn.topic } }));
            assert.deepEqual(await failing(docs), ["SNS delivers with no source topic: expected denied, decided Allowed"]);
        });

        it('Principal "*" with no condition in place of the SNS service lets everyone send', async () => {
            const docs = broken("queuePolicy", (s) => {
                const allow = byName(s, "OrderTopicSends");
                allow.Principal = "*";
                delete allow.Condition;
            });
            assert.deepEqual(await failing(docs), [
                "SNS delivers another topic's message: expected denied, decided Allowed",
                "SNS delivers a same-named topic of another account: expected denied, decided Allowed",
                "SNS delivers with no source topic: expected denied, decided Allowed",
                "another account's principal, allowed sqs:* by its own account, sends: expected denied, decided Allowed",
                "an anonymous request sends: expected denied, decided Allowed",
            ]);
        });

        it("a TLS Deny whose condition never holds (Null aws:SecureTransport: the key is always present) denies nothing", async () => {
            // Not `Bool "False"`: IAM, the simulator and the pack all read "False" as false, so that Deny still applies.
            const docs = broken("queuePolicy", (s) => (byName(s, "DenyWithoutTls").Condition = { Null: { "aws:SecureTransport": "true" } }));
            assert.deepEqual(await failing(docs), [
                "SNS delivers the order topic's message without TLS: expected denied explicitly, decided Allowed",
                "the role: sqs:ReceiveMessage on the order queue without TLS: expected denied explicitly, decided Allowed",
            ]);
        });

        it("a dead-letter queue policy whose TLS Deny names the order queue (a copy-paste) lets plain HTTP read whole orders", async () => {
            const docs = broken("deadLetterQueuePolicy", (s) => (byName(s, "DenyWithoutTls").Resource = dev.arn.queue));
            assert.deepEqual(await failing(docs), ["an operator of the account reads the dead-letter queue without TLS: expected denied explicitly, decided Allowed"]);
        });

        it("a key spelled aws:sourcearn is no defect: condition key names are not case-sensitive", async () => {
            // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
            const docs = broken("queuePolicy", (s) => (byName(s, "OrderTopicSends").Condition = { ArnEquals: { "aws:sourcearn": dev.arn.topic } }));
            assert.deepEqual(await failing(docs), []);
        });

        it("a role policy without dynamodb:GetItem fails the code's GetItemAsync, not only the hand-written row", async () => {
            const docs = broken("rolePolicy", (s) => (byName(s, "StoreOrders").Action = ["dynamodb:PutItem", "dynamodb:UpdateItem"]));
            assert.deepEqual(await failing(docs), [
                "the role: dynamodb:GetItem on the table: expected allowed, decided ImplicitlyDenied",
                "the function's code calls GetItemAsync: dynamodb:GetItem on the table: expected allowed, decided ImplicitlyDenied",
            ]);
        });

        it('"dynamodb:*" on the table allows what the function must not do', async () => {
            const docs = broken("rolePolicy", (s) => (byName(s, "StoreOrders").Action = ["dynamodb:*"]));
            assert.deepEqual(await failing(docs), [
                "the role: dynamodb:DeleteItem on the table: expected denied, decided Allowed",
                "the role: dynamodb:Scan on the table: expected denied, decided Allowed",
                "the role: dynamodb:Query on the table: expected denied, decided Allowed",
                "the role: dynamodb:BatchWriteItem on the table: expected denied, decided Allowed",
            ]);
        });

        it("a queue ARN pattern (Order*) also reaches the dead-letter queue", async () => {
            const docs = broken("rolePolicy", (s) => (byName(s, "ConsumeOrderQueue").Resource = [`arn:aws:sqs:${REGION}:${ACCOUNT}:Order*`]));
            assert.deepEqual(await failing(docs), [
                "the role: sqs:ReceiveMessage on the dead-letter queue: expected denied, decided Allowed",
                "the role: sqs:DeleteMessage on the dead-letter queue: expected denied, decided Allowed",
                "the role: sqs:GetQueueAttributes on the dead-letter queue: expected denied, decided Allowed",
                "the role: sqs:ChangeMessageVisibility on the dead-letter queue: expected denied, decided Allowed",
            ]);
        });

        it("a log group pattern (/aws/lambda/*) reaches other functions' logs", async () => {
            const docs = broken("rolePolicy", (s) => (byName(s, "WriteOwnLogs").Resource = [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/*`]));
            assert.deepEqual(await failing(docs), [
                "the role: logs:CreateLogStream on another log group: expected denied, decided Allowed",
                "the role: logs:PutLogEvents on another log group: expected denied, decided Allowed",
            ]);
        });

        it("an SDK call with no allowing statement fails its row: a Scan added to the code", async () => {
            const rows = table(dev, dev.documents, [...calls, { service: "dynamodb", operation: "Scan", files: ["Storage/Example.cs"] }]);
            assert.deepEqual(await failures(rows), ["the function's code calls ScanAsync: dynamodb:Scan on the table: expected allowed, decided ImplicitlyDenied"]);
        });
    });
});
