// The program: reads and validates the stack's config, packages the function as the config says, creates the
// pipeline (program.ts), and exports its outputs.
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "./config";
import { packageFunction } from "./packaging";
import { createStack, stackOutputs } from "./program";

const stack = pulumi.getStack();

// Fails `pulumi preview` with every bad key, its value and what is allowed.
const settings = loadSettings(pulumi.runtime.allConfig());

const pipeline = createStack(
    stack,
    settings,
    packageFunction(settings.functionArchitecture, { runtime: settings.functionRuntime }),
    new pulumi.Config("aws").get("region"),
);

export const {
    topicArn,
    queueUrl,
    deadLetterQueueUrl,
    tableName,
    functionName,
    liveVersion,
    alertsTopicArn,
    dashboardName,
    dashboardUrl,
    publishSampleOrder,
} = stackOutputs(pipeline);
