// The stack: reads and validates the config, packages the function, creates the pipeline.
import * as pulumi from "@pulumi/pulumi";
import { loadSettings, PROJECT } from "./config";
import { OrderPipeline } from "./order-pipeline";
import { packageFunction } from "./packaging";
import { publishCommand } from "./sample-order";

const stack = pulumi.getStack();

// Fails `pulumi preview` with every bad key, its value and what is allowed.
const settings = loadSettings(pulumi.runtime.allConfig());

const pipeline = new OrderPipeline("orders", {
    settings,
    nameSuffix: stack,
    bundle: packageFunction(settings.functionArchitecture),
    tags: { project: PROJECT, stack },
});

export const topicArn = pipeline.topic.arn;
export const queueUrl = pipeline.queue.url;
export const deadLetterQueueUrl = pipeline.deadLetterQueue.url;
export const tableName = pipeline.table.name;
export const functionName = pipeline.function.name;
export const alertsTopicArn = pipeline.alertsTopic.arn;
export const publishSampleOrder = pipeline.topic.arn.apply((arn) => publishCommand(arn));
