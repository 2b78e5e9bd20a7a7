namespace OrderProcessor.Runtime;

/// <summary>The Runtime API answered something a runtime cannot go on from (Lambda documents 500 as "exit").</summary>
public sealed class RuntimeApiException(string message) : Exception(message);
