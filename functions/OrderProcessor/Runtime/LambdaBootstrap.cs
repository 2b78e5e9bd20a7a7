namespace OrderProcessor.Runtime;

/// <summary>
/// A custom runtime's loop (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html): create the
/// function once, reporting a failure to the init error endpoint and exiting; then, for ever, get the next
/// invocation, set the trace id, invoke, post the response or the error. An error of the function fails only its
/// invocation; an error of the Runtime API itself ends the process, and Lambda replaces the environment.
/// </summary>
public static class LambdaBootstrap
{
    /// <summary>The init error type this project's custom runtime reports (the Runtime API recommends <c>Category.Reason</c>).</summary>
    public const string InitErrorType = "Runtime.InitError";

    /// <summary>Runs until the Runtime API fails. Returns the process exit code: 1 after an init error or an API failure.</summary>
    /// <param name="client">The Runtime API.</param>
    /// <param name="init">Creates the handler, once (the function's init).</param>
    /// <param name="stdout">Where the runtime's own notices go (the function log), as JSON lines Lambda's filter keeps (<see cref="LogLine"/>).</param>
    /// <param name="initErrorType">
    /// The <c>Lambda-Runtime-Function-Error-Type</c> of an init error, or null for none: Lambda's dotnet runtime sends
    /// none for a handler or constructor failure (aws/aws-lambda-dotnet, Amazon.Lambda.RuntimeSupport,
    /// Client/InternalClientAdapted.cs adds the header only when a type is given), and its stand-in does the same.
    /// </param>
    public static async Task<int> RunAsync<THandler>(
        RuntimeApiClient client,
        Func<THandler> init,
        Func<THandler, Stream, InvocationContext, Task<Stream>> invoke,
        TextWriter stdout,
        string? initErrorType = InitErrorType)
    {
        THandler handler;
        try
        {
            handler = init();
        }
        catch (Exception e)
        {
            // FATAL: the environment ends here, and a line at the highest level passes every logLevel.
            await stdout.WriteLineAsync(LogLine.Format(LogLine.Fatal, DateTimeOffset.UtcNow, "function init failed", ("errorType", e.GetType().Name), ("errorMessage", e.Message), ("cause", e.InnerException?.Message))).ConfigureAwait(false);
            await client.SendInitErrorAsync(e, initErrorType).ConfigureAwait(false);
            return 1;
        }

        while (true)
        {
            try
            {
                var (input, context) = await client.NextAsync().ConfigureAwait(false);
                Environment.SetEnvironmentVariable(LambdaVariables.TraceId, context.TraceId);
                Stream output;
                try
                {
                    output = await invoke(handler, new MemoryStream(input, writable: false), context).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    await client.SendErrorAsync(context.RequestId, e).ConfigureAwait(false);
                    continue;
                }

                await using (output.ConfigureAwait(false))
                {
                    await client.SendResponseAsync(context.RequestId, output).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is RuntimeApiException or HttpRequestException)
            {
                await stdout.WriteLineAsync(LogLine.Format(LogLine.Fatal, DateTimeOffset.UtcNow, "runtime: the Runtime API failed, exiting", ("errorMessage", e.Message))).ConfigureAwait(false);
                return 1;
            }
        }
    }
}
