namespace Warning.Silo.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Folder for the embedded store, logs and spill files; relative paths are under the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>SQLite file name inside <see cref="DataDirectory"/>.</summary>
    public string DatabaseFile { get; set; } = "warning.db";

    /// <summary>FULL survives power loss; NORMAL only process crashes. An accepted report must survive both by default.</summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>
    /// Grain state lives in a file of its own: a checkpoint writing thousands of grain states must never hold the write
    /// lock that the next report's 202 is waiting on.
    /// </summary>
    public string StateFile { get; set; } = "state.db";

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFile));

    public string StatePath => Path.GetFullPath(Path.Combine(DataDirectory, StateFile));

    public string ConnectionString => $"Data Source={DatabasePath};Cache=Private;Pooling=True";

    public string StateConnectionString => $"Data Source={StatePath};Cache=Private;Pooling=True";
}
