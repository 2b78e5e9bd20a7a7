using System.Text.Json;
using OrderProcessor.Processing;
using OrderProcessor.Storage;

namespace OrderProcessor.Tests.Processing;

/// <summary>The edges of what an operator reads: level and outcome names, the fields of each line, the EMF ages, the body prefix.</summary>
public sealed class LogAndMetricsEdgeTests
{
    private static readonly DateTimeOffset Now = new(2025, 5, 3, 12, 0, 0, TimeSpan.Zero);

    /// <summary>12.3456 ms, logged rounded to 12.346.</summary>
    private static readonly TimeSpan Duration = TimeSpan.FromTicks(123_456);

    private readonly StringWriter _log = new();

    private JsonElement OnlyLine() => TestEvents.JsonLines(_log).Single();

    private static OutcomeCounts Counts(params RecordOutcome[] outcomes) =>
        OutcomeCounts.Of(outcomes.Select(outcome => new RecordResult(outcome, null, null)).ToList());

    private static List<double> Ascending(int count) => Enumerable.Range(1, count).Select(i => (double)i).ToList();

    private List<double> WrittenAges() =>
        OnlyLine().GetProperty("OrderAgeMs").EnumerateArray().Select(age => age.GetDouble()).ToList();

    // Every level is written as Lambda's JSON log format spells it (or Lambda's filter counts the line as INFO), and
    // AWS_LAMBDA_LOG_LEVEL is read back in that spelling or any other case.
    [TestCase(LogLevel.Trace, "TRACE")]
    [TestCase(LogLevel.Debug, "DEBUG")]
    [TestCase(LogLevel.Info, "INFO")]
    [TestCase(LogLevel.Warn, "WARN")]
    [TestCase(LogLevel.Error, "ERROR")]
    [TestCase(LogLevel.Fatal, "FATAL")]
    public void LevelName_EachLevel_IsLambdasSpellingAndIsReadBack(LogLevel level, string name)
    {
        Assert.That(OrderLog.LevelName(level), Is.EqualTo(name));
        Assert.That(OrderLog.ParseLevel(name), Is.EqualTo(level));
        Assert.That(OrderLog.ParseLevel(name.ToLowerInvariant()), Is.EqualTo(level));
    }

    [Test]
    public void ParseLevel_Empty_IsInfo()
    {
        Assert.That(OrderLog.ParseLevel(""), Is.EqualTo(LogLevel.Info));
    }

    // The outcome names are the log's field values and the batch line's field names.
    [TestCase(RecordOutcome.Stored, "stored")]
    [TestCase(RecordOutcome.Duplicate, "duplicate")]
    [TestCase(RecordOutcome.Stale, "stale")]
    [TestCase(RecordOutcome.Conflict, "conflict")]
    [TestCase(RecordOutcome.Invalid, "invalid")]
    [TestCase(RecordOutcome.Failed, "failed")]
    public void OutcomeName_EachOutcome_IsItsLowerCaseName(RecordOutcome outcome, string expected)
    {
        var name = OrderLog.OutcomeName(outcome);

        Assert.That(name, Is.EqualTo(expected));
    }

    // Reported counts invalid and failed records together.
    [Test]
    public void Reported_InvalidAndFailed_AreAdded()
    {
        var counts = Counts(RecordOutcome.Invalid, RecordOutcome.Failed, RecordOutcome.Failed, RecordOutcome.Stored);

        var reported = counts.Reported;

        Assert.That(reported, Is.EqualTo(3));
    }

