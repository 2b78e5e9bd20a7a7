namespace OrderProcessor;

/// <summary>
/// The input is not an SQS event at all. Unlike a bad record, this fails the whole invocation: it means
/// the function is wired to the wrong source, which no retry of a single message can fix.
/// </summary>
public sealed class InvalidEventException(string message, Exception? inner = null) : Exception(message, inner);
