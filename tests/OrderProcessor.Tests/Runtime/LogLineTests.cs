using System.Text.Json;
using OrderProcessor.Runtime;

namespace OrderProcessor.Tests.Runtime;

/// <summary>The runtime's own lines (init failures, a Runtime API that failed), in Lambda's JSON log format.</summary>
public sealed class LogLineTests
{
    [Test]
    public void Format_MessageAndFields_OneJsonObjectInOrderWithoutTheNullFields()
    {
        var line = LogLine.Format(LogLine.Fatal, new DateTimeOffset(2026, 12, 3, 18, 12, 5, 123, TimeSpan.FromHours(1)), "function init failed", ("errorType", "X\"Y"), ("cause", null));

        Assert.That(line, Is.EqualTo("""{"timestamp":"2026-12-03T17:12:05.123Z","level":"FATAL","message":"function init failed","errorType":"X\u0022Y"}"""));
    }

    [Test]
    public void WriteHeader_NoWriter_IsRefused()
    {
        Assert.Throws<ArgumentNullException>(() => LogLine.WriteHeader(null!, LogLine.Fatal, DateTimeOffset.UnixEpoch));
    }
}
