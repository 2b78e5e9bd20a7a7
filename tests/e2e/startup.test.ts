// Starting the local pipeline fails clearly, and cleanly, when it cannot start.
import assert from "node:assert/strict";
import * as net from "node:net";
import { describe, it } from "node:test";
import { startLocalPipeline } from "../../local/pipeline";

function listenOn(port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
        const server = net.createServer().once("error", reject).listen(port, "127.0.0.1", () => resolve(server));
    });
}

async function freePort(): Promise<number> {
    const server = await listenOn(0);
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    return port;
}

describe("local pipeline start-up", () => {
    it("a port in use fails with a message that names it and its flag, and leaves nothing listening", async () => {
        const sqsPort = await freePort();
        const taken = await listenOn(0);
        const dynamodbPort = (taken.address() as net.AddressInfo).port;
        try {
            await assert.rejects(startLocalPipeline({ stack: "dev", sqsPort, dynamodbPort }), {
                message: `dynalite (DynamoDB): port ${dynamodbPort} on 127.0.0.1 is already in use (is another npm run local running?); stop what holds it or choose another port with --dynamodb-port`,
            });
            // fauxqs had started first; it must have been stopped again.
            const again = await listenOn(sqsPort);
            await new Promise((r) => again.close(r));
        } finally {
            await new Promise((r) => taken.close(r));
        }
    });

    it("a DynamoDB endpoint of the user's that does not answer fails with a message that names it", async () => {
        const port = await freePort();
        await assert.rejects(
            startLocalPipeline({ stack: "dev", sqsPort: 0, dynamodbPort: 0, dynamodbEndpoint: `http://127.0.0.1:${port}` }),
            (error: Error) => {
                assert.match(error.message, new RegExp(`^the DynamoDB endpoint http://127\\.0\\.0\\.1:${port} \\(--dynamodb-endpoint\\) does not answer: `));
                assert.match(error.message, /drop --dynamodb-endpoint to use the dynalite npm run local starts/);
                return true;
            },
        );
    });

    it("an unknown stack fails before anything starts, naming the stacks there are", async () => {
        await assert.rejects(startLocalPipeline({ stack: "staging", sqsPort: 0, dynamodbPort: 0 }), {
            message: "there is no Pulumi.staging.yaml; stacks here: dev, prod",
        });
    });

    it("a bad setting fails with the stack's own validation message", async () => {
        await assert.rejects(startLocalPipeline({ stack: "dev", sqsPort: 0, dynamodbPort: 0, overrides: { "order-pipeline:batchSize": "50" } }), {
            message: "invalid stack configuration:\n  - order-pipeline:batchSize is 50; allowed: a whole number from 1 to 10 without a batching window (maximumBatchingWindowSeconds 0)",
        });
    });
});
