namespace OrderProcessor.Processing;

/// <summary>
/// Lambda's application log levels (advanced logging controls, <c>AWS_LAMBDA_LOG_LEVEL</c>):
/// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html. Per-record lines are
/// INFO, failures WARN (invalid) or ERROR (failed), priming and timings DEBUG.
/// </summary>
public enum LogLevel
{
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}
