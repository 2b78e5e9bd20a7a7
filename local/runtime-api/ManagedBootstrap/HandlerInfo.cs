using System.Reflection;

namespace ManagedBootstrap;

/// <summary>
/// A handler string, <c>ASSEMBLY::TYPE::METHOD</c>, read as Lambda's dotnet runtime reads it (aws/aws-lambda-dotnet,
/// Libraries/src/Amazon.Lambda.RuntimeSupport, Helpers/HandlerInfo.cs): split on the first two <c>::</c> (a third stays
/// in the method, which may be a whole signature such as <c>System.IO.Stream Handle(System.IO.Stream)</c>), each part
/// trimmed, none empty.
/// </summary>
public sealed record HandlerInfo(AssemblyName AssemblyName, string TypeName, string MethodName)
{
    private const string Separator = "::";

    public static HandlerInfo Parse(string handler)
    {
        if (string.IsNullOrEmpty(handler))
        {
            throw Errors.Validation(Errors.EmptyHandler, Separator, Separator);
        }

        var parts = handler.Split(Separator, 3, StringSplitOptions.None);
        if (parts.Length < 3)
        {
            throw Errors.Validation(Errors.InvalidHandler, handler, Separator, Separator);
        }

        var (assembly, type, method) = (parts[0].Trim(), parts[1].Trim(), parts[2].Trim());
        if (assembly.Length == 0)
        {
            throw Errors.Validation(Errors.MissingAssembly, handler, Separator, Separator);
        }

        if (type.Length == 0)
        {
            throw Errors.Validation(Errors.MissingType, handler, Separator, Separator);
        }

        if (method.Length == 0)
        {
            throw Errors.Validation(Errors.MissingMethod, handler, Separator, Separator);
        }

        return new HandlerInfo(new AssemblyName(assembly), type, method);
    }
}
