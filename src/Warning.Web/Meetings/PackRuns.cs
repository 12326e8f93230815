using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Reports;
using Orleans;
using Warning.Silo.Alerts;
using Warning.Silo.Time;
using Warning.Web.Jobs;

namespace Warning.Web.Meetings;

/// <summary>What one pack generation is asked to make.</summary>
/// <param name="Kind"><c>monthly</c>, <c>quarterly</c>, <c>intensive</c>, <c>on_demand</c> or <c>bulletin</c>.</param>
/// <param name="Category">The dispute category of a bulletin (wire name); null for a whole pack.</param>
public sealed record PackOrder(string Kind, string RegionId, DateOnly From, DateOnly To, string? Category, string Trigger);

/// <summary>A generation's progress, kept as a parameter of its Hangfire job so any node answers for it.</summary>
public sealed record PackProgress(int Percent, string Step, string? PackId = null, string? Error = null);

/// <summary>A generation as <c>GET /api/v1/reports/jobs/{id}</c> shows it.</summary>
public sealed record PackJobStatus(string JobId, string State, PackOrder Order, int Percent, string Step, string? PackId, string? Error);

/// <summary>Queues pack generations on Hangfire and reads their progress back from the job store.</summary>
public sealed class PackRuns(JobStorage storage, IBackgroundJobClient jobs, ILogger<PackRuns> logger)
{
    private const string IdPrefix = "pack-";
    private const string ProgressParameter = "warning.pack";

    public PackJobStatus Queue(PackOrder order)
    {
        var id = jobs.Create(Job.FromExpression<MeetingPackJob>(j => j.RunAsync(order, null, CancellationToken.None)), new EnqueuedState());
        logger.LogInformation("Pack {JobId} queued: {Kind} {RegionId} {From:yyyy-MM-dd}..{To:yyyy-MM-dd} ({Trigger})", IdPrefix + id, order.Kind, order.RegionId, order.From, order.To, order.Trigger);
        return Get(IdPrefix + id) ?? throw new InvalidOperationException($"job {id} was queued and then not found");
    }

    public PackJobStatus? Get(string jobId)
    {
        if (!jobId.StartsWith(IdPrefix, StringComparison.Ordinal) || !long.TryParse(jobId.AsSpan(IdPrefix.Length), out _)) return null;
        var hangfireId = jobId[IdPrefix.Length..];
        using var connection = storage.GetConnection();
        var data = connection.GetJobData(hangfireId);
        if (data?.Job is not { } job || job.Type != typeof(MeetingPackJob) || job.Args[0] is not PackOrder order) return null;
        var progress = connection.GetJobParameter(hangfireId, ProgressParameter) is { Length: > 0 } json
            ? JsonSerializer.Deserialize<PackProgress>(json, Analytics.Disputes.WarningJson.Options)!
            : new PackProgress(0, "queued");
        var state = data.State == ProcessingState.StateName ? "running"
            : data.State == SucceededState.StateName ? "succeeded"
            : data.State == FailedState.StateName || data.State == DeletedState.StateName ? "failed"
            : "queued";
        string? stateError = null;
        if (state == "failed" && connection.GetStateData(hangfireId)?.Data is { } d) d.TryGetValue("ExceptionMessage", out stateError);
        var error = progress.Error ?? stateError;
        return new PackJobStatus(jobId, state, order, progress.Percent, progress.Step, progress.PackId, error);
    }

    internal void Update(string hangfireJobId, PackProgress progress)
    {
        using var connection = storage.GetConnection();
        connection.SetJobParameter(hangfireJobId, ProgressParameter, JsonSerializer.Serialize(progress, Analytics.Disputes.WarningJson.Options));
    }
}

