using System.Text;
using OrderProcessor.Orders;

namespace OrderProcessor.Tests.Orders;

public sealed class OrderReaderTests
{
    private static ParseResult Read(string json) => OrderReader.Read(Encoding.UTF8.GetBytes(json));

    [Test]
    public void Read_SampleOrder_ReadsEveryField()
    {
        var result = Read(File.ReadAllText(Path.Combine(RepositoryFiles.SharedEvents, "order.sample.json")));

        Assert.That(result.Reason, Is.Null);
        Assert.That(result.Order, Is.EqualTo(new Order("O1234", "U123", "Laptop", 1, "new", new DateTimeOffset(2025, 5, 3, 12, 0, 0, TimeSpan.Zero))));
        Assert.That(result.Order!.TimestampUtc, Is.EqualTo("2025-05-03T12:00:00.0000000Z"));
    }

    [Test]
    public void Read_OffsetTimestamp_IsNormalisedToUtc()
    {
        var result = Read(TestEvents.Order(timestamp: "2025-05-03T14:30:00.25+02:30"));

        Assert.That(result.Order!.TimestampUtc, Is.EqualTo("2025-05-03T12:00:00.2500000Z"));
    }

    [Test]
    public void Read_UnknownFields_AreIgnored()
    {
        var result = Read("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":2,"status":"new","timestamp":"2025-05-03T12:00:00Z","coupon":{"code":["x"]},"note":null}""");

        Assert.That(result.Order, Is.EqualTo(new Order("O1", "U1", "Pen", 2, "new", new DateTimeOffset(2025, 5, 3, 12, 0, 0, TimeSpan.Zero))));
    }

    [Test]
    public void Read_UnicodeItemName_IsKept()
    {
        var result = Read("""{"orderId":"O1","userId":"U1","itemName":"Café ☕ مرحبا e\u0301","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""");

        Assert.That(result.Order!.ItemName, Is.EqualTo("Café ☕ مرحبا e\u0301"));
    }

    [TestCase("not json", "order is not valid JSON: 'not json' is an invalid JSON literal.", TestName = "Read_NotJson_Rejected")]
    [TestCase("[1,2]", "order is not a JSON object but an array", TestName = "Read_Array_Rejected")]
    [TestCase("\"text\"", "order is not a JSON object but a string", TestName = "Read_String_Rejected")]
    [TestCase("[{\"quantity\":0x10}]", "order is not valid JSON: ", TestName = "Read_ArrayThatIsNoJson_CalledNotJson")]
    [TestCase("[1,2] [", "order is not valid JSON: ", TestName = "Read_ArrayWithTrailingText_CalledNotJson")]
    [TestCase("\"text\" x", "order is not valid JSON: ", TestName = "Read_StringWithTrailingText_CalledNotJson")]
    [TestCase("", "order is empty", TestName = "Read_Empty_Rejected")]
    [TestCase(" \r\n", "order is empty", TestName = "Read_WhiteSpace_Rejected")]
    [TestCase("""{"userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: is missing", TestName = "Read_MissingOrderId_Rejected")]
    [TestCase("""{"orderId":null,"userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: is null", TestName = "Read_NullOrderId_Rejected")]
    [TestCase("""{"orderId":"","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: is empty", TestName = "Read_EmptyOrderId_Rejected")]
    [TestCase("""{"orderId":42,"userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: must be a string, not a number", TestName = "Read_NumericOrderId_Rejected")]
    [TestCase("""{"orderId":"O 1\n","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: contains a control character (U+000A)", TestName = "Read_OrderIdWithNewLine_Rejected")]
    [TestCase("""{"orderId":"O1","userId":["U1"],"itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "userId: must be a string, not an array", TestName = "Read_ArrayUserId_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"   ","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "itemName: is blank", TestName = "Read_BlankItemName_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen\u0007","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "itemName: contains a control character (U+0007)", TestName = "Read_ControlCharacterInItemName_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":"1","status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be a number, not a string", TestName = "Read_QuantityAsString_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1.25,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be a whole number", TestName = "Read_QuantityWithFraction_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1e7,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be at most 1000000", TestName = "Read_QuantityWithExponentOverTheLimit_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":0,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be at least 1", TestName = "Read_ZeroQuantity_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":-1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be at least 1", TestName = "Read_NegativeQuantity_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":9007199254740993,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be at most 1000000", TestName = "Read_HugeQuantity_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":null,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: is null", TestName = "Read_NullQuantity_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":" new","timestamp":"2025-05-03T12:00:00Z"}""", "status: must not begin or end with white space", TestName = "Read_StatusWithLeadingSpace_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00"}""", "timestamp: has no UTC offset (Z or \u00B1hh:mm), so the instant is ambiguous", TestName = "Read_TimestampWithoutOffset_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-02-30T12:00:00Z"}""", "timestamp: is not a valid date and time", TestName = "Read_ImpossibleDate_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"1999-12-31T23:59:59Z"}""", "timestamp: must be from 2000-01-01 up to 2100-01-01 (UTC)", TestName = "Read_TimestampTooEarly_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":""}""", "timestamp: is empty", TestName = "Read_EmptyTimestamp_Rejected")]
    [TestCase("""{"orderId":"O1","orderId":"O2","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: appears more than once", TestName = "Read_DuplicateKey_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"} {}""", "order is not valid JSON: '{' is invalid after a single JSON value. Expected end of data.", TestName = "Read_TrailingContent_Rejected")]
    public void Read_InvalidOrder_IsRejectedWithTheReason(string json, string reason)
    {
        var result = Read(json);

        Assert.That(result.Order, Is.Null);
        Assert.That(result.Reason, Does.StartWith(reason));
    }

    [Test]
    public void Read_SeveralProblems_ReportsThemAllAtOnce()
    {
        var result = Read("""{"orderId":"O1","quantity":0,"status":"new","timestamp":"yesterday"}""");

        Assert.That(result.Reason, Is.EqualTo(
            "quantity: must be at least 1; userId: is missing; itemName: is missing; " +
            "timestamp: must be an RFC 3339 date-time with an offset, like 2025-05-03T12:00:00Z or 2025-05-03T14:00:00.123+02:00"));
        Assert.That(result.OrderId, Is.EqualTo("O1"), "a valid order id is kept for the log even when the order is invalid");
    }

    [Test]
    public void Read_DeepNesting_IsRejectedWithoutThrowing()
    {
        var deep = new string('[', 200) + new string(']', 200);
        var result = Read($$"""{"orderId":"O1","extra":{{deep}}}""");

        Assert.That(result.Reason, Does.StartWith("order is not valid JSON: The maximum configured depth of 16 has been exceeded"));
    }

    [Test]
    public void Read_OrderOverTheSizeLimit_IsRejected()
    {
        var padding = new string('x', OrderRules.MaxOrderBytes);
        var result = Read($$"""{"orderId":"O1","pad":"{{padding}}"}""");

        Assert.That(result.Reason, Does.Match("^order is \\d+ bytes, more than the 65536 allowed$"));
    }

    [Test]
    public void Read_InvalidOrderId_IsNotReportedForLogs()
    {
        var result = Read("""{"orderId":"O1\r\nlevel=ERROR","quantity":1}""");

        Assert.That(result.OrderId, Is.Null);
    }

    [TestCase("1", 1)]
    [TestCase("1.0", 1)]
    [TestCase("1.000", 1)]
    [TestCase("1e3", 1000)]
    [TestCase("1E+3", 1000)]
    [TestCase("2.5e1", 25)]
    [TestCase("100e-2", 1)]
    [TestCase("1000000.0", 1000000)]
    public void Read_WholeNumberInAnySpelling_IsAQuantity(string spelled, int expected)
    {
        var result = Read($$"""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":{{spelled}},"status":"new","timestamp":"2025-05-03T12:00:00Z"}""");

        Assert.That(result.Order?.Quantity, Is.EqualTo(expected), result.Reason);
    }

