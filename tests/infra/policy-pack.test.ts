// The policy pack (policy/): each rule on a good and a bad resource, with the exact message; then the pack itself,
// started the way `pulumi preview --policy-pack policy` starts it and asked over Pulumi's analyzer protocol.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { createRequire } from "node:module";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { deadLetterQueuePolicy, functionPolicy, lambdaAssumeRolePolicy, orderQueuePolicy } from "../../infra/policies";
import {
    encryptedAtRest,
    logGroupRetention,
    noPublicPrincipalWithoutCondition,
    noWildcardDataActions,
    noWildcardResourceOnDataActions,
    queuePolicyDeniesPlainHttp,
    queuePolicySourceArn,
    queuesTlsOnly,
    readableDocuments,
    securityRules,
    stackRules,
    tablePointInTimeRecovery,
} from "../../policy/rules";
import { placeholderBundle, type RecordedResource, buildStack } from "./mock-stack";
import { policyResources, ruleViolations, stackRuleViolations } from "./security-rules";

const QUEUE = "arn:aws:sqs:us-east-1:123456789012:OrderQueue-x";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:OrderTopic-x";
const TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders-x";
const LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/OrderProcessor-x";
const POLICY_DIR = path.join(__dirname, "..", "..", "policy");

const resource = (type: string, inputs: Record<string, unknown>, name = "fixture"): RecordedResource => ({ type, name, inputs, state: inputs });
const rolePolicy = (document: unknown) => resource("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: JSON.stringify(document) });
const queuePolicy = (document: unknown) => resource("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "https://q", policy: JSON.stringify(document) });
const realRolePolicy = () => rolePolicy(functionPolicy({ tableArn: TABLE, queueArn: QUEUE, logGroupArn: LOGS }));
const realQueuePolicy = () => queuePolicy(orderQueuePolicy(QUEUE, TOPIC));

/** The real queue policy with its statements changed by `change` (index 0: the topic's Allow, 1: the TLS Deny). */
function queuePolicyWith(change: (statements: Array<Record<string, unknown>>) => void): RecordedResource {
    const document = JSON.parse(JSON.stringify(orderQueuePolicy(QUEUE, TOPIC))) as { Statement: Array<Record<string, unknown>> };
    change(document.Statement);
    return queuePolicy(document);
}

describe("policy pack rules, each on a good and a bad resource", () => {
    it("iam-documents-readable: a policy without statements is reported; the stack's documents read", () => {
        for (const good of [realRolePolicy(), realQueuePolicy(), resource("aws:iam/role:Role", { assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()) })]) {
            assert.deepEqual(ruleViolations(readableDocuments, good), []);
        }
        assert.deepEqual(ruleViolations(readableDocuments, resource("aws:iam/rolePolicy:RolePolicy", { policy: '{"Version":"2012-10-17"}' })), ["policy has no Statement"]);
        assert.deepEqual(ruleViolations(readableDocuments, resource("aws:iam/role:Role", { assumeRolePolicy: "{}", inlinePolicies: [{ name: "x", policy: "[]" }] })), [
            "assumeRolePolicy has no Statement",
            "inlinePolicies.policy has no Statement",
        ]);
    });

    it('no-wildcard-resource-on-data-actions: a DynamoDB or SQS grant on "*" is caught; X-Ray\'s "*" is not', () => {
        assert.deepEqual(ruleViolations(noWildcardResourceOnDataActions, realRolePolicy()), []);
        const bad = { Version: "2012-10-17", Statement: [{ Sid: "Bad", Effect: "Allow", Action: ["dynamodb:PutItem", "xray:PutTraceSegments"], Resource: "*" }] };
        assert.deepEqual(ruleViolations(noWildcardResourceOnDataActions, rolePolicy(bad)), ['Bad allows dynamodb:PutItem on "*": name the table, queue, topic, bucket or key']);
        const inline = resource("aws:iam/role:Role", { inlinePolicies: [{ name: "i", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "SQS:ReceiveMessage", NotResource: QUEUE }] }) }] });
        assert.deepEqual(ruleViolations(noWildcardResourceOnDataActions, inline), [`statement 1 allows SQS:ReceiveMessage on every resource but ${QUEUE}: name the resources instead`]);
    });

    it('no-wildcard-data-actions: "dynamodb:*", "*" and NotAction are caught; the listed actions pass', () => {
        assert.deepEqual(ruleViolations(noWildcardDataActions, realRolePolicy()), []);
        assert.deepEqual(ruleViolations(noWildcardDataActions, realQueuePolicy()), [], 'the TLS Deny\'s "sqs:*" is a Deny');
        const bad = {
            Statement: [
                { Sid: "StoreOrders", Effect: "Allow", Action: ["dynamodb:*"], Resource: TABLE },
                { Sid: "Everything", Effect: "Allow", Action: "*", Resource: TABLE },
                { Sid: "AllBut", Effect: "Allow", NotAction: "dynamodb:DeleteTable", Resource: TABLE },
            ],
        };
        assert.deepEqual(ruleViolations(noWildcardDataActions, rolePolicy(bad)), [
            "StoreOrders allows dynamodb:*: list the actions it needs",
            "Everything allows *: list the actions it needs",
            "AllBut allows every action but dynamodb:DeleteTable: list the actions it needs",
        ]);
    });

    it("queue-policy-source-arn: no condition, an IfExists operator or a pattern is caught; the order topic's ARN passes", () => {
        assert.deepEqual(ruleViolations(queuePolicySourceArn, realQueuePolicy()), []);
        // Context key names are not case-sensitive (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
        const lowerKey = queuePolicyWith((s) => (s[0]!.Condition = { ArnEquals: { "aws:sourcearn": TOPIC } }));
        assert.deepEqual(ruleViolations(queuePolicySourceArn, lowerKey), []);
        const none = queuePolicyWith((s) => delete s[0]!.Condition);
        assert.deepEqual(ruleViolations(queuePolicySourceArn, none), ["OrderTopicSends lets sns.amazonaws.com send with no condition on aws:SourceArn: name the topic that may send"]);
        const ifExists = queuePolicyWith((s) => (s[0]!.Condition = { ArnEqualsIfExists: { "aws:SourceArn": TOPIC } }));
        assert.deepEqual(ruleViolations(queuePolicySourceArn, ifExists), [
            "OrderTopicSends tests aws:SourceArn with ArnEqualsIfExists, which lets a request that carries no source ARN through: use ArnEquals",
        ]);
        const pattern = queuePolicyWith((s) => (s[0]!.Condition = { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:OrderTopic-*" } }));
        assert.deepEqual(ruleViolations(queuePolicySourceArn, pattern), [
            'OrderTopicSends matches aws:SourceArn against "arn:aws:sns:*:*:OrderTopic-*", which admits other sources: name the exact ARN',
        ]);
    });

    it("queue-policy-denies-plain-http: a missing TLS Deny, or one whose condition never holds, is caught", () => {
        assert.deepEqual(ruleViolations(queuePolicyDeniesPlainHttp, realQueuePolicy()), []);
        const expected = ['no statement denies requests without TLS: add Deny, Principal "*", Action "sqs:*", Condition {"Bool": {"aws:SecureTransport": "false"}}'];
        assert.deepEqual(ruleViolations(queuePolicyDeniesPlainHttp, queuePolicyWith((s) => s.pop())), expected);
        // aws:SecureTransport is in every request, so a Null test of it is never true and the Deny never applies.
        assert.deepEqual(ruleViolations(queuePolicyDeniesPlainHttp, queuePolicyWith((s) => (s[1]!.Condition = { Null: { "aws:SecureTransport": "true" } }))), expected);
        assert.deepEqual(ruleViolations(queuePolicyDeniesPlainHttp, queuePolicyWith((s) => (s[1]!.Action = "sqs:SendMessage"))), expected, "only sends denied");
        const narrowed = queuePolicyWith((s) => (s[1]!.Condition = { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "aws:PrincipalAccount": "999999999999" } }));
        assert.deepEqual(ruleViolations(queuePolicyDeniesPlainHttp, narrowed), expected, "denied to one account only");
        const inline = resource("aws:sqs/queue:Queue", { sqsManagedSseEnabled: true, policy: JSON.stringify({ Statement: [orderQueuePolicy(QUEUE, TOPIC).Statement[0]] }) });
        assert.deepEqual(ruleViolations(queuePolicyDeniesPlainHttp, inline), expected, "a queue's own policy counts as its queue policy");
    });

    it("encrypted-at-rest: an unencrypted table or queue is caught; SSE-SQS or a KMS key passes", () => {
        for (const good of [
            resource("aws:dynamodb/table:Table", { serverSideEncryption: { enabled: true } }),
            resource("aws:sqs/queue:Queue", { sqsManagedSseEnabled: true }),
            resource("aws:sqs/queue:Queue", { kmsMasterKeyId: "alias/orders" }),
        ]) {
            assert.deepEqual(ruleViolations(encryptedAtRest, good), []);
        }
        assert.deepEqual(ruleViolations(encryptedAtRest, resource("aws:dynamodb/table:Table", {})), ["the table is not encrypted with a KMS key: set serverSideEncryption.enabled"]);
        assert.deepEqual(ruleViolations(encryptedAtRest, resource("aws:sqs/queue:Queue", { sqsManagedSseEnabled: false })), [
            "the queue is not encrypted at rest: set sqsManagedSseEnabled (or kmsMasterKeyId)",
        ]);
    });

    it("table-point-in-time-recovery: a table without it is caught", () => {
        assert.deepEqual(ruleViolations(tablePointInTimeRecovery, resource("aws:dynamodb/table:Table", { pointInTimeRecovery: { enabled: true } })), []);
        assert.deepEqual(ruleViolations(tablePointInTimeRecovery, resource("aws:dynamodb/table:Table", { pointInTimeRecovery: { enabled: false } })), [
            "point-in-time recovery is off: set pointInTimeRecovery.enabled",
        ]);
    });

    it("log-group-retention: a log group that keeps logs forever is caught", () => {
        assert.deepEqual(ruleViolations(logGroupRetention, resource("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 14 })), []);
        for (const inputs of [{}, { retentionInDays: 0 }]) {
            assert.deepEqual(ruleViolations(logGroupRetention, resource("aws:cloudwatch/logGroup:LogGroup", inputs)), ["the log group keeps its logs forever: set retentionInDays"]);
        }
    });

    it("no-public-principal-without-condition: everyone allowed with no condition is caught; the TLS Deny and Lambda's trust pass", () => {
        assert.deepEqual(ruleViolations(noPublicPrincipalWithoutCondition, realQueuePolicy()), []);
        assert.deepEqual(ruleViolations(noPublicPrincipalWithoutCondition, resource("aws:iam/role:Role", { assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()) })), []);
        const open = { Statement: [{ Sid: "Open", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: QUEUE }] };
        assert.deepEqual(ruleViolations(noPublicPrincipalWithoutCondition, queuePolicy(open)), ['Open allows everyone ("*") with no condition']);
        const topic = resource("aws:sns/topicPolicy:TopicPolicy", { arn: TOPIC, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "sns:Publish", Resource: TOPIC }] }) });
        assert.deepEqual(ruleViolations(noPublicPrincipalWithoutCondition, topic), ['statement 1 allows everyone ({"AWS":["*"]}) with no condition']);
    });

    it("queues-tls-only: a queue with no policy, or one without the TLS Deny, is caught; the DLQ's own Deny passes", () => {
        const DLQ = "arn:aws:sqs:us-east-1:123456789012:OrderDlq-x";
        const queue = (name: string, arn: string, extra: Record<string, unknown> = {}) =>
            ({ ...resource("aws:sqs/queue:Queue", { sqsManagedSseEnabled: true, ...extra }, name), state: { sqsManagedSseEnabled: true, ...extra, arn, url: `https://${name}` } });
        const attach = (name: string, queueName: string, document: unknown) => resource("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: `https://${queueName}`, policy: JSON.stringify(document) }, name);
        const orders = queue("orders", QUEUE);
        const dlq = queue("dlq", DLQ);
        const good = [orders, dlq, attach("orders-policy", "orders", orderQueuePolicy(QUEUE, TOPIC)), attach("dlq-policy", "dlq", deadLetterQueuePolicy(DLQ))];
        assert.deepEqual(stackRuleViolations(queuesTlsOnly, good), []);
        const fix = 'attach an aws.sqs.QueuePolicy (queueUrl: the queue\'s url) with Deny, Principal "*", Action "sqs:*", Condition {"Bool": {"aws:SecureTransport": "false"}}';
        // The DLQ with no policy at all: the stack's DLQ before this rule.
        assert.deepEqual(stackRuleViolations(queuesTlsOnly, good.slice(0, 3)), [`dlq: the queue accepts requests without TLS: ${fix}`]);
        // A policy attached to the DLQ that allows nothing and denies nothing.
        const empty = attach("dlq-policy", "dlq", { Version: "2012-10-17", Statement: [{ Sid: "Nothing", Effect: "Deny", Principal: "*", Action: "sqs:SendMessage", Resource: DLQ }] });
        assert.deepEqual(stackRuleViolations(queuesTlsOnly, [...good.slice(0, 3), empty]), [`dlq: the queue accepts requests without TLS: ${fix}`]);
        // The order queue's TLS-only policy does not cover another queue.
        assert.deepEqual(stackRuleViolations(queuesTlsOnly, [orders, dlq, attach("orders-policy", "orders", orderQueuePolicy(QUEUE, TOPIC)), attach("dlq-policy", "orders", deadLetterQueuePolicy(DLQ))]), [
            `dlq: the queue accepts requests without TLS: ${fix}`,
        ]);
        // A DLQ policy whose Deny names the order queue (a copy-paste) leaves the DLQ open to plain HTTP.
        const copied = JSON.parse(JSON.stringify(deadLetterQueuePolicy(DLQ)).split(DLQ).join(QUEUE)) as unknown;
        assert.deepEqual(stackRuleViolations(queuesTlsOnly, [...good.slice(0, 3), attach("dlq-policy", "dlq", copied)]), [`dlq: the queue accepts requests without TLS: ${fix}`]);
        // A wildcard resource that covers the queue counts; "False" is false to IAM.
        const wildcard = JSON.parse(JSON.stringify(deadLetterQueuePolicy(DLQ)).split(DLQ).join("arn:aws:sqs:us-east-1:123456789012:*").split('"false"').join('"False"')) as unknown;
        assert.deepEqual(stackRuleViolations(queuesTlsOnly, [...good.slice(0, 3), attach("dlq-policy", "dlq", wildcard)]), []);
        // A queue's own policy input counts as much as an attached one.
        assert.deepEqual(stackRuleViolations(queuesTlsOnly, [orders, queue("dlq", DLQ, { policy: JSON.stringify(deadLetterQueuePolicy(DLQ)) }), good[2]!]), []);
        // Without property dependencies (a URL the program wrote out), the queue policy's queueUrl is matched to the queue's url.
        const literal = policyResources(good).map((r) => Object.assign(r, { dependencies: [], propertyDependencies: {} }));
        const validate = (resources: typeof literal): string[] => {
            const reported: string[] = [];
            queuesTlsOnly.validateStack!({ resources, stackTags: new Map(), getConfig: () => ({}) as never, notApplicable: () => undefined as never }, (m, urn) => reported.push(`${urn}: ${m}`));
            return reported;
        };
        assert.deepEqual(validate(literal), []);
        assert.deepEqual(validate(literal.slice(0, 3)), [`${literal[1]!.urn}: the queue accepts requests without TLS: ${fix}`]);
    });

    it("every rule has a unique name, a description and is mandatory", () => {
        const names = [...securityRules, ...stackRules].map((rule) => rule.name);
        assert.equal(new Set(names).size, names.length);
        for (const rule of [...securityRules, ...stackRules]) {
            assert.match(rule.name, /^[a-z0-9-]+$/, rule.name);
            assert.ok(rule.description.length > 20, rule.name);
            assert.equal(rule.enforcementLevel, "mandatory", rule.name);
        }
    });
});

