using ManagedBootstrap;
using OrderProcessor.Runtime;

// An execution environment of the managed runtime, as the local runner starts it: Lambda's variables say where
// the bundle is (LAMBDA_TASK_ROOT), what to load (_HANDLER) and where the Runtime API is (AWS_LAMBDA_RUNTIME_API).
// Loading the handler and running its constructor is the function's init; an exception there goes to the init error
// endpoint as Lambda's dotnet runtime posts it: no error-type header, the exception's name as errorType
// (aws/aws-lambda-dotnet, Amazon.Lambda.RuntimeSupport, Bootstrap/LambdaBootstrap.cs InitializeAsync).
var endpoint = Environment.GetEnvironmentVariable(LambdaVariables.RuntimeApi);
var taskRoot = Environment.GetEnvironmentVariable("LAMBDA_TASK_ROOT");
var handlerString = Environment.GetEnvironmentVariable("_HANDLER");
if (string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(taskRoot) || string.IsNullOrEmpty(handlerString))
{
    Console.Error.WriteLine($"usage: set {LambdaVariables.RuntimeApi}, LAMBDA_TASK_ROOT and _HANDLER, as Lambda (and npm run local) do.");
    return 2;
}

using var client = new RuntimeApiClient(endpoint);
return await LambdaBootstrap.RunAsync(
    client,
    () => LambdaHandler.Load(taskRoot, handlerString),
    static (handler, input, _) => handler.InvokeAsync(input),
    Console.Out,
    initErrorType: null);