    [TestCase("jane.doe+orders@example.com")]
    [TestCase("orders/2025/O#1")]
    [TestCase("urn:isbn:0451450523")]
    [TestCase("Jos\u00e9 M\u00fcller")]
    [TestCase("\u6ce8\u6587")]
    public void Read_OpaqueIdentifier_IsStoredExactlyAsSent(string escaped)
    {
        var result = Read($$"""{"orderId":"{{escaped}}","userId":"{{escaped}}","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""");
        var expected = System.Text.Json.JsonSerializer.Deserialize<string>($"\"{escaped}\"");

        Assert.That((result.Order?.OrderId, result.Order?.UserId), Is.EqualTo((expected, expected)), result.Reason);
    }

    [TestCase("2025-05-03T12:00:00.123456789Z", "2025-05-03T12:00:00.1234567Z")]
    [TestCase("2025-05-03T12:00:00.9999999999Z", null)]
    [TestCase("2025-05-03 14:00:00+02:00", "2025-05-03T12:00:00.0000000Z")]
    [TestCase("2025-05-03T14:00:00+0200", "2025-05-03T12:00:00.0000000Z")]
    [TestCase("2025-05-03T10:00:00-02", "2025-05-03T12:00:00.0000000Z")]
    [TestCase("2025-05-03t12:00:00z", "2025-05-03T12:00:00.0000000Z")]
    [TestCase("2025-05-04T11:59:00+23:59", "2025-05-03T12:00:00.0000000Z")]
    [TestCase("2099-12-31T23:59:59.9999999Z", "2099-12-31T23:59:59.9999999Z")]
    [TestCase("2100-01-01T00:30:00+01:00", "2099-12-31T23:30:00.0000000Z")]
    [TestCase("2000-01-01T00:30:00+01:00", null)]
    [TestCase("2025-05-03T12:00:00\u00a0Z", null)]
    [TestCase("\uff12025-05-03T12:00:00Z", null)]
    public void Read_Timestamp_IsNormalisedToUtcOrRejected(string timestamp, string? stored)
    {
        var result = Read($$"""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"{{timestamp}}"}""");

        Assert.That(result.Order?.TimestampUtc, Is.EqualTo(stored), result.Reason);
    }
}