/// <summary>
/// Generates one pack and stores it: figures, HTML, CSV, then the PDF. A PDF that fails to print still leaves the
/// HTML and CSV stored, and then fails the job with the renderer's message (no retry: Chromium would fail the same way).
/// </summary>
public sealed class MeetingPackJob(PackComposer composer, PackPrinter printer, PackStore store, PackRuns runs, AreaHierarchy hierarchy, WarningClock clock,
    IGrainFactory grains, ILogger<MeetingPackJob> logger)
{
    [JobDisplayName("Meeting pack {0}")]
    public async Task RunAsync(PackOrder order, PerformContext? context, CancellationToken cancellationToken)
    {
        var jobId = context?.BackgroundJob.Id ?? throw new InvalidOperationException("a pack is generated as a Hangfire job");
        var words = ReportWords.Chinese;
        DisputeCategory? focus = order.Category is null ? null
            : DisputeVocabulary.TryParse<DisputeCategory>(order.Category, out var c) ? c : throw new JobRejectedException($"unknown category {order.Category}");
        if (!hierarchy.Contains(order.RegionId)) throw new JobRejectedException($"region {order.RegionId} is not in the loaded hierarchy");
        void Step(int percent, string step) => runs.Update(jobId, new PackProgress(percent, step));

        // Stored packs are for the meeting's readers (analysts, commanders, admins): case ids only for roles that may open cases, so none.
        var pack = await composer.ComposeAsync(order.RegionId, order.From, order.To, showCaseIds: false, focus, Step, cancellationToken);
        Step(75, "rendering HTML and CSV");
        var html = BriefingHtml.Render(pack, words);
        var csv = BriefingCsv.Zip(pack, words, hierarchy);
        Step(80, "printing the PDF");
        byte[]? pdf = null;
        string? pdfError = null;
        try { pdf = await printer.PrintAsync(html, cancellationToken); }
        catch (PackPrintException ex) { pdfError = ex.Message; }
        var stored = store.Add(order.RegionId, order.Kind, order.Category, order.From, order.To, clock.Now, order.Trigger, html, csv, pdf, pdfError);
        await grains.RaiseAsync(PackReady(stored, hierarchy[order.RegionId].Name, clock.Now), logger);
        if (pdfError is not null)
        {
            logger.LogError("Pack {PackId} stored without its PDF: {Error}", stored.Id, pdfError);
            runs.Update(jobId, new PackProgress(100, "stored without PDF", stored.Id, pdfError));
            throw new JobRejectedException(pdfError);
        }
        runs.Update(jobId, new PackProgress(100, "stored", stored.Id));
        logger.LogInformation("Pack {PackId} stored (version {Version})", stored.Id, stored.Version);
    }

    /// <summary>The info notice to the area's analysts: which pack, where to read it; a PDF that failed is said.</summary>
    public static AlertSignal PackReady(StoredPack pack, string areaName, DateTimeOffset at)
    {
        var (zhKind, enKind) = pack.Kind switch
        {
            "monthly" => ("月度研判会材料", "monthly meeting pack"),
            "quarterly" => ("季度研判会材料", "quarterly meeting pack"),
            "intensive" => ("敏感期集中研判材料", "intensive-period pack"),
            "bulletin" => ("专报", "special bulletin"),
            _ => ("研判会材料", "meeting pack"),
        };
        var period = $"{pack.From:yyyy-MM-dd}–{pack.To:yyyy-MM-dd}";
        var pdf = pack.HasPdf ? "" : "（PDF 生成失败，可查看 HTML/CSV）";
        return new AlertSignal(AlertRules.PackReady, new AlertSubject("pack", pack.Id), pack.RegionId, AlertSeverity.Info, at,
            new AlertText($"{zhKind}已生成：{areaName} {period}", $"{char.ToUpperInvariant(enKind[0])}{enKind[1..]} ready: {areaName} {period}"),
            new AlertText($"第 {pack.Version} 版，/api/v1/reports/{pack.Id}{pdf}", $"version {pack.Version}, /api/v1/reports/{pack.Id}{(pack.HasPdf ? "" : " (the PDF failed; HTML and CSV are there)")}"),
            pack.Category);
    }
}
