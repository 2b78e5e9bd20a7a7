namespace OrderProcessor.Processing;

/// <summary>What every log line of one invocation carries, so that lines join up with Lambda's own and with X-Ray.</summary>
/// <param name="RequestId">The Lambda request id (from the Runtime API; unknown to the managed runtime's Stream handler).</param>
/// <param name="TraceId">The X-Ray trace header of the invocation.</param>
/// <param name="ColdStart">True for the first invocation of an execution environment.</param>
public sealed record InvocationScope(string? RequestId, string? TraceId, bool ColdStart);
