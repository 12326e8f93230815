using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Warning.Silo.Cases;
using Warning.Silo.Ingest;
using Warning.Silo.Tests.Support;
using Warning.Web.Tests.Support;

namespace Warning.Silo.Tests.Cases;

/// <summary>
/// A province's cases cannot all stay in memory: an idle case is written and deactivated after the leaf idle timeout
/// (3 s in the test cluster), its areas stay, and the case reads back from its stored state with nothing lost.
/// </summary>
public sealed class CaseDeactivationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Opened = new(2025, 6, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly AreaHierarchy _city = WarningTestCluster.City;
    private readonly string _grid = WarningTestCluster.City.AtLevel(AreaLevel.Grid).First().Id;
    private WarningTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await WarningTestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>Activations of a grain class on all silos (the statistics name it "class,assembly").</summary>
    private async Task<int> Activations(Type grainClass)
    {
        var stats = await _cluster.Grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return stats.Where(s => s.GrainType == $"{grainClass.FullName},{grainClass.Assembly.GetName().Name}").Sum(s => s.ActivationCount);
    }

    [Fact]
    public async Task An_idle_case_is_written_and_deactivated_and_reads_back_while_its_areas_stay()
    {
        var cases = Enumerable.Range(1, 20).Select(i => $"case-idle-{i}").ToArray();
        long seq = 0;
        foreach (var id in cases)
        {
            var report = new ScreeningReport($"r-{id}", _grid, Opened, "w-1", id, DisputeCategory.Land, CaseStatus.Mediating, 3, 5, 1000, 1, [], [], null);
            var change = await _cluster.Grains.GetGrain<ICaseGrain>(id).ApplyReport(++seq, report);
            await Task.WhenAll(_city.PathToRoot(_grid).Select(a => _cluster.Grains.For(a).ApplyCaseChange(seq, change!)));
        }
        // Applied on both silos (20 = 8 + 12 in one run); under load the first may already be idle long enough to go.
        Assert.InRange(await Activations(typeof(CaseGrain)), 1, cases.Length);

        // No checkpoint flushes these cases: only their own deactivation writes them.
        Assert.True(await Poll.UntilAsync(async () => await Activations(typeof(CaseGrain)) == 0, TimeSpan.FromMinutes(2)),
            "the idle cases were not deactivated");
        Assert.True(await Activations(typeof(RegionGrain)) > 0, "the areas went with the cases");
        // Each deactivation took its case off the silos' dirty sets, so no checkpoint activates it again for nothing.
        foreach (var silo in _cluster.Cluster.GetActiveSilos().OfType<InProcessSiloHandle>())
        {
            var dirty = silo.SiloHost.Services.GetRequiredService<DirtyGrains>();
            var taken = dirty.TakeAll();
            dirty.Return(taken);
            Assert.DoesNotContain(taken, g => g.Key.Key.ToString().StartsWith("case-idle-", StringComparison.Ordinal));
        }

        foreach (var id in cases)
        {
            var view = await _cluster.Grains.GetGrain<ICaseGrain>(id).GetView();
            Assert.NotNull(view);
            Assert.Equal(CaseStatus.Mediating, view.Status);
            Assert.Equal(1000, view.AmountInDispute);
        }
        Assert.Equal(cases.Length, (await _cluster.Grains.For(_city[_grid]).GetCounts()).Open);
    }
}
