namespace OrderProcessor.Runtime;

/// <summary>
/// The Lambda Runtime API's names (version 2018-06-01), as AWS documents them:
/// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html and its OpenAPI description (runtime-api.zip). Where
/// the API is found and what the runtime sets for an invocation are environment variables: <see cref="LambdaVariables"/>.
/// </summary>
public static class RuntimeApiHeaders
{
    /// <summary>The version segment of every path.</summary>
    public const string Version = "2018-06-01";

    public const string RequestId = "Lambda-Runtime-Aws-Request-Id";

    /// <summary>When the invocation times out, in Unix milliseconds.</summary>
    public const string DeadlineMs = "Lambda-Runtime-Deadline-Ms";

    public const string InvokedFunctionArn = "Lambda-Runtime-Invoked-Function-Arn";

    /// <summary>The X-Ray tracing header; a custom runtime exposes it as <see cref="LambdaVariables.TraceId"/>.</summary>
    public const string TraceId = "Lambda-Runtime-Trace-Id";

    /// <summary>On an error post: the category and reason, such as <c>Runtime.InitError</c>.</summary>
    public const string FunctionErrorType = "Lambda-Runtime-Function-Error-Type";
}
