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
    [TestCase("", "order is empty", TestName = "Read_Empty_Rejected")]
    [TestCase(" \r\n", "order is empty", TestName = "Read_WhiteSpace_Rejected")]
    [TestCase("""{"userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: is missing", TestName = "Read_MissingOrderId_Rejected")]
    [TestCase("""{"orderId":null,"userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: is null", TestName = "Read_NullOrderId_Rejected")]
    [TestCase("""{"orderId":"","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: is empty", TestName = "Read_EmptyOrderId_Rejected")]
    [TestCase("""{"orderId":42,"userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: must be a string, not a number", TestName = "Read_NumericOrderId_Rejected")]
    [TestCase("""{"orderId":"O 1\n","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "orderId: must be 1 to 128 characters of A-Z a-z 0-9 - _ . :", TestName = "Read_OrderIdWithSpaceAndNewLine_Rejected")]
    [TestCase("""{"orderId":"O1","userId":["U1"],"itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "userId: must be a string, not an array", TestName = "Read_ArrayUserId_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"   ","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "itemName: must be 1 to 256 characters, not blank, without control or bidirectional-override characters", TestName = "Read_BlankItemName_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen\u0007","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "itemName: must be 1 to 256 characters, not blank, without control or bidirectional-override characters", TestName = "Read_ControlCharacterInItemName_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":"1","status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be a JSON integer, not a string", TestName = "Read_QuantityAsString_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1.0,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be a JSON integer, written without a fraction or an exponent", TestName = "Read_QuantityWithFraction_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1e3,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be a JSON integer, written without a fraction or an exponent", TestName = "Read_QuantityWithExponent_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":0,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be at least 1", TestName = "Read_ZeroQuantity_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":-1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be at least 1", TestName = "Read_NegativeQuantity_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":9007199254740993,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: must be at most 1000000", TestName = "Read_HugeQuantity_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":null,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""", "quantity: is null", TestName = "Read_NullQuantity_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"NEW ORDER","timestamp":"2025-05-03T12:00:00Z"}""", "status: must be 1 to 32 characters of A-Z a-z 0-9 - _ . :", TestName = "Read_StatusWithSpace_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00"}""", "timestamp: must end with a UTC offset, Z or +hh:mm", TestName = "Read_TimestampWithoutOffset_Rejected")]
    [TestCase("""{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-02-30T12:00:00Z"}""", "timestamp: must be an ISO 8601 date-time, yyyy-MM-ddTHH:mm:ss[.fffffff] then Z or +hh:mm", TestName = "Read_ImpossibleDate_Rejected")]
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
            "quantity: must be at least 1; userId: is missing; itemName: is missing; timestamp: must end with a UTC offset, Z or +hh:mm"));
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
}
