using System.Text;

namespace Warning.Silo.TimeSeries;

/// <summary>
/// Line protocol parked on disk while InfluxDB is unreachable: numbered files (<c>000000000042.lp</c>), replayed oldest
/// first. Batches are written whole (temp file, fsync, rename); lines that overflow the in-memory queue are appended to
/// an <c>.open</c> file that is sealed once it holds a batch or when replay reaches it. An appended line is durable
/// only once its file is sealed (flushed to disk): <c>onAppendedDurable</c> then gets the ingest seqs of those lines.
/// </summary>
public sealed class SpillStore : IDisposable
{
    private readonly string _directory;
    private readonly int _linesPerFile;
    private readonly object _gate = new();
    private readonly SortedDictionary<long, int> _sealed = new(); // file number → lines
    private long _next;
    private StreamWriter? _open;
    private long _openNumber;
    private int _openLines;
    private readonly List<long> _openSeqs = new();
    private readonly Action<IReadOnlyList<long>>? _onAppendedDurable;
    private long _lines;

    public SpillStore(string directory, int linesPerFile, Action<IReadOnlyList<long>>? onAppendedDurable = null)
    {
        _directory = directory;
        _onAppendedDurable = onAppendedDurable;
        _linesPerFile = Math.Max(1, linesPerFile);
        Directory.CreateDirectory(directory);
        foreach (var tmp in Directory.EnumerateFiles(directory, "*.tmp")) File.Delete(tmp);
        // An .open file left by a crash holds complete lines up to its last newline: seal what is there.
        foreach (var open in Directory.EnumerateFiles(directory, "*.lp.open"))
            File.Move(open, open[..^".open".Length], overwrite: true);
        foreach (var file in Directory.EnumerateFiles(directory, "*.lp"))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(file), out var number)) continue;
            var lines = File.ReadLines(file).Count(l => l.Length > 0);
            _sealed[number] = lines;
            _lines += lines;
            _next = Math.Max(_next, number + 1);
        }
    }

    /// <summary>Lines waiting on disk.</summary>
    public long Lines { get { lock (_gate) return _lines; } }

    public bool IsEmpty { get { lock (_gate) return _lines == 0; } }

    public void WriteBatch(IReadOnlyList<string> lines)
    {
        if (lines.Count == 0) return;
        lock (_gate)
        {
            SealOpenLocked();
            var number = _next++;
            var path = PathOf(number);
            var tmp = path + ".tmp";
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                foreach (var line in lines) { writer.Write(line); writer.Write('\n'); }
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, path);
            _sealed[number] = lines.Count;
            _lines += lines.Count;
        }
    }

    /// <summary>Appends one line to the open file; <paramref name="seq"/> (0: none) is reported once the file is sealed.</summary>
    public void Append(string line, long seq = 0)
    {
        lock (_gate)
        {
            if (_open is null)
            {
                _openNumber = _next++;
                _open = new StreamWriter(new FileStream(PathOf(_openNumber) + ".open", FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16), new UTF8Encoding(false));
                _openLines = 0;
            }
            _open.Write(line);
            _open.Write('\n');
            _openLines++;
            _lines++;
            if (seq > 0) _openSeqs.Add(seq);
            if (_openLines >= _linesPerFile) SealOpenLocked();
        }
    }

    /// <summary>The oldest file's lines, sealing the open file if nothing older is waiting.</summary>
    public bool TryPeekOldest(out long number, out List<string> lines)
    {
        lock (_gate)
        {
            if (_sealed.Count == 0) SealOpenLocked();
            if (_sealed.Count == 0)
            {
                number = 0;
                lines = [];
                return false;
            }
            number = _sealed.Keys.First();
            lines = File.ReadLines(PathOf(number)).Where(l => l.Length > 0).ToList();
            return true;
        }
    }

    public void Remove(long number)
    {
        lock (_gate)
        {
            if (!_sealed.Remove(number, out var lines)) return;
            File.Delete(PathOf(number));
            _lines -= lines;
        }
    }

    /// <summary>Sets aside a file InfluxDB refused (a bad point): kept for a person to look at, not replayed forever.</summary>
    public void Reject(long number)
    {
        lock (_gate)
        {
            if (!_sealed.Remove(number, out var lines)) return;
            var rejected = Path.Combine(_directory, "rejected");
            Directory.CreateDirectory(rejected);
            File.Move(PathOf(number), Path.Combine(rejected, Path.GetFileName(PathOf(number))), overwrite: true);
            _lines -= lines;
        }
    }

    public void Dispose()
    {
        lock (_gate) SealOpenLocked();
    }

    private void SealOpenLocked()
    {
        if (_open is null) return;
        _open.Flush();
        ((FileStream)_open.BaseStream).Flush(flushToDisk: true);
        _open.Dispose();
        _open = null;
        if (_openLines == 0)
        {
            File.Delete(PathOf(_openNumber) + ".open");
            return;
        }
        File.Move(PathOf(_openNumber) + ".open", PathOf(_openNumber));
        _sealed[_openNumber] = _openLines;
        if (_openSeqs.Count == 0) return;
        _onAppendedDurable?.Invoke(_openSeqs);
        _openSeqs.Clear();
    }

    private string PathOf(long number) => Path.Combine(_directory, number.ToString("D12") + ".lp");
}
