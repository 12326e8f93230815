using Orleans.Hosting;
using Orleans.TestingHost;
using Warning.Silo.Storage;

namespace Warning.Silo.Tests.Orleans;

/// <summary>
/// Every test silo stores in the one file of its cluster's folder, as the nodes of one data folder would. TestCluster
/// creates configurators by type, so the folder comes through configuration.
/// </summary>
public sealed class SqliteStorageConfigurator : ISiloConfigurator
{
    public const string FolderKey = "WarningTests:StateFolder";

    public void Configure(ISiloBuilder siloBuilder)
    {
        var folder = siloBuilder.Configuration[FolderKey] ?? throw new InvalidOperationException($"{FolderKey} is not set");
        siloBuilder.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = Path.Combine(folder, "state.db"));
    }
}
