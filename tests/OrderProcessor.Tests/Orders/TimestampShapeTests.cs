using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrderProcessor.Orders;

namespace OrderProcessor.Tests.Orders;

/// <summary>
/// The order reader reads a timestamp's shape by hand (a regular expression's match allocates its groups). Here the
/// documented expression is the reference: on thousands of mutations of valid timestamps, the reader refuses the shape
/// exactly when the expression does not match, and reads the instant that the expression's groups give.
/// </summary>
public sealed class TimestampShapeTests
{
    /// <summary>The shape, as OrderReader's documentation gives it.</summary>
    private static readonly Regex Shape = new(
        @"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:([Zz])|([+-])([0-9]{2})(?::?([0-9]{2}))?)?\z",
        RegexOptions.CultureInvariant);

    private const string ShapeReason = "timestamp: must be an RFC 3339 date-time with an offset";

    private static readonly string[] Seeds =
    [
        "2025-05-03T12:00:00Z", "2025-05-03t12:00:00z", "2025-05-03 12:00:00.123456+02:00", "2025-05-03T14:00:00.123456789+0200",
        "2025-05-03T14:00:00-05", "1999-12-31T23:30:00-01:00", "2100-01-01T00:30:00+01:00", "2025-02-29T12:00:00Z", "2025-05-03T12:00:00",
    ];

    private const string Alphabet = "0123456789-:.TtZz+ x\n\u0660";

    private static IEnumerable<string> Mutations()
    {
        var random = new Random(20261123);
        foreach (var seed in Seeds)
        {
            yield return seed;
            for (var i = 0; i < 1500; i++)
            {
                var text = new StringBuilder(seed);
                for (var edits = random.Next(1, 4); edits > 0; edits--)
                {
                    var at = random.Next(text.Length + 1);
                    var c = Alphabet[random.Next(Alphabet.Length)];
                    switch (random.Next(3))
                    {
                        case 0: text.Insert(at, c); break;
                        case 1 when at < text.Length: text.Remove(at, 1); break;
                        default: if (at < text.Length) text[at] = c; break;
                    }
                }

                yield return text.ToString();
            }
        }
    }

    private static ParseResult ReadWithTimestamp(string timestamp) =>
        OrderReader.Read(Encoding.UTF8.GetBytes(TestEvents.Order(timestamp: JsonEncodedText.Encode(timestamp).ToString())));

    [Test]
    public void Read_MutatedTimestamps_RefusesTheShapeExactlyWhenTheDocumentedExpressionDoesNot()
    {
        var disagreements = new List<string>();
        var matched = 0;
        foreach (var text in Mutations().Where(t => t.Length > 0).Distinct())
        {
            var result = ReadWithTimestamp(text);
            var refused = result.Reason?.Contains(ShapeReason, StringComparison.Ordinal) ?? false;
            var match = Shape.Match(text);
            matched += match.Success ? 1 : 0;
            if (refused == match.Success)
            {
                disagreements.Add($"{JsonEncodedText.Encode(text)}: regex {(match.Success ? "matches" : "does not match")}, reader {(refused ? "refuses" : "accepts")} the shape");
            }
            else if (match.Success && result.Order is { } order)
            {
                var expected = Instant(match);
                if (order.Timestamp != expected)
                {
                    disagreements.Add($"{text}: reader {order.Timestamp:O}, regex groups {expected:O}");
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(disagreements, Is.Empty);
            Assert.That(matched, Is.GreaterThan(500), "the mutations include many that keep the shape, not only ones that break it");
        });
    }

    /// <summary>The instant the expression's groups give, as the reader computed it before it read the shape by hand.</summary>
    private static DateTimeOffset Instant(Match match)
    {
        int Number(int group) => match.Groups[group].Success ? int.Parse(match.Groups[group].ValueSpan, CultureInfo.InvariantCulture) : 0;
        var fraction = match.Groups[7].Value.PadRight(7, '0')[..7];
        var offset = new TimeSpan(Number(10), Number(11), 0);
        var utc = new DateTime(Number(1), Number(2), Number(3), Number(4), Number(5), Number(6), DateTimeKind.Utc).AddTicks(long.Parse(fraction, CultureInfo.InvariantCulture))
            - (match.Groups[9].Value == "-" ? -offset : offset);
        return new DateTimeOffset(utc, TimeSpan.Zero);
    }
}
