using OrderProcessor.Processing;

namespace OrderProcessor.Tests.Processing;

public sealed class BackoffScheduleTests
{
    private static readonly BackoffSchedule DevDefaults = new(BaseSeconds: 480, MaxSeconds: 540);

    [TestCase(1, 432, 480)]
    [TestCase(2, 486, 540)]
    [TestCase(3, 486, 540)]
    [TestCase(50, 486, 540)]
    [TestCase(0, 432, 480)]
    public void RangeSeconds_DevDefaults_DoublesFromTheBaseUpToTheCapWithATenthOfJitter(int receiveCount, int min, int max)
    {
        Assert.That(DevDefaults.RangeSeconds(receiveCount), Is.EqualTo((min, max)));
    }

    [Test]
    public void RangeSeconds_SmallBase_DoublesPerReceive()
    {
        var schedule = new BackoffSchedule(10, 1000);

        Assert.That(Enumerable.Range(1, 5).Select(n => schedule.NominalSeconds(n)), Is.EqualTo(new[] { 10, 20, 40, 80, 160 }));
    }

    [Test]
    public void NominalSeconds_NeverPassesWhatSqsAllows()
    {
        var schedule = new BackoffSchedule(40_000, 100_000);

        Assert.That(schedule.NominalSeconds(30), Is.EqualTo(BackoffSchedule.SqsMaxVisibilitySeconds));
    }

    [Test]
    public void DelaySeconds_AnyDraw_StaysWithinTheRangeAndReachesBothEnds()
    {
        var draws = new[] { 0.0, 0.25, 0.5, 0.999999 };
        var delays = draws.Select(d => DevDefaults.DelaySeconds(2, () => d)).ToList();

        Assert.That(delays, Has.All.InRange(486, 540));
        Assert.That(delays.First(), Is.EqualTo(486));
        Assert.That(delays.Last(), Is.EqualTo(540));
        Assert.That(delays, Is.Ordered);
    }

    [Test]
    public void DelaySeconds_RandomDraws_AreSpreadNotAllTheSame()
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 200).Select(_ => DevDefaults.DelaySeconds(1, random.NextDouble)).ToList();

        Assert.That(delays, Has.All.InRange(432, 480));
        Assert.That(delays.Distinct().Count(), Is.GreaterThan(20), "jitter spreads the retries of one outage");
    }
}
