using System.Text;
using BenchmarkDotNet.Attributes;

namespace OrderProcessor.Benchmarks;

/// <summary>A whole invocation: an SQS event of 10 records through the entry point, with no I/O behind it.</summary>
[MemoryDiagnoser]
public class BatchBenchmarks
{
    private Function _function = null!;
    private byte[] _event = [];

    [GlobalSetup]
    public void Setup()
    {
        _function = new Function(new FunctionSettings { TableName = "Orders-bench" }, InMemoryDynamoDb.Create(), TextWriter.Null);
        var records = Enumerable.Range(0, 10).Select(i => Encoding.UTF8.GetString(MessageBenchmarks.RecordBytes($"message-{i}")));
        _event = Encoding.UTF8.GetBytes($$"""{"Records":[{{string.Join(",", records)}}]}""");
    }

    [Benchmark]
    public async Task<long> BatchOfTen()
    {
        await using var output = await _function.HandleAsync(new MemoryStream(_event, writable: false));
        return output.Length;
    }
}
