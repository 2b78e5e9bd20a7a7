#pragma warning disable CA1822, IDE0060, CA1812 // handler shapes: only their signatures matter
namespace OrderProcessor.Tests.ManagedRuntime.Shapes;

/// <summary>
/// Types of this test assembly loaded by handler string as Lambda's dotnet runtime would load them. The first is the
/// shape <c>OrderProcessor.Function</c> had before the fix: a Stream entry point, a custom-runtime overload and a private
/// third of the same name.
/// </summary>
public sealed class Overloaded
{
    public Task<Stream> HandleAsync(Stream input) => Task.FromResult(input);

    public Task<Stream> HandleAsync(Stream input, string requestId) => Task.FromResult(input);

    private Task<Stream> HandleAsync(Stream input, TimeSpan? budget) => Task.FromResult(input);
}

/// <summary>One public and one private method of the same name: Lambda looks at both.</summary>
public sealed class OverloadedPrivately
{
    public Stream Handle(Stream input) => input;

    private Stream Handle(Stream input, int unused) => input;
}

/// <summary>Handlers Lambda accepts: the instance one counts its constructions, the static one its static constructor.</summary>
public sealed class Echo
{
    public static int Constructed;

    public Echo() => Interlocked.Increment(ref Constructed);

    public async Task<Stream> HandleAsync(Stream input)
    {
        var copy = new MemoryStream();
        await input.CopyToAsync(copy);
        copy.Position = 0;
        return copy;
    }

    public MemoryStream Synchronous(Stream input) => new([1, 2, 3]);

    public void NoOutput(Stream input)
    {
    }

    private Stream Hidden(Stream input) => input;
}

public static class StaticEcho
{
    public static Stream Handle(Stream input) => input;
}

public abstract class AbstractHandlers
{
    public abstract Stream AbstractMethod(Stream input);

    public Stream InstanceOnAbstractType(Stream input) => input;
}

public sealed class GenericHandlers
{
    public Stream Generic<T>(Stream input) => input;

    public async void AsyncVoid(Stream input) => await Task.Yield();

    public Stream Params(params Stream[] inputs) => inputs[0];

    public Stream ThreeParameters(Stream input, string a, string b) => input;

    public Stream SecondNotContext(Stream input, string notAContext) => input;

    public string ReturnsString(Stream input) => "x";

    public Stream TakesString(string input) => Stream.Null;
}

public sealed class GenericType<T>
{
    public Stream Handle(Stream input) => input;
}

public sealed class ThrowingConstructor
{
    public ThrowingConstructor() => throw new InvalidOperationException("TABLE_NAME is not set");

    public Stream Handle(Stream input) => input;
}

public sealed class Throws
{
    public Task<Stream> Handle(Stream input) => throw new InvalidDataException("the input is not an SQS event");
}
