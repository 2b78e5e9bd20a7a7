namespace OrderProcessor.Runtime;

/// <summary>
/// A custom runtime's loop (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html): create the
/// function once, reporting a failure to the init error endpoint and exiting; then, for ever, get the next
/// invocation, set the trace id, invoke, post the response or the error. An error of the function fails only its
/// invocation; an error of the Runtime API itself ends the process, and Lambda replaces the environment.
/// </summary>
public static class LambdaBootstrap
{
    /// <summary>Runs until the Runtime API fails. Returns the process exit code: 1 after an init error or an API failure.</summary>
    /// <param name="client">The Runtime API.</param>
    /// <param name="init">Creates the handler, once (the function's init).</param>
    /// <param name="stdout">Where the runtime's own notices go (the function log).</param>
    public static async Task<int> RunAsync<THandler>(
        RuntimeApiClient client,
        Func<THandler> init,
        Func<THandler, Stream, InvocationContext, Task<Stream>> invoke,
        TextWriter stdout)
    {
        THandler handler;
        try
        {
            handler = init();
        }
        catch (Exception e)
        {
            await stdout.WriteLineAsync($"function init failed: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            await client.SendInitErrorAsync(e).ConfigureAwait(false);
            return 1;
        }

        while (true)
        {
            try
            {
                var (input, context) = await client.NextAsync().ConfigureAwait(false);
                Environment.SetEnvironmentVariable(RuntimeApiHeaders.TraceIdVariable, context.TraceId);
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
                await stdout.WriteLineAsync($"runtime: the Runtime API failed, exiting: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        }
    }
}
