using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Warning.Web.Tests.Support;

/// <summary>
/// What a page wrote to its console, kept so that a wait that times out says what the page was doing (the screen
/// warns when a resume, its map or its carousel fails, and tries again).
/// </summary>
public sealed class PageConsole
{
    private readonly ConcurrentQueue<string> _lines = new();

    public PageConsole(IPage page)
    {
        page.Console += (_, m) => Add($"{m.Type}: {m.Text}");
        page.PageError += (_, e) => Add("page error: " + e);
    }

    private void Add(string line)
    {
        _lines.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}");
        while (_lines.Count > 200) _lines.TryDequeue(out _);
    }

    /// <summary>Runs a wait; a timeout is rethrown with the page's last console lines.</summary>
    public async Task WaitAsync(Func<Task> wait, string what)
    {
        try
        {
            await wait();
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{what} timed out; the page's console:\n{string.Join('\n', _lines.TakeLast(40))}", ex);
        }
    }
}
