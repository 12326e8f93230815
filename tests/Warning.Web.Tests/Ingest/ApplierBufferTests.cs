using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Warning.Silo.Ingest;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Ingest;

/// <summary>
/// A burst accepted faster than it is applied waits in the log, not in the heap: with the applier's buffer at one entry,
/// what is committed while it is full is read back from the log, and every report still counts once at every level.
/// </summary>
public sealed class ApplierBufferTests
{
    [Fact]
    public async Task Entries_committed_past_a_full_buffer_are_read_back_from_the_log_and_count_once()
    {
        await using var app = new WarningAppFactory();
        await using var factory = app.WithWebHostBuilder(b => b.UseSetting("Applier:BufferedEntries", "1"));
        using var client = factory.CreateClient();
        var feed = new ReportFeed(app.GridIds.ToArray(), "buffer");
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var r = new Random(w);
            for (var batch = 0; batch < 10; batch++)
            {
                var (status, body, _) = await Reports.PostAsync(client, "/api/v1/reports", ReportFeed.Batch(Enumerable.Range(0, 50).Select(_ => feed.Next(r)).ToList()));
                Assert.Equal(202, status);
                feed.Acknowledge(body!);
            }
        }));
        await Task.WhenAll(workers);

        await ReportFeed.AssertCountedOnceAsync(client, app.Hierarchy, feed.Sent.Values.ToList(), "after the burst");
        Assert.True(factory.Services.GetRequiredService<IngestApplier>().ReadBackEntries > 0, "nothing was read back: the buffer never filled");
    }
}