    // A missing argument is named, not a NullReferenceException.
    [Test]
    public void Of_NullResults_ThrowsArgumentNull()
    {
        Assert.That(() => OutcomeCounts.Of(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("results"));
    }

    // A missing argument is named, not a NullReferenceException.
    [Test]
    public void Batch_NullCounts_ThrowsArgumentNull()
    {
        var log = new OrderLog(_log, 256);

        Assert.That(() => log.Batch(null!, Duration), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("counts"));
    }

    // The batch line is WARN when any record is reported back (invalid or failed), INFO otherwise.
    [TestCase(RecordOutcome.Invalid, RecordOutcome.Failed, "WARN")]
    [TestCase(RecordOutcome.Stored, RecordOutcome.Duplicate, "INFO")]
    public void Batch_ReportedRecords_SetTheLevel(RecordOutcome first, RecordOutcome second, string expected)
    {
        var log = new OrderLog(_log, 256);

        log.Batch(Counts(first, second), Duration);

        Assert.That(OnlyLine().GetProperty("level").GetString(), Is.EqualTo(expected));
    }

    // The batch line carries the batch's duration in milliseconds, to the microsecond.
    [Test]
    public void Batch_Duration_IsLoggedInMilliseconds()
    {
        var log = new OrderLog(_log, 256);

        log.Batch(Counts(RecordOutcome.Stored), Duration);

        Assert.That(OnlyLine().GetProperty("durationMs").GetDouble(), Is.EqualTo(12.346));
    }

    // A notice carries its message and its duration in milliseconds.
    [Test]
    public void Notice_Duration_IsLoggedInMilliseconds()
    {
        var log = new OrderLog(_log, 256, LogLevel.Debug);

        log.Notice(LogLevel.Debug, "primed", Duration);

        var line = OnlyLine();
        Assert.That((line.GetProperty("message").GetString(), line.GetProperty("durationMs").GetDouble()), Is.EqualTo(("primed", 12.346)));
    }

    // Every record line has the same message, which log queries filter on.
    [Test]
    public void Record_AnyOutcome_HasTheRecordMessage()
    {
        var log = new OrderLog(_log, 256);

        log.Record(new RecordReport("m1", "O1", RecordOutcome.Stored, null, 1, Duration, null));

        Assert.That(OnlyLine().GetProperty("message").GetString(), Is.EqualTo("order record processed"));
    }

    // A conflict this version won says so (the stored-version case is in BatchProcessorTests).
    [Test]
    public void Record_ConflictThisVersionWon_LogsKeptThisVersion()
    {
        var log = new OrderLog(_log, 256);
        var report = new RecordReport("m1", "O1", RecordOutcome.Conflict, null, 1, Duration, null)
        {
            Conflict = ("fingerprint-this", new SaveResult(SaveOutcome.Conflict, "fingerprint-other", Replaced: true)),
        };

        log.Record(report);

        Assert.That(OnlyLine().GetProperty("kept").GetString(), Is.EqualTo("this version"));
    }

    // Up to EMF's 100 values, every age is written, in record order.
    [TestCase(2)]
    [TestCase(MetricsDocument.MaxValues)]
    public void Metrics_AtMostMaxValuesAges_AreWrittenAsGiven(int count)
    {
        var ages = Ascending(count);

        new OrderLog(_log, 256).Metrics(Counts(RecordOutcome.Stored), ages, Now);

        Assert.That(WrittenAges(), Is.EqualTo(ages));
    }

    // Past EMF's 100 values, the 100 largest ages are kept (they matter for p99).
    [Test]
    public void Metrics_MoreThanMaxValuesAges_KeepsTheLargest()
    {
        var ages = Ascending(MetricsDocument.MaxValues + 1);

        new OrderLog(_log, 256).Metrics(Counts(RecordOutcome.Stored), ages, Now);

        Assert.That(WrittenAges(), Is.EquivalentTo(ages.Skip(1)));
    }

    // Without ages there is no OrderAgeMs field at all, not an empty array.
    [Test]
    public void Metrics_NoAges_WritesNoOrderAgeField()
    {
        new OrderLog(_log, 256).Metrics(Counts(RecordOutcome.Stored), Array.Empty<double>(), Now);

        Assert.That(OnlyLine().TryGetProperty("OrderAgeMs", out _), Is.False);
    }

    // A missing argument is named, not a NullReferenceException.
    [Test]
    public void Write_NullJson_ThrowsArgumentNull()
    {
        Assert.That(
            () => MetricsDocument.Write(null!, Counts(), Array.Empty<double>(), "OrderProcessor", Now),
            Throws.ArgumentNullException.With.Property("ParamName").EqualTo("json"));
    }

    // A missing argument is named, not a NullReferenceException.
    [Test]
    public void Write_NullCounts_ThrowsArgumentNull()
    {
        using var json = new Utf8JsonWriter(Stream.Null);
        json.WriteStartObject();

        Assert.That(
            () => MetricsDocument.Write(json, null!, Array.Empty<double>(), "OrderProcessor", Now),
            Throws.ArgumentNullException.With.Property("ParamName").EqualTo("counts"));
    }

    // A longer text is cut to at most the length, one character shorter when the cut would split a surrogate pair.
    [TestCase("abc", 0, "")]
    [TestCase("abcd", 2, "ab")]
    [TestCase("a\uD83D\uDE00b", 2, "a")]
    [TestCase("a\uD83D\uDE00b", 3, "a\uD83D\uDE00")]
    [TestCase("a\uD83D\uDE00", 2, "a")]
    public void Prefix_LongerText_IsCutWithoutSplittingASurrogatePair(string text, int length, string expected)
    {
        var prefix = OrderLog.Prefix(text, length);

        Assert.That(prefix, Is.EqualTo(expected));
    }

    // A text that fits is returned as it is: Prefix only cuts, it never edits what it keeps.
    [Test]
    public void Prefix_TextThatFitsExactly_IsReturnedUnchanged()
    {
        const string text = "ab\uD83D";

        var prefix = OrderLog.Prefix(text, text.Length);

        Assert.That(prefix, Is.EqualTo(text));
    }
}
