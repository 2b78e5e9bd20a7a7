// What Lambda's Invoke API would answer for an invocation run locally
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html): status 200 and the function's response; or, when
// the function, its runtime or its init failed, status 200 with X-Amz-Function-Error "Unhandled" and the error as
// `{"errorType","errorMessage"}`. A timeout is Lambda's "Task timed out after N seconds" (errorType Sandbox.Timedout).
import type { InvokeAnswer } from "../../infra/smoke-invocation";
import { FunctionInitError, type InvokeResult } from "./execution-environments";

/** The Invoke API's answer for a local invocation's result, or for an init that failed before it could run. */
export function lambdaInvokeAnswer(outcome: InvokeResult | FunctionInitError, timeoutSeconds: number): InvokeAnswer {
    const failure = (errorType: string, errorMessage: string): InvokeAnswer => ({
        statusCode: 200,
        functionError: "Unhandled",
        payload: JSON.stringify({ errorType, errorMessage }),
    });
    if (outcome instanceof FunctionInitError) return failure(outcome.errorType, outcome.message);
    switch (outcome.kind) {
        case "ok":
            return { statusCode: 200, functionError: undefined, payload: outcome.body };
        case "error":
            return failure(outcome.errorType, outcome.message.startsWith(`${outcome.errorType}: `) ? outcome.message.slice(outcome.errorType.length + 2) : outcome.message);
        case "timeout":
            return failure("Sandbox.Timedout", `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
        case "crash":
            return failure("Runtime.ExitError", outcome.message);
    }
}
