using System.Text.Json;

namespace OrderProcessor.Tests;

/// <summary>Files of the repository and of <c>shared/</c> beside it, found from the test assembly's folder.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>The wire-format samples, used as they are (<c>../shared/events/</c>).</summary>
    public static string SharedEvents => Path.Combine(Root, "..", "shared", "events");

    public static string SharedEvent(string name) => File.ReadAllText(Path.Combine(SharedEvents, name));

    /// <summary>The handler string from its one definition.</summary>
    public static string Handler
    {
        get
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "functions", "OrderProcessor", "aws-lambda-tools-defaults.json")));
            return json.RootElement.GetProperty("function-handler").GetString()!;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrderPulumi.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"OrderPulumi.sln not found above {AppContext.BaseDirectory}");
    }
}
