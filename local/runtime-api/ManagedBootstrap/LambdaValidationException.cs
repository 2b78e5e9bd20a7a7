namespace ManagedBootstrap;

/// <summary>
/// A handler Lambda's dotnet runtime refuses, under the exception name that runtime reports to the init error
/// endpoint as <c>errorType</c> (aws/aws-lambda-dotnet, Libraries/src/Amazon.Lambda.RuntimeSupport,
/// ExceptionHandling/LambdaValidationException.cs).
/// </summary>
public sealed class LambdaValidationException(string message) : Exception(message);
