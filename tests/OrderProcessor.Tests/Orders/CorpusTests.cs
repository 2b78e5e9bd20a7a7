using System.Text.Json;
using OrderProcessor.Orders;

namespace OrderProcessor.Tests.Orders;

/// <summary>
/// Every case of <c>tests/corpus/messages.json</c> through the body parser: raw and in an SNS envelope for
/// order cases, as it is for body cases. The end-to-end corpus test sends a sample of the same cases
/// through the local pipeline.
/// </summary>
public sealed class CorpusTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        using var corpus = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "tests", "corpus", "messages.json")));
        foreach (var entry in corpus.RootElement.GetProperty("cases").EnumerateArray())
        {
            var name = entry.GetProperty("name").GetString()!;
            var expected = entry.Clone();
            if (entry.TryGetProperty("body", out var body))
            {
                yield return new TestCaseData(body.GetString()!, expected).SetName($"Corpus: {name}");
                continue;
            }

            var order = entry.TryGetProperty("generate", out var generate)
                ? generate.GetProperty("template").GetString()!.Replace(
                    "{fill}",
                    string.Concat(Enumerable.Repeat(generate.GetProperty("fill").GetString()!, generate.GetProperty("count").GetInt32())),
                    StringComparison.Ordinal)
                : entry.GetProperty("order").GetString()!;
            yield return new TestCaseData(order, expected).SetName($"Corpus: {name} (raw)");
            yield return new TestCaseData(TestEvents.SnsEnvelope(order), expected).SetName($"Corpus: {name} (in an SNS envelope)");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Parse_CorpusCase_GivesItsOutcome(string body, JsonElement expected)
    {
        var result = MessageBodyParser.Parse(body);

        if (expected.GetProperty("expect").GetString() == "stored")
        {
            Assert.That(result.Reason, Is.Null);
            var item = expected.GetProperty("item");
            var order = result.Order!;
            Assert.That(
                new object[] { order.OrderId, order.UserId, order.ItemName, order.Quantity, order.Status, order.TimestampUtc },
                Is.EqualTo(new object[]
                {
                    item.GetProperty("orderId").GetString()!,
                    item.GetProperty("userId").GetString()!,
                    item.GetProperty("itemName").GetString()!,
                    item.GetProperty("quantity").GetInt32(),
                    item.GetProperty("status").GetString()!,
                    item.GetProperty("timestamp").GetString()!,
                }));
        }
        else
        {
            Assert.That(result.Order, Is.Null);
            if (expected.TryGetProperty("reason", out var reason))
            {
                Assert.That(result.Reason, Is.EqualTo(reason.GetString()));
            }
            else
            {
                Assert.That(result.Reason, Does.StartWith(expected.GetProperty("reasonStartsWith").GetString()!));
            }
        }
    }

    [Test]
    public void Corpus_HasAtLeastSixtyCases_EachNamedOnce()
    {
        using var corpus = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "tests", "corpus", "messages.json")));
        var names = corpus.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();

        Assert.That(names, Has.Count.GreaterThanOrEqualTo(60));
        Assert.That(names, Is.Unique);
    }
}
