// The function's handler and runtime, read from their one definition beside the C# project
// (functions/OrderProcessor/aws-lambda-tools-defaults.json), for the stack and the local runner alike.
import * as fs from "node:fs";
import * as path from "node:path";
import { functionDirectory } from "./repository";

export interface FunctionDefinition {
    /** Assembly::Namespace.Type::Method, as the .NET managed runtime resolves it. */
    readonly handler: string;
    /** The Lambda runtime identifier, for example dotnet10. */
    readonly runtime: string;
    /** The assembly part of the handler: its file in the bundle is `${assembly}.dll`. */
    readonly assembly: string;
}

/** Reads the definition and checks the handler's shape, so a typo fails here and not at the first invocation. */
export function readFunctionDefinition(directory: string = functionDirectory): FunctionDefinition {
    const file = path.join(directory, "aws-lambda-tools-defaults.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    const handler = json["function-handler"];
    const runtime = json["function-runtime"];
    if (typeof handler !== "string" || typeof runtime !== "string") {
        throw new Error(`${file}: "function-handler" and "function-runtime" must be strings`);
    }
    const parts = handler.split("::");
    if (parts.length !== 3 || parts.some((part) => part.length === 0)) {
        throw new Error(`${file}: "function-handler" is "${handler}"; it must be Assembly::Namespace.Type::Method`);
    }
    return { handler, runtime, assembly: parts[0]! };
}
