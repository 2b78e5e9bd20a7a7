using OrderProcessor.Runtime;

namespace OrderProcessor;

/// <summary>
/// The Native AOT executable's entry point (<c>bootstrap</c> on provided.al2023): a custom runtime that creates
/// the function once and serves invocations through the Lambda Runtime API until Lambda ends the environment.
/// The managed runtime (dotnet10) never runs it: it loads the same assembly by its handler string instead.
/// </summary>
public static class Bootstrap
{
    public static async Task<int> Main()
    {
        var endpoint = Environment.GetEnvironmentVariable(LambdaVariables.RuntimeApi);
        if (string.IsNullOrEmpty(endpoint))
        {
            await Console.Error.WriteLineAsync($"{LambdaVariables.RuntimeApi} is not set: this program is a Lambda custom runtime; run it in Lambda, or through npm run local.").ConfigureAwait(false);
            return 2;
        }

        using var client = new RuntimeApiClient(endpoint);
        return await LambdaBootstrap.RunAsync(client, static () => new Function(), static (function, input, context) => function.InvokeAsync(input, context), Console.Out).ConfigureAwait(false);
    }
}
