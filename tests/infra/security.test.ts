// The security rules, proven able to fail on bad fixtures, then applied to every stack file.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { functionPolicy, orderQueuePolicy } from "../../infra/policies";
import { listStacks, readStackFile } from "../../local/stack-file";
import type { RecordedResource } from "./mock-stack";
import { queuePolicyProblems, secretsInConfig, unencrypted, wildcardGrants } from "./security-rules";

const QUEUE = "arn:aws:sqs:us-east-1:123456789012:OrderQueue-x";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:OrderTopic-x";
const resource = (type: string, inputs: Record<string, unknown>): RecordedResource => ({ type, name: "fixture", inputs });

describe("security rules", () => {
    it("a DynamoDB or SQS grant on * is caught; the real function policy has none", () => {
        const bad = { Version: "2012-10-17", Statement: [{ Sid: "Bad", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: "*" }] };
        assert.deepEqual(wildcardGrants([resource("aws:iam/rolePolicy:RolePolicy", { policy: JSON.stringify(bad) })]), [
            "aws:iam/rolePolicy:RolePolicy fixture: Bad allows dynamodb:PutItem on *",
        ]);
        const real = functionPolicy({ tableArn: "arn:table", queueArn: QUEUE, logGroupArn: "arn:logs" });
        assert.deepEqual(wildcardGrants([resource("aws:iam/rolePolicy:RolePolicy", { policy: JSON.stringify(real) })]), []);
    });

    it("a queue policy that admits anyone, another topic or plain HTTP is caught; the real one passes", () => {
        const open = { Version: "2012-10-17", Statement: [{ Sid: "Open", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: QUEUE }] };
        assert.deepEqual(queuePolicyProblems([resource("aws:sqs/queuePolicy:QueuePolicy", { policy: JSON.stringify(open) })], QUEUE, TOPIC), [
            'Open: principal is "*"',
            "Open: not limited to the order topic (aws:SourceArn undefined)",
            "requests without TLS are not denied",
        ]);
        const other = orderQueuePolicy(QUEUE, "arn:aws:sns:us-east-1:123456789012:SomeoneElse");
        assert.equal(queuePolicyProblems([resource("aws:sqs/queuePolicy:QueuePolicy", { policy: JSON.stringify(other) })], QUEUE, TOPIC).length, 1);
        const real = orderQueuePolicy(QUEUE, TOPIC);
        assert.deepEqual(queuePolicyProblems([resource("aws:sqs/queuePolicy:QueuePolicy", { policy: JSON.stringify(real) })], QUEUE, TOPIC), []);
    });

    it("an unencrypted table or queue is caught", () => {
        assert.deepEqual(unencrypted([resource("aws:dynamodb/table:Table", {}), resource("aws:sqs/queue:Queue", { sqsManagedSseEnabled: false })]), [
            "table fixture is not encrypted",
            "queue fixture is not encrypted",
        ]);
    });

    it("a secret in a config file is caught; no stack file holds one", () => {
        assert.deepEqual(secretsInConfig({ "order-pipeline:dbPassword": "hunter2", "aws:accessKey": "AKIAABCDEFGHIJKLMNOP" }), [
            "order-pipeline:dbPassword holds a plain value; use pulumi config set --secret",
            "aws:accessKey holds a plain value; use pulumi config set --secret",
            "aws:accessKey looks like a credential",
        ]);
        for (const stack of listStacks()) assert.deepEqual(secretsInConfig(readStackFile(stack)), [], `Pulumi.${stack}.yaml`);
    });
});
