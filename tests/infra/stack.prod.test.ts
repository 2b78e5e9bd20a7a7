// The prod stack under Pulumi mocks: what differs from dev, and that nothing collides with dev.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { physicalNames } from "../../infra/config";
import { runStack, type StackRun } from "./mock-stack";
import { queuePolicyProblems, unencrypted, wildcardGrants } from "./security-rules";

let run: StackRun;

before(async () => {
    run = await runStack("prod");
});

describe("prod stack", () => {
    it("table has deletion protection", () => {
        assert.equal(run.one("aws:dynamodb/table:Table").inputs.deletionProtectionEnabled, true);
    });

    it("logs are kept 90 days", () => {
        assert.equal(run.one("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 90);
    });

    it("event source runs up to 20 invocations at once", () => {
        assert.deepEqual(run.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs.scalingConfig, { maximumConcurrency: 20 });
    });

    it("queue semantics are the same as dev: 30 s visibility timeout, DLQ after 3 receives", () => {
        const queue = run.one("aws:sqs/queue:Queue", "-queue").inputs;
        assert.equal(queue.visibilityTimeoutSeconds, 30);
        assert.equal(JSON.parse(queue.redrivePolicy).maxReceiveCount, 3);
    });

    it("alarm email is subscribed to the alerts topic", () => {
        const email = run.one("aws:sns/topicSubscription:TopicSubscription", "-alerts-email").inputs;
        assert.equal(email.protocol, "email");
        assert.equal(email.endpoint, "orders-oncall@example.com");
        assert.equal(email.topic, "arn:aws:sns:us-east-1:123456789012:OrderAlerts-prod");
    });

    it("physical names carry the stack and none is dev's", () => {
        const named = run.resources.filter((r) => typeof r.inputs.name === "string").map((r) => r.inputs.name as string);
        const dev = new Set<string>([...Object.values(physicalNames("dev")), "/aws/lambda/OrderProcessor-dev"]);
        assert.ok(named.length >= 10, `only ${named.length} named resources`);
        for (const name of named) {
            assert.match(name, /-prod(-|$)/);
            assert.ok(!dev.has(name), `${name} is also a dev name`);
        }
    });

    it("keeps the security rules: no DynamoDB or SQS grant on *, queue open only to the order topic over TLS, everything encrypted", () => {
        assert.deepEqual(wildcardGrants(run.resources), []);
        assert.deepEqual(
            queuePolicyProblems(run.resources, "arn:aws:sqs:us-east-1:123456789012:OrderQueue-prod", "arn:aws:sns:us-east-1:123456789012:OrderTopic-prod"),
            [],
        );
        assert.deepEqual(unencrypted(run.resources), []);
    });
});
