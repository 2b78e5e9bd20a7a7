// The stack: reads and validates the config, packages the function, creates the pipeline.
import * as pulumi from "@pulumi/pulumi";
import { loadSettings, PROJECT } from "./config";
import { dashboardConsoleUrl } from "./dashboard";
import { OrderPipeline } from "./order-pipeline";
import { packageFunction } from "./packaging";
import { publishCommand } from "./sample-order";

const stack = pulumi.getStack();

// Fails `pulumi preview` with every bad key, its value and what is allowed.
const settings = loadSettings(pulumi.runtime.allConfig());

const pipeline = new OrderPipeline("orders", {
    settings,
    nameSuffix: stack,
    bundle: packageFunction(settings.functionArchitecture, { runtime: settings.functionRuntime }),
    tags: { project: PROJECT, stack },
    region: new pulumi.Config("aws").get("region"),
});

export const topicArn = pipeline.topic.arn;
export const queueUrl = pipeline.queue.url;
export const deadLetterQueueUrl = pipeline.deadLetterQueue.url;
export const tableName = pipeline.table.name;
export const functionName = pipeline.function.name;
/** The version the event source mapping invokes (through the alias `live`). */
export const liveVersion = pipeline.liveAlias.functionVersion;
export const alertsTopicArn = pipeline.alertsTopic.arn;
export const dashboardName = pipeline.dashboard.dashboardName;
export const dashboardUrl = dashboardConsoleUrl(pipeline.dashboard.dashboardName);
export const publishSampleOrder = pipeline.topic.arn.apply((arn) => publishCommand(arn));
