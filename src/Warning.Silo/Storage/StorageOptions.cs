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

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFile));

    public string ConnectionString => $"Data Source={DatabasePath};Cache=Private;Pooling=True";
}
