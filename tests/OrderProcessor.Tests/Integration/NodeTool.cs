using System.Diagnostics;

namespace OrderProcessor.Tests.Integration;

/// <summary>Runs one of the repository's TypeScript tools with Node (through tsx, from the repository's node_modules).</summary>
internal static class NodeTool
{
    public static ProcessStartInfo StartInfo(string script, params string[] args)
    {
        var tsx = Path.Combine(RepositoryFiles.Root, "node_modules", "tsx");
        if (!Directory.Exists(tsx))
        {
            throw new InvalidOperationException($"{tsx} is missing: run `npm ci` in {RepositoryFiles.Root} first (npm test does).");
        }

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryFiles.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--import");
        info.ArgumentList.Add("tsx");
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Runs a tool to its end and returns its last line of standard output; throws with its standard error if it fails.</summary>
    public static async Task<string> RunAsync(string script, params string[] args)
    {
        using var process = Process.Start(StartInfo(script, args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} exited with {process.ExitCode}:\n{await stderr}");
        }

        return (await stdout).TrimEnd().Split('\n')[^1];
    }
}
