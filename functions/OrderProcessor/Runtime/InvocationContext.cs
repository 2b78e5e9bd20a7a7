namespace OrderProcessor.Runtime;

/// <summary>What the Runtime API says about one invocation, from the headers of its <c>next</c> response.</summary>
/// <param name="RequestId">The Lambda request id.</param>
/// <param name="Deadline">When Lambda stops the invocation.</param>
/// <param name="InvokedFunctionArn">The function, version or alias invoked.</param>
/// <param name="TraceId">The X-Ray tracing header, when tracing is on.</param>
public sealed record InvocationContext(string RequestId, DateTimeOffset Deadline, string? InvokedFunctionArn, string? TraceId);
