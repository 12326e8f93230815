using Orleans.Runtime;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Warning.Silo.Cases;
using Warning.Silo.Ingest;
using Warning.Silo.Tests.Support;
using Warning.Web.Tests.Support;

namespace Warning.Silo.Tests.Cases;

/// <summary>
/// A pass over many leaves (a bulk load, a replay, a re-score tick) must not keep every case it wakes for Orleans' idle
/// timeout: here that timeout is 10 minutes, and cases woken by a pass leave after its 1 s linger, written and whole.
/// A case someone else called meanwhile, and a case applied by live traffic, stay.
/// </summary>
public sealed class LeafPassingTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Opened = new(2025, 6, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly AreaHierarchy _city = WarningTestCluster.City;
    private readonly string _grid = WarningTestCluster.City.AtLevel(AreaLevel.Grid).First().Id;
    private WarningTestCluster _cluster = null!;
    private long _seq;

    public async Task InitializeAsync() => _cluster = await WarningTestCluster.StartAsync(leafIdleTimeout: TimeSpan.FromMinutes(10));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<HashSet<string>> ActiveCasesAsync()
    {
        var ids = await _cluster.Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create("case"));
        return ids.Select(g => g.Key.ToString()!).ToHashSet(StringComparer.Ordinal);
    }

    private async Task ApplyAsync(string caseId)
    {
        var report = new ScreeningReport($"r-{caseId}", _grid, Opened, "w-1", caseId, DisputeCategory.Land, CaseStatus.Mediating, 3, 5, 1000, 1, [], [], null);
        var seq = Interlocked.Increment(ref _seq);
        var change = await _cluster.Grains.GetGrain<ICaseGrain>(caseId).ApplyReport(seq, report);
        await Task.WhenAll(_city.PathToRoot(_grid).Select(a => _cluster.Grains.For(a).ApplyCaseChange(seq, change!)));
    }

    [Fact]
    public async Task Cases_woken_by_a_pass_leave_after_its_linger_and_read_back_while_cases_called_otherwise_stay()
    {
        var passed = Enumerable.Range(1, 12).Select(i => $"case-pass-{i}").ToArray();
        await LeafPassing.RunAsync(TimeSpan.FromSeconds(1), async () =>
        {
            foreach (var id in passed) await ApplyAsync(id);
        });
        // Woken by the pass, then read by someone: it stays.
        Assert.NotNull(await _cluster.Grains.GetGrain<ICaseGrain>(passed[0]).GetView());
        // Applied by live traffic (no pass): it stays.
        await ApplyAsync("case-live");

        Assert.True(await Poll.UntilAsync(async () => (await ActiveCasesAsync()).Count == 2, TimeSpan.FromMinutes(2)),
            $"cases still active: {string.Join(", ", await ActiveCasesAsync())}");
        Assert.Equal(new HashSet<string> { passed[0], "case-live" }, await ActiveCasesAsync());

        // Each left written: it reads back whole, and its grid counts it.
        foreach (var id in passed)
            Assert.Equal(1000, (await _cluster.Grains.GetGrain<ICaseGrain>(id).GetView())!.AmountInDispute);
        Assert.Equal(passed.Length + 1, (await _cluster.Grains.For(_city[_grid]).GetCounts()).Open);
    }

    [Fact]
    public async Task Cases_a_pass_without_linger_wakes_leave_with_the_call_and_read_back_whole()
    {
        var once = Enumerable.Range(1, 6).Select(i => $"case-once-{i}").ToArray();
        await LeafPassing.RunAsync(TimeSpan.Zero, async () =>
        {
            foreach (var id in once) await ApplyAsync(id);
        });

        Assert.True(await Poll.UntilAsync(async () => !(await ActiveCasesAsync()).Overlaps(once), TimeSpan.FromMinutes(1)),
            $"cases still active: {string.Join(", ", await ActiveCasesAsync())}");
        foreach (var id in once)
            Assert.Equal(1000, (await _cluster.Grains.GetGrain<ICaseGrain>(id).GetView())!.AmountInDispute);
        Assert.Equal(once.Length, (await _cluster.Grains.For(_city[_grid]).GetCounts()).Open);
    }

    [Fact]
    public async Task Cases_a_lingering_pass_holds_stay_when_a_pass_without_linger_calls_them()
    {
        // A bulk load holds its cases for a while; the deadline watch calls them meanwhile.
        var held = Enumerable.Range(1, 4).Select(i => $"case-held-{i}").ToArray();
        await LeafPassing.RunAsync(TimeSpan.FromMinutes(5), async () =>
        {
            foreach (var id in held) await ApplyAsync(id);
        });
        await LeafPassing.RunAsync(TimeSpan.Zero, () => Task.WhenAll(held.Select(id => _cluster.Grains.GetGrain<ICaseGrain>(id).CheckDeadline(DateTimeOffset.UtcNow))));
        // A case only that pass wakes leaves; once it has, the held ones had every chance to leave as well.
        await LeafPassing.RunAsync(TimeSpan.Zero, () => ApplyAsync("case-woken-once"));
        Assert.True(await Poll.UntilAsync(async () => !(await ActiveCasesAsync()).Contains("case-woken-once"), TimeSpan.FromMinutes(1)), "the case woken once stayed");
        var active = await ActiveCasesAsync();
        Assert.True(active.IsSupersetOf(held), $"held cases that left: {string.Join(", ", held.Except(active))}");
    }
}