// What `pulumi preview --policy-pack policy` does (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go and the
// pulumi-analyzer-policy script): in the pack's directory, resolve @pulumi/pulumi/cmd/run-policy-pack as Node resolves it
// from there and run it with the engine's address and "."; it compiles the pack with ts-node and prints the port of the
// analyzer it serves. Here the engine is this test: it asks for the pack's policies and analyzes resources.
const fromPolicyDir = createRequire(path.join(POLICY_DIR, "index.ts"));
const fromPulumi = createRequire(fromPolicyDir.resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = fromPulumi("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const rpc = fromPulumi("./proto/analyzer_grpc_pb") as typeof import("@pulumi/pulumi/proto/analyzer_grpc_pb");
const messages = fromPulumi("./proto/analyzer_pb") as typeof import("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof import("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof import("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

describe("the pack as pulumi preview loads it", () => {
    let pack: ChildProcess | undefined;
    after(() => pack?.kill());

    it("PulumiPolicy.yaml and package.json are what the runner needs: runtime nodejs, a version, no dependencies of their own", () => {
        assert.equal(parseYaml(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")).runtime, "nodejs");
        const manifest = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as Record<string, unknown>;
        assert.match(String(manifest.version), /^\d+\.\d+\.\d+$/, "@pulumi/policy's PolicyPack reads its version from package.json");
        assert.equal(manifest.dependencies, undefined, "the pack uses the root's node_modules: one npm ci");
        assert.equal(fs.existsSync(path.join(POLICY_DIR, "node_modules")), false);
    });

    it("serves every rule as mandatory and reports a bad queue's violations, and none for the stack's own resources", { timeout: 120_000 }, async () => {
        const runner = fromPolicyDir.resolve("@pulumi/pulumi/cmd/run-policy-pack");
        // ts-node's compile cache (Pulumi's vendored ts-node 7) goes to a directory of this test's, removed afterwards.
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-ts-node-"));
        after(() => fs.rmSync(cache, { recursive: true, force: true }));
        const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TS_NODE_CACHE_DIRECTORY: cache } });
        pack = child;
        let stderr = "";
        child.stderr.on("data", (chunk) => (stderr += String(chunk)));
        const port = await new Promise<string>((resolve, reject) => {
            child.stdout.once("data", (chunk) => resolve(String(chunk).trim()));
            child.once("exit", (code) => reject(new Error(`the pack exited (${code}) before serving: ${stderr}`)));
        });
        assert.match(port, /^\d+$/, `the pack printed ${port}, not its port; stderr: ${stderr}`);
        const client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        try {
            const info = await new Promise<import("@pulumi/pulumi/proto/analyzer_pb").AnalyzerInfo>((resolve, reject) =>
                client.getAnalyzerInfo(new Empty(), (error, response) => (error ? reject(error) : resolve(response))),
            );
            assert.equal(info.getName(), "order-pipeline-security");
            assert.deepEqual(
                info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]),
                [...securityRules, ...stackRules].map((rule) => [rule.name, messages.EnforcementLevel.MANDATORY]),
            );

            const analyze = async (r: RecordedResource) => {
                const request = new messages.AnalyzeRequest();
                request.setType(r.type);
                request.setName(r.name);
                request.setUrn(`urn:pulumi:dev::order-pipeline::${r.type}::${r.name}`);
                request.setOptions(new messages.AnalyzerResourceOptions());
                request.setProperties(Struct.fromJavaScript(r.inputs as Record<string, never>));
                const response = await new Promise<import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeResponse>((resolve, reject) =>
                    client.analyze(request, (error, answer) => (error ? reject(error) : resolve(answer))),
                );
                return response.getDiagnosticsList().map((d) => `${d.getPolicyname()} (${d.getEnforcementlevel() === messages.EnforcementLevel.MANDATORY ? "mandatory" : "not mandatory"})`);
            };
            const open = { Statement: [{ Sid: "Open", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: QUEUE }] };
            assert.deepEqual(await analyze(queuePolicy(open)), [
                "queue-policy-source-arn (mandatory)",
                "queue-policy-denies-plain-http (mandatory)",
                "no-public-principal-without-condition (mandatory)",
            ]);
            for (const good of [realQueuePolicy(), realRolePolicy(), resource("aws:sqs/queue:Queue", { sqsManagedSseEnabled: true })]) {
                assert.deepEqual(await analyze(good), [], good.type);
            }

            // The stack rule, as the engine asks after the resource rules: the dev stack's resources with their outputs
            // and their property dependencies (a queue policy's queueUrl on its queue), by URN.
            const analyzeStack = async (resources: readonly RecordedResource[]) => {
                const request = new messages.AnalyzeStackRequest();
                request.setResourcesList(
                    policyResources(resources).map((r) => {
                        const sent = new messages.AnalyzerResource();
                        sent.setType(r.type);
                        sent.setName(r.name);
                        sent.setUrn(r.urn);
                        sent.setOptions(new messages.AnalyzerResourceOptions());
                        sent.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(r.props)) as Record<string, never>));
                        for (const [key, on] of Object.entries(r.propertyDependencies)) {
                            sent.getPropertydependenciesMap().set(key, new messages.AnalyzerPropertyDependencies().setUrnsList(on.map((d) => d.urn)));
                        }
                        return sent;
                    }),
                );
                const response = await new Promise<import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeResponse>((resolve, reject) =>
                    client.analyzeStack(request, (error, answer) => (error ? reject(error) : resolve(answer))),
                );
                return response.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getUrn().split("::").pop()}`);
            };
            const dev = await buildStack("dev", {}, { bundle: placeholderBundle() });
            assert.deepEqual(await analyzeStack(dev.resources), []);
            assert.deepEqual(await analyzeStack(dev.resources.filter((r) => !r.name.endsWith("-dlq-policy"))), ["queues-tls-only: orders-dlq"]);
        } finally {
            client.close();
        }
    });
});
