namespace OrderProcessor.Runtime;

/// <summary>
/// The environment variables Lambda defines for a runtime that this project reads or sets
/// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime); the
/// function's own variables are <see cref="FunctionSettings"/>'s, the Runtime API's header names <see cref="RuntimeApiHeaders"/>'.
/// </summary>
public static class LambdaVariables
{
    /// <summary>host:port of the Runtime API, set for a custom runtime (and by the local runner).</summary>
    public const string RuntimeApi = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>The X-Ray trace header of the current invocation, which a custom runtime sets from <see cref="RuntimeApiHeaders.TraceId"/>.</summary>
    public const string TraceId = "_X_AMZN_TRACE_ID";

    /// <summary>The application log level, with the JSON log format (advanced logging controls).</summary>
    public const string LogLevel = "AWS_LAMBDA_LOG_LEVEL";

    public const string FunctionName = "AWS_LAMBDA_FUNCTION_NAME";

    public const string FunctionVersion = "AWS_LAMBDA_FUNCTION_VERSION";
}
