using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OrderProcessor.Orders;

namespace OrderProcessor.Tests.Orders;

/// <summary>
/// The exact edges of the order rules that the reader and corpus tests step over: the size limit itself, each end
/// of a character range, quantities beyond decimal's range, a quantity that is a container, unpaired surrogates
/// (which only <see cref="OrderRules.CheckText"/> itself can be given) and the buffer behind an order's fingerprint.
/// </summary>
public sealed class OrderEdgeTests
{
    private static ParseResult Read(string json) => OrderReader.Read(Encoding.UTF8.GetBytes(json));

    private static string Json(string orderId = "O1", string itemName = "Pen", string quantity = "1") =>
        $$"""{"orderId":"{{orderId}}","userId":"U1","itemName":"{{itemName}}","quantity":{{quantity}},"status":"new","timestamp":"2025-05-03T12:00:00Z"}""";

    private static string? CheckItemName(string value) =>
        OrderRules.CheckText(value, OrderRules.TextKind.DisplayText, 0, OrderRules.MaxItemNameCharacters);

    // The size limit is inclusive: an order of exactly MaxOrderBytes is read, one byte more is refused.
    [TestCase(0, null)]
    [TestCase(1, "order is 65537 bytes, more than the 65536 allowed")]
    public void Read_OrderAtTheSizeLimit_IsAcceptedAndOneByteMoreIsNot(int bytesOver, string? reason)
    {
        const string Template = """{"orderId":"O1","userId":"U1","itemName":"Pen","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z","pad":"{pad}"}""";
        var padding = new string('x', OrderRules.MaxOrderBytes + bytesOver - (Template.Length - "{pad}".Length));
        var json = Encoding.UTF8.GetBytes(Template.Replace("{pad}", padding, StringComparison.Ordinal));

        var result = OrderReader.Read(json);

        Assert.That(json, Has.Length.EqualTo(OrderRules.MaxOrderBytes + bytesOver));
        Assert.That(result.Reason, Is.EqualTo(reason));
    }

    // A quantity that is an array or an object is skipped whole, so the fields after it are still read
    // (status and timestamp follow it here, and are not reported missing).
    [TestCase("[1]", "an array")]
    [TestCase("""{"n":1}""", "an object")]
    public void Read_QuantityThatIsAContainer_IsSkippedWhole(string quantity, string kind)
    {
        var result = Read(Json(quantity: quantity));

        Assert.That(result.Reason, Is.EqualTo($"quantity: must be a number, not {kind}"));
    }

    // Beyond decimal's range (about 7.9e28) the sign alone decides the reason: a negative number is below the
    // minimum, a positive one above the maximum, also past double's range.
    [TestCase("-1e30", "quantity: must be at least 1")]
    [TestCase("-1.5E+40", "quantity: must be at least 1")]
    [TestCase("-1e400", "quantity: must be at least 1")]
    [TestCase("1e400", "quantity: must be at most 1000000")]
    public void Read_QuantityBeyondDecimalRange_IsJudgedByItsSign(string spelled, string reason)
    {
        var result = Read(Json(quantity: spelled));

        Assert.That(result.Reason, Is.EqualTo(reason));
    }

    // A vanishingly small number reads as a decimal zero, so it is below the minimum, not a fraction.
    [TestCase("1e-400")]
    [TestCase("-1e-400")]
    public void Read_VanishinglySmallQuantity_IsBelowTheMinimum(string spelled)
    {
        var result = Read(Json(quantity: spelled));

        Assert.That(result.Reason, Is.EqualTo("quantity: must be at least 1"));
    }

    // Both ends of each bidirectional control range are refused: U+202A..U+202E and U+2066..U+2069.
    [TestCase("O\u202A1", "U+202A")]
    [TestCase("O\u202E1", "U+202E")]
    [TestCase("O\u20661", "U+2066")]
    [TestCase("O\u20691", "U+2069")]
    public void Read_BidiMarkAtEitherEndOfItsRange_IsRejected(string orderId, string mark)
    {
        var result = Read(Json(orderId: orderId));

        Assert.That(result.Reason, Is.EqualTo($"orderId: contains a bidirectional embedding, override or isolate mark ({mark})"));
    }

    // Just outside the bidirectional control ranges the text is acceptable: U+202F (white space, but inside the id),
    // U+2065 and U+206A.
    [TestCase("O\u202F1")]
    [TestCase("O\u20651")]
    [TestCase("O\u206A1")]
    public void Read_CharacterJustOutsideABidiRange_IsAccepted(string orderId)
    {
        var result = Read(Json(orderId: orderId));

        Assert.That(result.Order?.OrderId, Is.EqualTo(orderId), result.Reason);
    }

