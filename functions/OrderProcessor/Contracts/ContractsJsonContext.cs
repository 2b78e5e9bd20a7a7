using System.Text.Json.Serialization;

namespace OrderProcessor.Contracts;

/// <summary>
/// Source-generated serialization for the wire types: no reflection at start-up. Duplicate properties are
/// refused, so an envelope that names <c>Message</c> twice is invalid rather than silently last-wins.
/// </summary>
[JsonSourceGenerationOptions(AllowDuplicateProperties = false)]
[JsonSerializable(typeof(SqsEvent))]
[JsonSerializable(typeof(SnsEnvelope))]
[JsonSerializable(typeof(SqsBatchResponse))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
