// dotnet OrderProcessor.Fuzz.dll TARGET: one of FuzzTargets.Names, run under AFL++ by SharpFuzz (its out-of-process
// mode: AFL++ starts this process once and hands it inputs through its fork server's pipes). An input that makes the
// target throw anything but a documented outcome is reported to AFL++ as a crash.
using OrderProcessor.Fuzz;
using SharpFuzz;

if (args.Length != 1 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: dotnet OrderProcessor.Fuzz.dll <{string.Join("|", FuzzTargets.Names)}>");
    return 2;
}

var target = FuzzTargets.Get(args[0]);
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