    // U+2000..U+200A (the typographic spaces) are white space: at either end of an identifier they are refused.
    [TestCase("\u2000O1")]
    [TestCase("O1\u200A")]
    public void Read_OrderIdWithATypographicSpaceAtAnEnd_IsRejected(string orderId)
    {
        var result = Read(Json(orderId: orderId));

        Assert.That(result.Reason, Is.EqualTo("orderId: must not begin or end with white space"));
    }

    // Text made only of U+2000..U+200A is blank.
    [Test]
    public void Read_ItemNameOfTypographicSpacesOnly_IsBlank()
    {
        var result = Read(Json(itemName: "\u2000\u200A"));

        Assert.That(result.Reason, Is.EqualTo("itemName: is blank"));
    }

    // U+200B (zero width space) is just past the range and is not white space in ECMAScript's \s.
    [Test]
    public void Read_OrderIdEndingWithAZeroWidthSpace_IsAccepted()
    {
        var result = Read(Json(orderId: "O1\u200B"));

        Assert.That(result.Order?.OrderId, Is.EqualTo("O1\u200B"), result.Reason);
    }

    // Each end of ECMAScript's white space ranges, TAB..CR (U+0009..U+000D) and U+2000..U+200A, and the character
    // just outside. TAB..CR are control characters, which an order refuses before white space is considered, so
    // that range is only observable here.
    [TestCase(0x0008, false)]
    [TestCase(0x0009, true)]
    [TestCase(0x000D, true)]
    [TestCase(0x000E, false)]
    [TestCase(0x1FFF, false)]
    [TestCase(0x2000, true)]
    [TestCase(0x200A, true)]
    [TestCase(0x200B, false)]
    public void IsWhiteSpace_AtEachEndOfARange_FollowsECMAScript(int code, bool expected)
    {
        var isWhiteSpace = OrderRules.IsWhiteSpace((char)code);

        Assert.That(isWhiteSpace, Is.EqualTo(expected));
    }

    // A surrogate is acceptable only as a high surrogate directly followed by a low one. An order's JSON cannot
    // carry a lone surrogate this far (the string fails to decode first), so these call CheckText itself. (A source,
    // not [TestCase]: attribute strings are stored as UTF-8, which has no lone surrogates.)
    private static readonly TestCaseData[] Surrogates =
    [
        new TestCaseData("a\uD800b", "contains an unpaired surrogate").SetName("CheckText_HighSurrogateFollowedByALetter_IsUnpaired"),
        new TestCaseData("a\uD800", "contains an unpaired surrogate").SetName("CheckText_HighSurrogateAtTheEnd_IsUnpaired"),
        new TestCaseData("\uDC00\uDC00", "contains an unpaired surrogate").SetName("CheckText_TwoLowSurrogates_AreUnpaired"),
        new TestCaseData("a\uD83D\uDCBB", null).SetName("CheckText_SurrogatePairAfterALetter_IsAccepted"),
    ];

    [TestCaseSource(nameof(Surrogates))]
    public void CheckText_Surrogates_ArePairedOrRefused(string itemName, string? problem)
    {
        Assert.That(CheckItemName(itemName), Is.EqualTo(problem));
    }

    // The fingerprint's buffer is sized from every field's length. The pool rounds a request up to a power of two,
    // so only an order whose encoding is one byte past a power of two shows a size short by even one field.
    [TestCase(4, 65)]
    [TestCase(68, 129)]
    [TestCase(196, 257)]
    public void ComputeFingerprint_EncodingOneBytePastAPowerOfTwo_HashesEveryLengthPrefixedField(int orderIdLength, int encodedBytes)
    {
        var order = new Order(new string('O', orderIdLength), "U1", "Pen", 1, "new", new DateTimeOffset(2025, 5, 3, 12, 0, 0, TimeSpan.Zero));
        string[] fields = [order.OrderId, "U1", "Pen", "1", "new", "2025-05-03T12:00:00.0000000Z"];
        var encoded = fields.SelectMany(field => LengthPrefixed(field)).ToArray();

        var fingerprint = order.ComputeFingerprint();

        Assert.That(encoded, Has.Length.EqualTo(encodedBytes));
        Assert.That(fingerprint, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(encoded))));
    }

    /// <summary>The field's UTF-8 bytes behind their length (big-endian), computed independently of the code under test.</summary>
    private static byte[] LengthPrefixed(string field)
    {
        var utf8 = Encoding.UTF8.GetBytes(field);
        var prefixed = new byte[sizeof(int) + utf8.Length];
        BinaryPrimitives.WriteInt32BigEndian(prefixed, utf8.Length);
        utf8.CopyTo(prefixed, sizeof(int));
        return prefixed;
    }
}
