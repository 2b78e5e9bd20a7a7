// Stack names AWS would refuse in a resource's name are refused first, by the names' one definition
// (infra/naming.ts), which the stack and the local pipeline both call.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alarmDefinitions } from "../../infra/alarms";
import { DEFAULTS } from "../../infra/config";
import { longestStackName, MAX_ALARM_SUFFIX_LENGTH, physicalNames, StackNameError, stackNameProblems } from "../../infra/naming";
import { OrderPipeline } from "../../infra/order-pipeline";
import { placeholderBundle } from "./mock-stack";

describe("stack names", () => {
    it("dev, prod and names of letters, digits, - and _ are accepted", () => {
        for (const stack of ["dev", "prod", "team-a_staging2", "x".repeat(longestStackName())]) assert.deepEqual(stackNameProblems(stack), [], stack);
        assert.equal(physicalNames("dev").function, "OrderProcessor-dev");
    });

    it("the longest is 49 characters, what OrderProcessor-<stack> leaves of the 64 Lambda and IAM allow", () => {
        assert.equal(longestStackName(), 64 - "OrderProcessor-".length);
        assert.deepEqual(stackNameProblems("x".repeat(50)), [
            `the Lambda function name OrderProcessor-${"x".repeat(50)} would be 65 characters; Lambda CreateFunction FunctionName allows at most 64`,
            `the IAM role name OrderProcessor-${"x".repeat(50)} would be 65 characters; IAM CreateRole RoleName allows at most 64`,
        ]);
    });

    it("a period, which Pulumi allows in a stack name, is refused by every resource but the table, the role and the log group", () => {
        const problems = stackNameProblems("my.stack");
        assert.deepEqual(problems.map((p) => p.slice(0, p.indexOf(" name "))), [
            "the SNS topic",
            "the SNS alerts topic",
            "the SQS queue",
            "the SQS dead-letter queue",
            "the Lambda function",
            "the CloudWatch dashboard",
        ]);
        assert.equal(problems[2], 'the SQS queue name OrderQueue-my.stack would contain "."; SQS CreateQueue QueueName allows A–Z, a–z, 0–9, - and _');
    });

    it("the error names every rule broken and what a stack name may be", () => {
        assert.throws(() => physicalNames("a b"), (error: unknown) => {
            assert.ok(error instanceof StackNameError);
            assert.match(error.message, /^the stack name "a b" cannot be part of this stack's resource names:\n/);
            assert.match(error.message, /the DynamoDB table name Orders-a b would contain " "; DynamoDB CreateTable TableName allows A–Z, a–z, 0–9, _, - and \./);
            assert.match(error.message, /A stack name may use A–Z, a–z, 0–9, - and _ .* and be at most 49 characters/);
            return true;
        });
        assert.deepEqual(stackNameProblems(""), ["the stack name is empty"]);
    });

    it("every alarm's suffix fits the length the rule reserves for it", () => {
        const suffixes = alarmDefinitions(DEFAULTS, { queueName: "q", deadLetterQueueName: "d", functionName: "f" }).map((a) => a.suffix);
        assert.ok(suffixes.length > 0);
        for (const suffix of suffixes) assert.ok(suffix.length <= MAX_ALARM_SUFFIX_LENGTH, suffix);
    });

    it("the stack refuses a bad stack name before it creates anything", () => {
        assert.throws(() => new OrderPipeline("orders", { settings: DEFAULTS, nameSuffix: "bad.name", bundle: placeholderBundle() }), StackNameError);
    });
});
