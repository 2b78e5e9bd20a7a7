using System.Reflection;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace OrderProcessor.Benchmarks;

/// <summary>An <see cref="IAmazonDynamoDB"/> whose PutItem succeeds at once, with no I/O; any other call fails.</summary>
public class InMemoryDynamoDb : DispatchProxy
{
    private static readonly Task<PutItemResponse> Stored = Task.FromResult(new PutItemResponse());

    public static IAmazonDynamoDB Create() => Create<IAmazonDynamoDB, InMemoryDynamoDb>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        targetMethod?.Name == nameof(IAmazonDynamoDB.PutItemAsync) && args?[0] is PutItemRequest
            ? Stored
            : throw new NotSupportedException(targetMethod?.Name);
}
