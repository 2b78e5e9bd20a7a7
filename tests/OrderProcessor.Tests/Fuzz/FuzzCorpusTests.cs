using OrderProcessor.Fuzz;

namespace OrderProcessor.Tests.Fuzz;

/// <summary>
/// Every input the fuzzer kept (tests/fuzz/corpus/TARGET/: what AFL++ reached new paths with, and each input that
/// once crashed or hung a target, fixed since) replayed through its target: each must end in a documented
/// outcome (FuzzTargets says which), and end at all. npm run fuzz adds to these folders; CI only replays them.
/// </summary>
public class FuzzCorpusTests
{
    /// <summary>Far beyond any input's time (each takes well under a millisecond): only a hang gets here.</summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(30);

    public static IEnumerable<TestCaseData> Inputs()
    {
        foreach (var target in FuzzTargets.Names)
        {
            var folder = Path.Combine(RepositoryFiles.Root, "tests", "fuzz", "corpus", target);
            var files = Directory.Exists(folder) ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray() : [];
            yield return new TestCaseData(target, files).SetName($"{target}: every kept input ends in a documented outcome");
        }
    }

    [TestCaseSource(nameof(Inputs))]
    public void EveryKeptInput_EndsInADocumentedOutcome(string target, string[] files)
    {
        Assert.That(files, Is.Not.Empty, $"tests/fuzz/corpus/{target}/ holds no input: run npm run fuzz");
        var run = FuzzTargets.Get(target);
        var failures = new List<string>();
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            var task = Task.Run(() => run(input));
            try
            {
                if (!task.Wait(HangLimit))
                {
                    failures.Add($"{Path.GetFileName(file)}: no outcome within {HangLimit.TotalSeconds} s");
                }
            }
            catch (AggregateException e)
            {
                failures.Add($"{Path.GetFileName(file)}: {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
            }
        }

        Assert.That(failures, Is.Empty);
    }
}
